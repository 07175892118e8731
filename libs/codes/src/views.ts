import type { CodingRule } from './coding-rule.entity';
import type { CodingRuleView, ManufacturerCodeView } from './dto';

export interface ManufacturerCodeRow {
  code: string;
  enterprise_id: string;
  enterprise_name: string;
  certificate_date: string;
  certificate_number: string | null;
  created_at: Date;
}

export function toManufacturerCodeView(r: ManufacturerCodeRow): ManufacturerCodeView {
  return {
    code: r.code,
    enterpriseId: r.enterprise_id,
    enterpriseName: r.enterprise_name,
    certificateDate: r.certificate_date,
    certificateNumber: r.certificate_number,
    createdAt: r.created_at.toISOString(),
  };
}

export function toCodingRuleView(r: CodingRule): CodingRuleView {
  return {
    id: r.id,
    enterpriseId: r.enterpriseId,
    manufacturerCode: r.manufacturerCode,
    specificationCode: r.specificationCode,
    version: r.version,
    validFrom: r.validFrom,
    form: r.form,
    productType: r.productType,
    batteryType: r.batteryType,
    shape: r.shape,
    dimensions: { lengthMm: r.lengthMm, widthMm: r.widthMm, heightMm: r.heightMm, diameterMm: r.diameterMm },
    ratedCapacityAh: r.ratedCapacityAh,
    nominalVoltageV: r.nominalVoltageV,
    ratedEnergyKwh: r.ratedEnergyKwh,
    seriesCount: r.seriesCount,
    parallelCount: r.parallelCount,
    reratedCapacityAh: r.reratedCapacityAh,
    keyMaterials: r.keyMaterials,
    traceabilityScheme: r.traceabilityScheme,
    notes: r.notes,
    filedAt: r.filedAt.toISOString(),
  };
}
