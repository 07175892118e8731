/**
 * Decoding codes for people and for bulk checks: shared by `POST /v1/codes/decode` and the CLI's
 * `decode` command. Pure (no Nest, no database), so that the CLI can decode without starting anything.
 */
import type { CodeError, DecodedBatteryCode } from '#libs/battery-code';
import { normalise, parse } from '#libs/battery-code';

/** A code as given: one string, or the two printed fragments of a label (design part, production part). */
export type CodeInput = string | readonly string[];

export type DecodeItem = { input: CodeInput; ok: true; code: DecodedBatteryCode } | { input: CodeInput; ok: false; normalised: string; errors: CodeError[] };

/** Decodes one code (normalising it first, joining fragments), with `now` as today. */
export function decodeInput(input: CodeInput, now: Date = new Date()): DecodeItem {
  const text = typeof input === 'string' ? input : normalise(input);
  const result = parse(text, { now });
  if (result.ok) return { input, ok: true, code: result.code };
  return { input, ok: false, normalised: result.normalised, errors: result.errors };
}

const shown = (input: CodeInput): string => (typeof input === 'string' ? input : input.join(' | '));

function meaning(label: string, confirmed: boolean): string {
  return confirmed ? label : `${label} [meaning unconfirmed]`;
}

/** A human-readable block: a header line, then one indented line per field (or per error). */
export function formatDecodeBlock(item: DecodeItem): string {
  if (!item.ok) {
    const header = `${shown(item.input)}${item.normalised !== item.input ? ` (normalised: ${item.normalised || "''"})` : ''}`;
    const lines = [`${header}: INVALID (${item.errors.length} ${item.errors.length === 1 ? 'error' : 'errors'})`];
    for (const e of item.errors) lines.push(`  ${e.message}`);
    return lines.join('\n');
  }
  const c = item.code;
  const header = item.input === c.code ? c.code : `${shown(item.input)} -> ${c.code}`;
  const rows: [string, string][] = [
    ['manufacturer code', c.manufacturerCode],
    ['product type', `${c.productType.symbol} = ${meaning(`${c.productType.name} (${c.productType.nameZh})`, c.productType.confidence === 'confirmed')}`],
    ['battery type', `${c.batteryType.letter} = ${meaning(`${c.batteryType.meaning} (${c.batteryType.meaningZh})`, c.batteryType.confidence === 'confirmed')}`],
    ['specification code', c.specificationCode],
    ['traceability code', c.traceabilityCode ?? '- (a cascade code has none)'],
    ['production date', c.productionDate],
    ['serial number', c.serial],
  ];
  if (c.form === 'cascade') rows.push(['cascade level', `${c.cascadeLevel} [meaning unconfirmed]`]);
  rows.push(['code tables', c.tablesVersion]);
  const lines = [`${header}: valid ${c.form} code`];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(20)}${value}`);
  return lines.join('\n');
}

/** Column names of formatTsvLine, for the header line of a bulk check. */
export const TSV_COLUMNS = [
  'input',
  'status',
  'code',
  'form',
  'manufacturer',
  'product_type',
  'battery_type',
  'specification',
  'traceability',
  'production_date',
  'serial',
  'errors',
] as const;

/** Tabs and line breaks inside a field would break the columns. */
const field = (value: string): string => value.replace(/[\t\r\n]/g, ' ');

/** One tab-separated line per code (see TSV_COLUMNS); errors are joined with '; '. */
export function formatTsvLine(item: DecodeItem): string {
  if (!item.ok) {
    return [shown(item.input), 'error', item.normalised, '', '', '', '', '', '', '', '', item.errors.map((e) => e.message).join('; ')].map(field).join('\t');
  }
  const c = item.code;
  return [
    shown(item.input),
    'ok',
    c.code,
    c.form,
    c.manufacturerCode,
    c.productType.symbol,
    c.batteryType.letter,
    c.specificationCode,
    c.traceabilityCode ?? '',
    c.productionDate,
    c.serial,
    '',
  ]
    .map(field)
    .join('\t');
}

/** One JSON object per line. */
export function formatJsonLine(item: DecodeItem): string {
  return JSON.stringify(item);
}

export interface DecodeSummary {
  total: number;
  valid: number;
  invalid: number;
  /** How many errors each segment had (e.g. { day: 3, length: 1 }). */
  errorsBySegment: Record<string, number>;
}

export function emptySummary(): DecodeSummary {
  return { total: 0, valid: 0, invalid: 0, errorsBySegment: {} };
}

/** Adds one item to a running summary (bulk input is processed as a stream). */
export function addToSummary(summary: DecodeSummary, item: DecodeItem): DecodeSummary {
  summary.total++;
  if (item.ok) summary.valid++;
  else {
    summary.invalid++;
    for (const e of item.errors) summary.errorsBySegment[e.segment] = (summary.errorsBySegment[e.segment] ?? 0) + 1;
  }
  return summary;
}

export function formatSummary(s: DecodeSummary): string {
  const segments = Object.entries(s.errorsBySegment).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const line = `${s.total} ${s.total === 1 ? 'code' : 'codes'}: ${s.valid} valid, ${s.invalid} invalid`;
  return segments.length === 0 ? line : `${line} (errors by segment: ${segments.map(([k, n]) => `${k} ${n}`).join(', ')})`;
}

/** Lines of a scanner export worth decoding: without line-break characters, blank lines skipped. */
export function codeLine(line: string): string | null {
  const text = line.replace(/[\r\n]+$/, '');
  return text.trim() === '' ? null : text;
}
