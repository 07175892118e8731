import type { LabelData } from './domain/label';
import { LABEL_CAPTIONS_ZH, missingLabelFields } from './domain/label';
import type { CascadeProductView, LabelDocumentView, SourceView } from './dto';

export interface ProductRow {
  code: string;
  enterprise_id: string;
  client_product_id: string | null;
  code_source: string;
  reuse_level: string;
  application_field: string;
  nominal_capacity_ah: number;
  nominal_voltage_v: number;
  rated_energy_kwh: number | null;
  gtin: string | null;
  warranty_months: number;
  certification: string | null;
  firm_name: string;
  firm_address: string | null;
  place_of_origin: string | null;
  event_id: string;
  assembled_at: Date;
  status: string;
  holder_enterprise_id: string | null;
}

export const PRODUCT_COLUMNS = `p.code, p.enterprise_id, p.client_product_id, p.code_source, p.reuse_level, p.application_field, p.nominal_capacity_ah,
  p.nominal_voltage_v, p.rated_energy_kwh, p.gtin, p.warranty_months, p.certification, p.firm_name, p.firm_address, p.place_of_origin, p.event_id,
  p.assembled_at, b.status, b.holder_enterprise_id`;
/** Products with their ledger state. */
export const PRODUCTS_FROM = 'cascade_products p JOIN batteries b ON b.code = p.code';

export function labelData(
  p: Pick<ProductRow, 'code' | 'nominal_capacity_ah' | 'nominal_voltage_v' | 'firm_name' | 'firm_address' | 'place_of_origin' | 'gtin'>,
  originalCodes: string[],
): LabelData {
  return {
    nominalCapacityAh: p.nominal_capacity_ah,
    nominalVoltageV: p.nominal_voltage_v,
    firmName: p.firm_name,
    firmAddress: p.firm_address,
    placeOfOrigin: p.place_of_origin,
    traceCode: p.code,
    originalCodes,
    gtin: p.gtin,
  };
}

export function toLabelDocument(p: ProductRow, originalCodes: string[]): LabelDocumentView {
  const fields = labelData(p, originalCodes);
  const missing = missingLabelFields(fields);
  return {
    code: p.code,
    fields,
    missing,
    complete: missing.length === 0,
    captions: { ...LABEL_CAPTIONS_ZH },
    warrantyMonths: p.warranty_months,
    certification: p.certification,
  };
}

export function toProductView(p: ProductRow, sources: SourceView[]): CascadeProductView {
  return {
    code: p.code,
    codeSource: p.code_source,
    enterpriseId: p.enterprise_id,
    clientProductId: p.client_product_id,
    reuseLevel: p.reuse_level,
    applicationField: p.application_field,
    nominalCapacityAh: p.nominal_capacity_ah,
    nominalVoltageV: p.nominal_voltage_v,
    ratedEnergyKwh: p.rated_energy_kwh,
    gtin: p.gtin,
    warrantyMonths: p.warranty_months,
    certification: p.certification,
    assembledAt: new Date(p.assembled_at).toISOString(),
    eventId: p.event_id,
    sources,
    label: toLabelDocument(
      p,
      sources.map((s) => s.code),
    ),
    status: p.status,
    holderId: p.holder_enterprise_id,
  };
}
