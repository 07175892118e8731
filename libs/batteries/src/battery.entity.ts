import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { BatteryStatus, ProductLevel } from './status';

/**
 * A battery and its derived state. Written by the ledger's ingest (set-based SQL, not this entity); the
 * state columns are recomputable from the battery's events.
 */
@Entity('batteries')
@Index('batteries_holder_idx', { synchronize: false })
@Index('batteries_manufacturer_idx', { synchronize: false })
@Index('batteries_region_idx', { synchronize: false })
export class Battery {
  @PrimaryColumn({ type: 'varchar', length: 24 })
  code: string;

  @Column({ type: 'text' })
  form: 'original' | 'cascade';

  @Column({ name: 'manufacturer_code', type: 'varchar', length: 3 })
  manufacturerCode: string;

  @Column({ name: 'product_type', type: 'text' })
  productType: ProductLevel;

  @Column({ name: 'battery_type', type: 'varchar', length: 1 })
  batteryType: string;

  @Column({ name: 'specification_code', type: 'varchar', length: 2 })
  specificationCode: string;

  @Column({ name: 'traceability_code', type: 'varchar', length: 7, nullable: true })
  traceabilityCode: string | null;

  @Column({ name: 'production_date', type: 'date' })
  productionDate: string;

  @Column({ type: 'varchar', length: 7 })
  serial: string;

  @Column({ name: 'cascade_level', type: 'varchar', length: 1, nullable: true })
  cascadeLevel: string | null;

  @Column({ name: 'nominal_capacity_ah', type: 'double precision', nullable: true })
  nominalCapacityAh: number | null;

  @Column({ name: 'nominal_voltage_v', type: 'double precision', nullable: true })
  nominalVoltageV: number | null;

  @Column({ name: 'rated_energy_kwh', type: 'double precision', nullable: true })
  ratedEnergyKwh: number | null;

  @Column({ name: 'mass_kg', type: 'double precision', nullable: true })
  massKg: number | null;

  @Column({ name: 'producer_enterprise_id', type: 'uuid' })
  producerEnterpriseId: string;

  @Column({ name: 'produced_event_id', type: 'uuid' })
  producedEventId: string;

  @Column({ type: 'text' })
  status: BatteryStatus;

  @Column({ name: 'holder_enterprise_id', type: 'uuid', nullable: true })
  holderEnterpriseId: string | null;

  @Column({ name: 'pending_handover_to', type: 'uuid', nullable: true })
  pendingHandoverTo: string | null;

  @Column({ type: 'varchar', length: 17, nullable: true })
  vin: string | null;

  @Column({ name: 'parent_code', type: 'varchar', length: 24, nullable: true })
  parentCode: string | null;

  @Column({ name: 'region_keys', type: 'text', array: true, default: () => "'{}'" })
  regionKeys: string[];

  @Column({ name: 'last_event_id', type: 'uuid' })
  lastEventId: string;

  @Column({ name: 'last_event_type', type: 'text' })
  lastEventType: string;

  @Column({ name: 'last_event_at', type: 'timestamptz' })
  lastEventAt: Date;

  @Column({ name: 'chain_seq', type: 'integer' })
  chainSeq: number;

  @Column({ name: 'chain_head', type: 'bytea' })
  chainHead: Buffer;

  @Column({ name: 'registered_at', type: 'timestamptz', default: () => 'now()' })
  registeredAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
