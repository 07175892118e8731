import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import { UploadFailure, UploadFailureCode } from './errors';
import type { SheetReadStats } from './sheet-reader';
import { readSheet } from './sheet-reader';
import type { XlsxLimits } from './xlsx-limits';
import { DEFAULT_XLSX_LIMITS, HELD_BYTES_PER_STRING, HeldBytes, XLSX_MAX_ROW_BYTES } from './xlsx-limits';

/** A stored-or-deflated ZIP of the given entries (enough of the format for a streaming reader). */
function zip(entries: [string, string | Buffer][]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const raw = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const data = deflateRawSync(raw, { level: 1 });
    const n = Buffer.from(name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8);
    h.writeUInt32LE(data.length, 18);
    h.writeUInt32LE(raw.length, 22);
    h.writeUInt16LE(n.length, 26);
    out.push(h, n, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(raw.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, cd, end]);
}

const sheet = (rows: string) => `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;
const strings = (n: number, text = 'a') => `<sst>${`<si><t>${text}</t></si>`.repeat(n)}</sst>`;

async function failure(file: Buffer, limits: Partial<XlsxLimits>): Promise<UploadFailure> {
  try {
    for await (const row of readSheet(() => Readable.from([file]), 'xlsx', 'utf-8', { ...DEFAULT_XLSX_LIMITS, ...limits })) void row;
  } catch (error) {
    if (error instanceof UploadFailure) return error;
    throw error;
  }
  throw new Error('the workbook was read');
}

describe('XLSX unpacking limits', () => {
  const ok = (n: number) => sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>type</t></is></c></row>`.repeat(n));

  it('reads a workbook within the limits', async () => {
    const rows = [];
    for await (const row of readSheet(
      () =>
        Readable.from([
          zip([
            ['xl/worksheets/sheet1.xml', ok(1)],
            ['xl/sharedStrings.xml', strings(3)],
          ]),
        ]),
      'xlsx',
    ))
      rows.push(row);
    expect(rows).toEqual([{ rowNo: 1, cells: ['type'] }]);
  });

  it('bounds what one entry inflates to', async () => {
    const f = await failure(zip([['xl/worksheets/sheet1.xml', ok(2000)]]), { maxEntryBytes: 10_000 });
    expect(f).toMatchObject({ code: UploadFailureCode.FILE_TOO_LARGE_WHEN_UNPACKED, details: [{ path: 'xl/worksheets/sheet1.xml', limit: 10_000 }] });
  });

  it('bounds all entries together, the number of entries, and the shared strings by count and by size', async () => {
    const many = zip(Array.from({ length: 6 }, (_, i) => [`xl/media/image${i}.bin`, Buffer.alloc(5000)] as [string, Buffer]));
    expect(await failure(many, { maxTotalBytes: 20_000 })).toMatchObject({
      code: 'FILE_TOO_LARGE_WHEN_UNPACKED',
      details: [{ path: 'archive', limit: 20_000 }],
    });
    expect(await failure(many, { maxEntries: 5 })).toMatchObject({ code: 'FILE_TOO_LARGE_WHEN_UNPACKED', details: [{ path: 'archive', limit: 5 }] });
    const book = (sst: string) =>
      zip([
        ['xl/worksheets/sheet1.xml', ok(1)],
        ['xl/sharedStrings.xml', sst],
      ]);
    expect(await failure(book(strings(101)), { maxSharedStrings: 100 })).toMatchObject({ details: [{ path: 'xl/sharedStrings.xml', limit: 100 }] });
    // Counted across chunk boundaries: 100 strings exactly pass, whatever the piece size.
    for await (const row of readSheet(() => Readable.from(chunks(book(strings(100)), 7)), 'xlsx', 'utf-8', { ...DEFAULT_XLSX_LIMITS, maxSharedStrings: 100 }))
      void row;
    expect(await failure(book(strings(10, 'x'.repeat(1000))), { maxSharedStringsBytes: 5000 })).toMatchObject({
      details: [{ path: 'xl/sharedStrings.xml', limit: 5000 }],
    });
  });

  it('counts what the reader holds at once (shared strings, the row being read), reports the peak, and refuses a workbook that needs more than maxHeldBytes', async () => {
    const perString = HELD_BYTES_PER_STRING + 2 * 100;
    const worksheet = ok(3);
    const book = zip([
      ['xl/worksheets/sheet1.xml', worksheet],
      ['xl/sharedStrings.xml', strings(10, 'x'.repeat(100))],
    ]);
    // Within the ceiling: the peak is the whole table and at most the XML after the last <row tag.
    const stats: SheetReadStats = {};
    const limits = { ...DEFAULT_XLSX_LIMITS, maxHeldBytes: 10 * perString + 1000 };
    let rows = 0;
    for await (const row of readSheet(() => Readable.from(chunks(book, 64)), 'xlsx', 'utf-8', limits, stats)) rows += row.cells.length;
    expect(rows).toBe(3);
    expect(stats.heldPeakBytes).toBeGreaterThan(10 * perString);
    expect(stats.heldPeakBytes).toBeLessThanOrEqual(10 * perString + worksheet.length);
    // Past it: refused at the string that would cross it, the peak (what was held) under the ceiling.
    const f = await failure(book, { maxHeldBytes: 8 * perString + 10 });
    expect(f).toMatchObject({
      code: UploadFailureCode.FILE_TOO_LARGE_WHEN_UNPACKED,
      details: [{ path: 'xl/sharedStrings.xml', limit: 8 * perString + 10, heldPeakBytes: 8 * perString }],
    });
    expect(f.details[0].reason).toMatch(/in memory/);
    // A long row counts too (long before the 4 MiB row rule).
    const wide = sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${'x'.repeat(20_000)}</t></is></c></row>`);
    const g = await failure(zip([['xl/worksheets/sheet1.xml', wide]]), { maxHeldBytes: 5000 });
    expect(g).toMatchObject({ details: [{ path: 'xl/worksheets/sheet1.xml', limit: 5000 }] });
    expect(g.details[0].heldPeakBytes).toBeLessThanOrEqual(5000);
  });

  it('counts a rich-text string by its runs, an empty one by its overhead, and keeps the peak when a row shrinks', () => {
    const held = new HeldBytes(1000);
    held.addString('xl/sharedStrings.xml', { richText: [{ text: 'ab' }, { text: 'c' }] });
    expect(held.peak).toBe(3 * HELD_BYTES_PER_STRING + 2 * 3);
    held.addString('xl/sharedStrings.xml', null);
    expect(held.peak).toBe(4 * HELD_BYTES_PER_STRING + 6);
    held.setRow('xl/worksheets/sheet1.xml', 500);
    held.setRow('xl/worksheets/sheet1.xml', 10);
    expect(held.peak).toBe(4 * HELD_BYTES_PER_STRING + 6 + 500);
    expect(() => held.setRow('xl/worksheets/sheet1.xml', 1000)).toThrow(UploadFailure);
    expect(held.peak).toBe(4 * HELD_BYTES_PER_STRING + 6 + 500);
  });

  it('refuses a row of endless XML rather than reading it whole', async () => {
    const long = sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${'x'.repeat(XLSX_MAX_ROW_BYTES + 10)}</t></is></c></row>`);
    expect(await failure(zip([['xl/worksheets/sheet1.xml', long]]), {})).toMatchObject({
      details: [{ path: 'xl/worksheets/sheet1.xml', limit: XLSX_MAX_ROW_BYTES }],
    });
  });
});

function chunks(b: Buffer, n: number): Buffer[] {
  return Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n));
}
