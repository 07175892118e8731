import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BatteriesService } from '#libs/batteries';
import type { Principal } from '#libs/common';
import { regionInfo } from '#libs/regions';
import { DataSource } from 'typeorm';
import { buildPassport, Passport, PartyFacts, PassportFacts, TestFacts } from './domain/passport';

interface BatteryRow {
  code: string;
  form: 'original' | 'cascade';
  product_type: 'pack' | 'module' | 'cell';
  production_date: string;
  status: string;
  nominal_capacity_ah: number | null;
  nominal_voltage_v: number | null;
  rated_energy_kwh: number | null;
  mass_kg: number | null;
  producer_enterprise_id: string;
  holder_enterprise_id: string | null;
}

interface PartyRow {
  id: string;
  name: string;
  uscc: string;
  contact_name: string | null;
  address: string | null;
  region_code: string | null;
}

/** Builds passports from the registry: the battery, its firms, its latest residual test, its cascade links. */
@Injectable()
export class PassportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly batteries: BatteriesService,
  ) {}

  /** Same visibility as the battery and its trace. */
  async passport(input: string, principal: Principal): Promise<Passport> {
    const code = this.batteries.normaliseCode(input);
    await this.batteries.assertVisible(code, principal);
    const db = this.dataSource;
    const [b] = await db.query<BatteryRow[]>(
      `SELECT code, form, product_type, production_date::text AS production_date, status, nominal_capacity_ah, nominal_voltage_v, rated_energy_kwh, mass_kg,
              producer_enterprise_id, holder_enterprise_id FROM batteries WHERE code = $1`,
      [code],
    );
    const [parties, service, tests, product, predecessors, successor] = await Promise.all([
      db.query<PartyRow[]>('SELECT id, name, uscc, contact_name, address, region_code FROM enterprises WHERE id = ANY($1::uuid[])', [
        [b.producer_enterprise_id, b.holder_enterprise_id].filter(Boolean),
      ]),
      db.query<{ at: Date | null }[]>(
        `SELECT min(e.occurred_at) AS at FROM battery_event_chain c JOIN lifecycle_events e ON e.id = c.event_id WHERE c.battery_code = $1 AND e.type = $2`,
        [code, b.form === 'cascade' ? 'cascade_shipped' : 'installed'],
      ),
      db.query<
        {
          tested_at: Date;
          mean_capacity_ah: number;
          mean_energy_wh: number;
          soh_c_percent: number | null;
          soh_e_percent: number | null;
          resistance_increase_percent: number | null;
          initial_resistance_mohm: number | null;
        }[]
      >(
        `SELECT tested_at, mean_capacity_ah, mean_energy_wh, soh_c_percent, soh_e_percent, resistance_increase_percent, initial_resistance_mohm
           FROM residual_tests WHERE battery_code = $1 ORDER BY tested_at DESC, id DESC LIMIT 1`,
        [code],
      ),
      db.query<{ application_field: string; place_of_origin: string | null; warranty_months: number }[]>(
        'SELECT application_field, place_of_origin, warranty_months FROM cascade_products WHERE code = $1',
        [code],
      ),
      db.query<{ original_code: string }[]>('SELECT original_code FROM battery_origins WHERE cascade_code = $1 ORDER BY original_code', [code]),
      db.query<{ cascade_code: string }[]>('SELECT cascade_code FROM battery_origins WHERE original_code = $1 LIMIT 1', [code]),
    ]);
    const party = (id: string | null): PartyFacts | null => {
      const p = parties.find((x) => x.id === id);
      if (!p) return null;
      const region = p.region_code ? regionInfo(p.region_code) : null;
      return { name: p.name, uscc: p.uscc, contactName: p.contact_name, address: p.address, regionName: region ? region.fullName.replace(/ /g, '') : null };
    };
    const producer = party(b.producer_enterprise_id)!;
    const t = tests[0];
    const latestTest: TestFacts | null = t
      ? {
          testedAt: new Date(t.tested_at).toISOString(),
          meanCapacityAh: t.mean_capacity_ah,
          meanEnergyWh: t.mean_energy_wh,
          sohCPercent: t.soh_c_percent,
          sohEPercent: t.soh_e_percent,
          resistanceIncreasePercent: t.resistance_increase_percent,
          initialResistanceMOhm: t.initial_resistance_mohm,
        }
      : null;
    const facts: PassportFacts = {
      code,
      form: b.form,
      productType: b.product_type,
      productionDate: b.production_date,
      status: b.status,
      nominalCapacityAh: b.nominal_capacity_ah,
      nominalVoltageV: b.nominal_voltage_v,
      ratedEnergyKwh: b.rated_energy_kwh,
      massKg: b.mass_kg,
      producer,
      operator: party(b.holder_enterprise_id) ?? producer,
      puttingIntoService: service[0]?.at ? new Date(service[0].at).toISOString() : null,
      latestTest,
      applicationField: product[0]?.application_field ?? null,
      placeOfOrigin: product[0]?.place_of_origin ?? null,
      warrantyMonths: product[0]?.warranty_months ?? null,
      predecessors: predecessors.map((p) => p.original_code),
      successor: successor[0]?.cascade_code ?? null,
    };
    return buildPassport(facts);
  }
}
