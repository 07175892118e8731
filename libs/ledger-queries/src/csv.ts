import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { spreadsheetSafe } from '#libs/common';

/** A text cell that a spreadsheet would run as a formula gets a leading apostrophe (spreadsheetSafe, libs/common). */
export const neutraliseCell = spreadsheetSafe;

/** Rows from an async source as a CSV download (UTF-8 with BOM, CRLF, every text cell neutralised), with back-pressure. */
export function csvStream(columns: string[], rows: () => AsyncGenerator<(string | number | null)[]>): Readable {
  async function* cells(): AsyncGenerator<string[]> {
    for await (const row of rows()) yield row.map((v) => (v === null ? '' : typeof v === 'number' ? String(v) : neutraliseCell(v)));
  }
  const csv = stringify({ header: true, columns, bom: true, record_delimiter: '\r\n' });
  const source = Readable.from(cells());
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}

/** An instant filter (see INSTANT in dto.ts) as ISO text, or null if it names no instant. Dates are Beijing midnight. */
export function parseInstant(value: string): string | null {
  const text = value.length === 10 ? `${value}T00:00:00+08:00` : value;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 30 February over into March: the date part must survive a round trip in its own offset.
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const shift = offset ? (offset[1] === '+' ? 1 : -1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000 : 0;
  if (new Date(ms + shift).toISOString().slice(0, 10) !== text.slice(0, 10)) return null;
  return new Date(ms).toISOString();
}
