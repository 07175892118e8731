import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A supervising authority: reads across enterprises, optionally within one region, never writes traceability data. */
@Entity('regulators')
export class Regulator {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** GB/T 2260 prefix limiting what it sees: 2 digits = a province, 4 = a prefecture; null = nationwide. */
  @Column({ name: 'region_prefix', type: 'varchar', length: 6, nullable: true })
  regionPrefix: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
