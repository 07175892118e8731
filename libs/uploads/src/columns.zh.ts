/**
 * Chinese column headers: a file may name any column by its Chinese name instead of the JSON field name (both are
 * matched ignoring case and surrounding spaces), and `?lang=zh-CN` templates use them. Names are those of the 2018
 * traceability provisions where they have one. A column without an entry here is named in English in both languages.
 */
export const COLUMN_NAMES_ZH: Readonly<Record<string, string>> = {
  type: '类型',
  batteryCodes: '电池编码',
  occurredAt: '发生时间',
  clientEventId: '客户事件编号',
  counterpartyUscc: '对方统一社会信用代码',
  regionCode: '行政区划代码',
  vin: '车辆识别代号',
  correctionOf: '更正事件编号',
  schemaVersion: '载荷版本',
  nominalCapacityAh: '标称容量(Ah)',
  nominalVoltageV: '标称电压(V)',
  ratedEnergyKwh: '额定能量(kWh)',
  massKg: '质量(kg)',
  parentCode: '上级编码',
  deliveryNoteNo: '送货单号',
  vehicleModel: '车型',
  certificateNo: '合格证编号',
  customsDeclarationNo: '报关单号',
  inspectionCertificateNo: '检验证书编号',
  buyerType: '购买方类型',
  invoiceNo: '销售发票号',
  description: '维修内容',
  faultCode: '故障代码',
  replacementCode: '替换电池编码',
  stationId: '换电站编号',
  outletId: '回收服务网点编号',
  scrapCertificateNo: '报废汽车回收证明编号',
  testRecordRef: '余能检测记录编号',
  sohPercent: '健康状态(%)',
  decision: '检测结论',
  cascadeCode: '梯次利用产品编码',
  application: '应用领域',
  customerName: '客户名称',
  method: '再生利用工艺',
  processedMassKg: '处理质量(kg)',
  recoveredLithiumKg: '回收锂(kg)',
  recoveredNickelKg: '回收镍(kg)',
  recoveredCobaltKg: '回收钴(kg)',
  recoveredManganeseKg: '回收锰(kg)',
  recoveredCopperKg: '回收铜(kg)',
  recoveredAluminiumKg: '回收铝(kg)',
  recoveredIronKg: '回收铁(kg)',
  recoveredGraphiteKg: '回收石墨(kg)',
  reason: '原因',
  field: '错误字段',
  correctValue: '正确值',
};

/** The header of a column in a template of the language. */
export function columnHeader(name: string, lang: TemplateLanguage): string {
  return lang === 'zh-CN' ? (COLUMN_NAMES_ZH[name] ?? name) : name;
}

export const TEMPLATE_LANGUAGES = ['en', 'zh-CN'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

/** How cells are read (CELL_RULES in templates.ts), for the documentation sheet of a Chinese XLSX template. */
export const CELL_RULES_ZH: readonly string[] = [
  '第一个非空行是表头：列名与 POST /v1/events 的 JSON 字段名相同（载荷字段各占一列），也可以用中文列名（见本表第一列）；不区分大小写。未知或重复的列名会使整个上传失败，并列出可用的列名。',
  '只读取 XLSX 工作簿的第一个工作表。CSV 文件以逗号分隔、按 RFC 4180 加引号，编码为 UTF-8（有无 BOM 均可）或 GB18030/GBK（中文 Windows 上 Excel、WPS 另存为“CSV（逗号分隔）”的编码）：编码按整个文件判断，并在上传结果的 textEncoding 中显示。',
  '空单元格表示没有该字段。整行为空的行会被跳过。结果中的行号与表格软件显示的行号一致。',
  '文本：去掉首尾空格；数字单元格按整数写出（编码类的列请在表格中设为“文本”格式，以保留前导零）。',
  '数字/整数：150、350.4、1e3，或数字单元格。',
  '日期：YYYY-MM-DD（也接受 YYYY/M/D 和 YYYYMMDD）或日期单元格。',
  '日期时间：ISO 8601（2026-05-01T10:00:00+08:00）；没有时区（2026-05-01 10:00）或为日期单元格时按北京时间（UTC+8）；只有日期时为当天零点。',
  "列表（电池编码）：一个单元格中的多个值，以 ';' 或 '|'（或换行）分隔。",
  '是/否：true/false、yes/no、1/0、是/否。',
  '某行的事件类型没有的载荷字段却填了值，该行会被拒绝。其他规则（必填字段、编码、统一社会信用代码、状态机）由台账按 POST /v1/events 的同样规则检查。',
];

/** The labels of the XLSX template's sheets and documentation columns. */
export const TEMPLATE_LABELS: Record<TemplateLanguage, Record<string, string>> = {
  en: {
    column: 'column',
    field: 'JSON field',
    requiredFor: 'required for',
    kind: 'kind',
    types: 'event types',
    description: 'description',
    enum: 'allowed values',
    everyType: 'every type',
    rule: 'rule',
    required: 'Required. ',
    type: 'type',
    typeDescription: 'description',
    chooseType: 'Choose an event type from the list',
    eventType: 'Event type',
  },
  'zh-CN': {
    column: '列名',
    field: 'JSON 字段',
    requiredFor: '必填的事件类型',
    kind: '字段种类',
    types: '适用的事件类型',
    description: '说明',
    enum: '允许的值',
    everyType: '所有类型',
    rule: '规则',
    required: '必填。',
    type: '事件类型',
    typeDescription: '说明',
    chooseType: '请从列表中选择事件类型',
    eventType: '事件类型',
  },
};
