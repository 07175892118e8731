/**
 * The label of a cascade product (梯次利用管理办法 art. 15): at least the nominal capacity, nominal voltage,
 * the cascade firm's name and address, the place of origin, the trace code (the GB/T 34014 cascade code) and the
 * retained original codes, plus the commodity barcode (GTIN). A product whose label lacks one cannot ship.
 */
export const LABEL_FIELDS = ['nominalCapacityAh', 'nominalVoltageV', 'firmName', 'firmAddress', 'placeOfOrigin', 'traceCode', 'originalCodes', 'gtin'] as const;
export type LabelField = (typeof LABEL_FIELDS)[number];

/** The Chinese captions printed on the label. */
export const LABEL_CAPTIONS_ZH: Record<LabelField, string> = {
  nominalCapacityAh: '标称容量',
  nominalVoltageV: '标称电压',
  firmName: '梯次利用企业名称',
  firmAddress: '地址',
  placeOfOrigin: '产品产地',
  traceCode: '溯源编码',
  originalCodes: '原动力蓄电池编码',
  gtin: '商品条码',
};

export interface LabelData {
  nominalCapacityAh: number | null;
  nominalVoltageV: number | null;
  firmName: string | null;
  firmAddress: string | null;
  placeOfOrigin: string | null;
  traceCode: string | null;
  originalCodes: string[];
  gtin: string | null;
}

/** The required fields that are absent or empty, in label order. */
export function missingLabelFields(label: LabelData): LabelField[] {
  return LABEL_FIELDS.filter((f) => {
    const v = label[f];
    return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
  });
}
