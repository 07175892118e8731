import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { enterpriseInRegionSql, readScope } from '#libs/access';
import { cursorField, decodeCursor, Page, Principal, toPage } from '#libs/common';
import { DataSource, EntityManager } from 'typeorm';
import { todayInChina } from './domain/dates';
import { outletRuleSetOn, stockLimitT } from './domain/rules';
import type { OutletRecordsQuery, OutletRecordView, StockView, UnregisteredOutletQuery, UnregisteredOutletView } from './dto';
import type { OutletRow } from './views';

/** The label the API gives an outlet id found in the ledger that names no registered outlet. */
export const UNREGISTERED_OUTLET = 'unregistered outlet';

/** What identifies an outlet's events in the ledger. */
export interface OutletRef {
  id: string;
  code: string | null;
  ownerId: string;
  partnerIds: string[];
}

export const refOf = (r: Pick<OutletRow, 'id' | 'code' | 'owner_enterprise_id' | 'partners'>): OutletRef => ({
  id: r.id,
  code: r.code,
  ownerId: r.owner_enterprise_id,
  partnerIds: r.partners.map((p) => p.enterpriseId),
});

/**
 * The events of an outlet, over lifecycle_events `e`: the owner names it by its id or its own code, a partner by
 * its id (codes are unique per owner only). $1 id, $2 code, $3 owner, $4 partners. Uses lifecycle_events_outlet_idx.
 */
const OUTLET_EVENTS = `e.type IN ('outlet_received', 'outlet_handed_over')
  AND (e.payload->>'outletId') = ANY(array_remove(ARRAY[$1::text, $2::text], NULL))
  AND ((e.reporter_enterprise_id = $3::uuid) OR (e.reporter_enterprise_id = ANY($4::uuid[]) AND e.payload->>'outletId' = $1::text))`;

const params = (r: OutletRef) => [r.id, r.code, r.ownerId, r.partnerIds];

/**
 * Stock, from the ledger: a battery is in an outlet's stock while it is 'at_outlet' and its latest receipt
 * (outlet_received) named that outlet. Counted are the batteries the receipts name (a pack's modules and cells
 * follow it and are not counted again); mass and energy come from the registered battery attributes.
 */
const STOCK = `
  WITH rec AS (
    SELECT e.id, c.code FROM lifecycle_events e CROSS JOIN LATERAL unnest(e.battery_codes) AS c(code)
     WHERE e.type = 'outlet_received' AND ${OUTLET_EVENTS}
  ), cur AS (
    SELECT DISTINCT b.code, b.mass_kg, b.rated_energy_kwh
      FROM rec JOIN batteries b ON b.code = rec.code AND b.status = 'at_outlet'
     WHERE rec.id = (SELECT ch.event_id FROM battery_event_chain ch JOIN lifecycle_events e2 ON e2.id = ch.event_id
                      WHERE ch.battery_code = rec.code AND e2.type = 'outlet_received' ORDER BY ch.seq DESC LIMIT 1)
  )
  SELECT count(*)::int AS count, COALESCE(sum(mass_kg), 0) AS mass_kg, COALESCE(sum(rated_energy_kwh), 0) AS energy_kwh,
         (count(*) FILTER (WHERE mass_kg IS NULL))::int AS without_mass, (count(*) FILTER (WHERE rated_energy_kwh IS NULL))::int AS without_energy
    FROM cur`;

export interface StockFigures {
  count: number;
  massT: number;
  energyKwh: number;
  withoutMass: number;
  withoutEnergy: number;
}

interface RecordRow {
  event_id: string;
  type: string;
  occurred_at: Date;
  code: string;
  battery_type: string | null;
  product_type: string | null;
  reporter_id: string;
  reporter_name: string;
  counterparty_id: string | null;
  counterparty_name: string | null;
  vin: string | null;
}

