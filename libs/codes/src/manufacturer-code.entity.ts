import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A manufacturer code (厂商代码, positions 1–3 of a battery code), allocated by the 编码备案系统 of
 * 中机中心 with a certificate (汽车动力蓄电池企业厂商代码证) and recorded here by an administrator.
 * Each code belongs to exactly one enterprise (a battery maker or a cascade utiliser); an enterprise
 * may hold several.
 */
@Entity('manufacturer_codes')
@Index('manufacturer_codes_enterprise_idx', ['enterpriseId', 'code'])
export class ManufacturerCode {
  @PrimaryColumn({ type: 'char', length: 3 })
  code: string;

  @Column({ name: 'enterprise_id', type: 'uuid' })
  enterpriseId: string;

  /** Date on the allocation certificate (ISO date). */
  @Column({ name: 'certificate_date', type: 'date' })
  certificateDate: string;

  @Column({ name: 'certificate_number', type: 'text', nullable: true })
  certificateNumber: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
