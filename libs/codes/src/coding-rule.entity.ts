import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const RULE_FORMS = ['original', 'cascade'] as const;
export type RuleForm = (typeof RULE_FORMS)[number];

export const CELL_SHAPES = ['prismatic', 'cylindrical', 'pouch', 'other'] as const;
export type CellShape = (typeof CELL_SHAPES)[number];

/** PostgreSQL `numeric` comes back as a string; these values are small decimals. */
const decimal = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

export interface KeyMaterials {
  cathode?: string;
  anode?: string;
  separator?: string;
  electrolyte?: string;
}

/**
 * One filing (编码规则备案) of what a specification code (positions 6–7) of one manufacturer code
 * means, valid from a date. Append-only (a trigger refuses UPDATE and DELETE): a correction or a
 * change is a new filing with the next `version`. The rule in force on a date is the filing with the
 * latest `validFrom` not after that date, and among filings with that `validFrom` the highest version.
 */
@Entity('coding_rules')
@Index('coding_rules_version_key', ['manufacturerCode', 'specificationCode', 'version'], { unique: true })
@Index('coding_rules_enterprise_idx', ['enterpriseId', 'manufacturerCode', 'specificationCode', 'validFrom', 'version'])
export class CodingRule {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'enterprise_id', type: 'uuid' })
  enterpriseId: string;

  @Column({ name: 'manufacturer_code', type: 'char', length: 3 })
  manufacturerCode: string;

  @Column({ name: 'specification_code', type: 'char', length: 2 })
  specificationCode: string;

  /** 1, 2, 3 … per (manufacturer code, specification code), in filing order. */
  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'valid_from', type: 'date' })
  validFrom: string;

  /** Whether the rule describes original products or cascade-utilisation (梯次利用) products. */
  @Column({ type: 'text' })
  form: RuleForm;

  /** P / M / C when the specification code is for one product level only. */
  @Column({ name: 'product_type', type: 'char', length: 1, nullable: true })
  productType: string | null;

  /** Battery-type letter (position 5) the specification code is used with. */
  @Column({ name: 'battery_type', type: 'char', length: 1 })
  batteryType: string;

  @Column({ type: 'text', nullable: true })
  shape: CellShape | null;

  @Column({ name: 'length_mm', type: 'numeric', nullable: true, transformer: decimal })
  lengthMm: number | null;

  @Column({ name: 'width_mm', type: 'numeric', nullable: true, transformer: decimal })
  widthMm: number | null;

  @Column({ name: 'height_mm', type: 'numeric', nullable: true, transformer: decimal })
  heightMm: number | null;

  @Column({ name: 'diameter_mm', type: 'numeric', nullable: true, transformer: decimal })
  diameterMm: number | null;

  @Column({ name: 'rated_capacity_ah', type: 'numeric', nullable: true, transformer: decimal })
  ratedCapacityAh: number | null;

  @Column({ name: 'nominal_voltage_v', type: 'numeric', nullable: true, transformer: decimal })
  nominalVoltageV: number | null;

  @Column({ name: 'rated_energy_kwh', type: 'numeric', nullable: true, transformer: decimal })
  ratedEnergyKwh: number | null;

  /** Cascade products: cells in series / in parallel (单体串并联方式). */
  @Column({ name: 'series_count', type: 'int', nullable: true })
  seriesCount: number | null;

  @Column({ name: 'parallel_count', type: 'int', nullable: true })
  parallelCount: number | null;

  /** Cascade products: the newly rated capacity (梯级利用新标定的额定容量). */
  @Column({ name: 'rerated_capacity_ah', type: 'numeric', nullable: true, transformer: decimal })
  reratedCapacityAh: number | null;

  /** Cells: the four key materials (四大关键材料). */
  @Column({ name: 'key_materials', type: 'jsonb', nullable: true })
  keyMaterials: KeyMaterials | null;

  /** How the traceability code (positions 8–14) is composed; original products only. */
  @Column({ name: 'traceability_scheme', type: 'text', nullable: true })
  traceabilityScheme: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'filed_at', type: 'timestamptz', default: () => 'now()' })
  filedAt: Date;
}
