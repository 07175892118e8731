import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One event of the ledger (append-only). Written by LedgerService in set-based SQL; this entity maps the
 * table for reads. `content_hash` covers exactly the stored content (see domain/canonical.ts).
 */
@Entity('lifecycle_events')
// A partial unique index (migration IngestIndexes): only events with a client id are indexed.
@Index('lifecycle_events_client_event_key', ['reporterEnterpriseId', 'clientEventId'], { unique: true, where: 'client_event_id IS NOT NULL' })
// Unique by (battery_codes[1], content_hash), an expression index (migration ContentKeyByCode): the hash covers
// the reporter and the codes, so this is uniqueness of the content hash, with a batch's entries side by side.
@Index('lifecycle_events_content_key', { synchronize: false })
export class LifecycleEvent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'schema_version', type: 'smallint' })
  schemaVersion: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'uploaded_at', type: 'timestamptz', default: () => 'now()' })
  uploadedAt: Date;

  @Column({ name: 'reporter_enterprise_id', type: 'uuid' })
  reporterEnterpriseId: string;

  @Column({ name: 'reporter_key_id', type: 'uuid', nullable: true })
  reporterKeyId: string | null;

  @Column({ name: 'counterparty_enterprise_id', type: 'uuid', nullable: true })
  counterpartyEnterpriseId: string | null;

  @Column({ name: 'region_code', type: 'varchar', length: 6, nullable: true })
  regionCode: string | null;

  @Column({ type: 'varchar', length: 17, nullable: true })
  vin: string | null;

  @Column({ name: 'battery_codes', type: 'varchar', length: 24, array: true })
  batteryCodes: string[];

  @Column({ name: 'client_event_id', type: 'text', nullable: true })
  clientEventId: string | null;

  @Column({ name: 'content_hash', type: 'bytea' })
  contentHash: Buffer;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'correction_of', type: 'uuid', nullable: true })
  correctionOf: string | null;

  @Column({ name: 'rule_set', type: 'text', nullable: true })
  ruleSet: string | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ name: 'on_time', type: 'boolean', nullable: true })
  onTime: boolean | null;
}

/** One link of a battery's hash chain (append-only). */
@Entity('battery_event_chain')
export class BatteryEventLink {
  @PrimaryColumn({ name: 'battery_code', type: 'varchar', length: 24 })
  batteryCode: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'prev_hash', type: 'bytea' })
  prevHash: Buffer;

  @Column({ name: 'link_hash', type: 'bytea' })
  linkHash: Buffer;
}
