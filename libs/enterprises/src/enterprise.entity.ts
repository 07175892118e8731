import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** The actors of the traceability system (the parties named in the 2018 provisions and 2026 measures). */
export const ENTERPRISE_ROLES = [
  'battery_maker',
  'vehicle_maker',
  'importer',
  'dealer',
  'repairer',
  'leasing',
  'swap_operator',
  'dismantler',
  'cascade_utiliser',
  'recycler',
] as const;
export type EnterpriseRole = (typeof ENTERPRISE_ROLES)[number];

/** Status on the MIIT industry-conditions whitelist (综合利用行业规范条件). */
export const WHITELIST_STATUSES = ['not_listed', 'listed', 'removed'] as const;
export type WhitelistStatus = (typeof WHITELIST_STATUSES)[number];
export const WHITELIST_VERSIONS = ['2019', '2024'] as const;

@Entity('enterprises')
export class Enterprise {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** 统一社会信用代码, validated with its GB 32100 check character. */
  @Column({ type: 'char', length: 18, unique: true })
  uscc: string;

  @Column({ type: 'text', array: true })
  roles: EnterpriseRole[];

  @Column({ type: 'text', nullable: true })
  address: string | null;

  /** GB/T 2260 administrative-division code (6 digits). */
  @Column({ name: 'region_code', type: 'char', length: 6, nullable: true })
  regionCode: string | null;

  @Column({ name: 'contact_name', type: 'text', nullable: true })
  contactName: string | null;

  @Column({ name: 'contact_phone', type: 'text', nullable: true })
  contactPhone: string | null;

  @Column({ name: 'contact_email', type: 'text', nullable: true })
  contactEmail: string | null;

  @Column({ name: 'whitelist_status', type: 'text', default: 'not_listed' })
  whitelistStatus: WhitelistStatus;

  @Column({ name: 'whitelist_version', type: 'text', nullable: true })
  whitelistVersion: '2019' | '2024' | null;

  /** The announcement (公告) batch that listed or removed the firm. */
  @Column({ name: 'whitelist_batch', type: 'text', nullable: true })
  whitelistBatch: string | null;

  @Column({ name: 'qms_certificate_no', type: 'text', nullable: true })
  qmsCertificateNo: string | null;

  @Column({ name: 'qms_certificate_valid_until', type: 'date', nullable: true })
  qmsCertificateValidUntil: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