@Injectable()
export class OutletStockService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async figures(db: EntityManager | DataSource, ref: OutletRef): Promise<StockFigures> {
    const [r] = await db.query<{ count: number; mass_kg: number; energy_kwh: number; without_mass: number; without_energy: number }[]>(STOCK, params(ref));
    return {
      count: r.count,
      massT: Math.round(Number(r.mass_kg)) / 1000,
      energyKwh: Math.round(Number(r.energy_kwh) * 1000) / 1000,
      withoutMass: r.without_mass,
      withoutEnergy: r.without_energy,
    };
  }

  async stockOf(row: OutletRow): Promise<StockView> {
    const ref = refOf(row);
    const f = await this.figures(this.dataSource, ref);
    const { limitT } = stockLimitT(
      { type: row.type, storageAreaM2: Number(row.storage_area_m2), capacityT: Number(row.capacity_t) },
      outletRuleSetOn(todayInChina()),
    );
    const [{ flags }] = await this.dataSource.query<{ flags: number }[]>(
      `SELECT count(*)::int AS flags FROM outlet_stock_flags f
        WHERE f.outlet_id = $1 AND EXISTS (
          SELECT 1 FROM lifecycle_events e WHERE (e.payload->>'outletId') = f.outlet_ref AND e.type = 'outlet_received'
             AND e.occurred_at = f.occurred_at AND e.reporter_enterprise_id = f.reporter_enterprise_id AND e.battery_codes = f.battery_codes)`,
      [row.id],
    );
    return { ...f, limitT, overLimit: f.massT > limitT, overLimitFlags: flags };
  }

  /** Every battery in and out of the outlet, oldest first (the ledger keeps them: it is append-only). */
  async records(row: OutletRow, query: OutletRecordsQuery): Promise<Page<OutletRecordView>> {
    const after = decodeCursor<{ t: string; id: string; c: string }>(query.cursor, {
      t: cursorField.instant,
      id: cursorField.uuid,
      c: cursorField.matches(/^[0-9A-Z]{19,24}$/),
    });
    const rows = await this.dataSource.query<RecordRow[]>(
      `SELECT e.id AS event_id, e.type, e.occurred_at, c.code, b.battery_type, b.product_type,
              e.reporter_enterprise_id AS reporter_id, re.name AS reporter_name, e.counterparty_enterprise_id AS counterparty_id, ce.name AS counterparty_name,
              COALESCE(e.vin, (SELECT e3.vin FROM battery_event_chain ch JOIN lifecycle_events e3 ON e3.id = ch.event_id
                                WHERE ch.battery_code = c.code AND e3.vin IS NOT NULL AND e3.occurred_at <= e.occurred_at ORDER BY ch.seq DESC LIMIT 1)) AS vin
         FROM lifecycle_events e CROSS JOIN LATERAL unnest(e.battery_codes) AS c(code)
         JOIN enterprises re ON re.id = e.reporter_enterprise_id
         LEFT JOIN enterprises ce ON ce.id = e.counterparty_enterprise_id
         LEFT JOIN batteries b ON b.code = c.code
        WHERE ${OUTLET_EVENTS}
          AND ($5::date IS NULL OR e.occurred_at >= ($5::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
          AND ($6::date IS NULL OR e.occurred_at < (($6::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
          AND ($7::timestamptz IS NULL OR (e.occurred_at, e.id, c.code::text) > ($7::timestamptz, $8::uuid, $9::text))
        ORDER BY e.occurred_at, e.id, c.code::text
        LIMIT $10`,
      [...params(refOf(row)), query.from ?? null, query.to ?? null, after?.t ?? null, after?.id ?? null, after?.c ?? null, query.limit + 1],
    );
    return toPage(rows, query.limit, toRecordView, (r) => ({ t: new Date(r.occurred_at).toISOString(), id: r.event_id, c: r.code }));
  }

  /**
   * Outlet ids in recorded events that name no registered outlet of their reporter (recorded before the registry,
   * or before the check): shown as "unregistered outlet", never dropped. Read by the firm (the reporter): an enterprise
   * sees its own, a regulator those of reporters registered in its region now or before, an admin all.
   */
  async unregistered(principal: Principal, query: UnregisteredOutletQuery): Promise<Page<UnregisteredOutletView>> {
    const after = decodeCursor<{ r: string; o: string }>(query.cursor, { r: cursorField.uuid, o: cursorField.matches(/^[\s\S]{1,100}$/) });
    const scope = readScope(principal);
    const params: unknown[] = [scope.kind === 'enterprise' ? scope.enterpriseId : null, after?.r ?? null, after?.o ?? null, query.limit + 1];
    const param = (v: unknown) => `$${params.push(v)}`;
    const inRegion = scope.kind === 'region' ? `AND ${enterpriseInRegionSql('e.reporter_enterprise_id', scope.prefix, param)}` : '';
    const rows = await this.dataSource.query<
      { outlet_ref: string; reporter_id: string; reporter_name: string; events: number; first_at: Date; last_at: Date }[]
    >(
      `SELECT e.payload->>'outletId' AS outlet_ref, e.reporter_enterprise_id AS reporter_id, re.name AS reporter_name,
              count(*)::int AS events, min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at
         FROM lifecycle_events e JOIN enterprises re ON re.id = e.reporter_enterprise_id
        WHERE e.type IN ('outlet_received', 'outlet_handed_over') AND (e.payload->>'outletId') IS NOT NULL
          AND ($1::uuid IS NULL OR e.reporter_enterprise_id = $1)
          ${inRegion}
          AND NOT EXISTS (
            SELECT 1 FROM outlets o
             WHERE (o.owner_enterprise_id = e.reporter_enterprise_id AND (o.id::text = e.payload->>'outletId' OR o.code = e.payload->>'outletId'))
                OR (o.id::text = e.payload->>'outletId' AND EXISTS (SELECT 1 FROM outlet_partners p WHERE p.outlet_id = o.id AND p.enterprise_id = e.reporter_enterprise_id)))
          AND ($2::uuid IS NULL OR (e.reporter_enterprise_id, e.payload->>'outletId') > ($2::uuid, $3::text))
        GROUP BY 1, 2, 3
        ORDER BY 2, 1
        LIMIT $4`,
      params,
    );
    return toPage(
      rows,
      query.limit,
      (r) => ({
        outletId: r.outlet_ref,
        label: UNREGISTERED_OUTLET,
        reporter: { id: r.reporter_id, name: r.reporter_name },
        events: r.events,
        firstAt: new Date(r.first_at).toISOString(),
        lastAt: new Date(r.last_at).toISOString(),
      }),
      (r) => ({ r: r.reporter_id, o: r.outlet_ref }),
    );
  }
}

function toRecordView(r: RecordRow): OutletRecordView {
  const reporter = { id: r.reporter_id, name: r.reporter_name };
  const counterparty = r.counterparty_id ? { id: r.counterparty_id, name: r.counterparty_name ?? '' } : null;
  const into = r.type === 'outlet_received';
  return {
    eventId: r.event_id,
    direction: into ? 'in' : 'out',
    occurredAt: new Date(r.occurred_at).toISOString(),
    batteryCode: r.code,
    batteryType: r.battery_type,
    productType: r.product_type,
    from: into ? counterparty : reporter,
    to: into ? reporter : counterparty,
    vin: r.vin,
  };
}
