import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A part (cell or module) inside a module or pack, from one event to another. */
@Entity('battery_components')
@Index('battery_components_parent_idx', { synchronize: false })
@Index('battery_components_current_key', { synchronize: false })
export class BatteryComponent {
  @PrimaryColumn({ name: 'child_code', type: 'varchar', length: 24 })
  childCode: string;

  @PrimaryColumn({ name: 'start_event_id', type: 'uuid' })
  startEventId: string;

  @Column({ name: 'parent_code', type: 'varchar', length: 24 })
  parentCode: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'end_event_id', type: 'uuid', nullable: true })
  endEventId: string | null;
}

/** An original battery regrouped into a cascade product (append-only). */
@Entity('battery_origins')
@Index('battery_origins_original_idx', { synchronize: false })
export class BatteryOrigin {
  @PrimaryColumn({ name: 'cascade_code', type: 'varchar', length: 24 })
  cascadeCode: string;

  @PrimaryColumn({ name: 'original_code', type: 'varchar', length: 24 })
  originalCode: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'assembled_at', type: 'timestamptz' })
  assembledAt: Date;
}

/** An enterprise that produced, held, received or reported about a battery (append-only). Keyed enterprise first. */
@Entity('battery_parties')
export class BatteryParty {
  @PrimaryColumn({ name: 'enterprise_id', type: 'uuid' })
  enterpriseId: string;

  @PrimaryColumn({ name: 'battery_code', type: 'varchar', length: 24 })
  batteryCode: string;

  @Column({ name: 'first_event_id', type: 'uuid' })
  firstEventId: string;

  @Column({ name: 'first_at', type: 'timestamptz' })
  firstAt: Date;
}
