import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { UploadFailure, UploadFailureCode } from './errors';
import { deliverEveryZipEntry, excelSerialToDate, isDateFormat, MAX_CSV_RECORD_BYTES, readSheet, SheetRow, sniffFormat, UploadFormat } from './sheet-reader';

async function rows(bytes: Buffer, format: UploadFormat, pieceSize = 7): Promise<SheetRow[]> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) pieces.push(bytes.subarray(i, i + pieceSize));
  const out: SheetRow[] = [];
  for await (const row of readSheet(Readable.from(pieces), format)) out.push(row);
  return out;
}

async function failureOf(promise: Promise<unknown>): Promise<UploadFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UploadFailure) return error;
    throw error;
  }
  throw new Error('expected an UploadFailure');
}

describe('reading upload files as rows', () => {
  it('tells XLSX (a ZIP archive) from CSV by the first bytes', () => {
    expect(sniffFormat(Buffer.from('PK\x03\x04rest', 'latin1'))).toBe('xlsx');
    expect(sniffFormat(Buffer.from('type,batteryCodes\n'))).toBe('csv');
    expect(sniffFormat(Buffer.alloc(0))).toBe('csv');
  });

  describe('CSV', () => {
    it('drops a BOM, keeps quoted commas and line breaks, numbers rows as a spreadsheet does', async () => {
      const text = '\uFEFFtype,reason\r\nrepaired,"cell 3, replaced"\r\n\r\nrepaired,"two\nlines"\r\nrecycled,电池\r\n';
      // Pieces of 1 byte split every multi-byte character, the BOM included.
      expect(await rows(Buffer.from(text, 'utf8'), 'csv', 1)).toEqual([
        { rowNo: 1, cells: ['type', 'reason'] },
        { rowNo: 2, cells: ['repaired', 'cell 3, replaced'] },
        { rowNo: 3, cells: [''] },
        { rowNo: 4, cells: ['repaired', 'two\nlines'] },
        { rowNo: 5, cells: ['recycled', '电池'] },
      ]);
    });

    it('accepts rows shorter or longer than the header (the row mapping judges them)', async () => {
      expect((await rows(Buffer.from('a,b,c\n1\n1,2,3,4\n'), 'csv')).map((r) => r.cells.length)).toEqual([3, 1, 4]);
    });

    it('refuses a file that is not UTF-8, saying how to save it', async () => {
      const gbk = Buffer.concat([Buffer.from('type,reason\nrepaired,'), Buffer.from([0xb5, 0xe7, 0xb3, 0xd8]), Buffer.from('\n')]);
      const f = await failureOf(rows(gbk, 'csv'));
      expect(f.code).toBe(UploadFailureCode.NOT_UTF8);
      expect(f.message).toContain('CSV UTF-8');
    });

    it('refuses a runaway quoted field instead of buffering the rest of the file', async () => {
      const text = 'type,reason\nrepaired,"never closed\n' + 'x'.repeat(MAX_CSV_RECORD_BYTES + 10);
      const f = await failureOf(rows(Buffer.from(text), 'csv', 64 * 1024));
      expect(f.code).toBe(UploadFailureCode.FILE_UNREADABLE);
      expect(f.message).toMatch(/^The CSV file cannot be read \(line 3\): Max Record Size/);
    });
  });

  describe('XLSX', () => {
    async function workbook(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
      const wb = new ExcelJS.Workbook();
      fill(wb);
      return Buffer.from(await wb.xlsx.writeBuffer());
    }

    it('reads the first worksheet with typed cells: text, numbers, dates, rich text, formulas, errors', async () => {
      const file = await workbook((wb) => {
        const ws = wb.addWorksheet('events');
        ws.addRow(['type', 'occurredAt', 'processedMassKg', 'reason', 'clientEventId']);
        const when = new Date(Date.UTC(2026, 4, 1, 10, 30));
        ws.addRow(['recycled', when, 420.5, { richText: [{ text: 'hydro ' }, { text: 'line 2', font: { bold: true } }] }, 12345]);
        const r = ws.addRow(['recycled', null, { formula: '1+1', result: 2 }, { error: '#N/A' }, { text: 'link', hyperlink: 'https://example.cn' }]);
        // A formula whose result is formatted as a date is a date.
        r.getCell(2).value = { formula: 'DATE(2026,5,2)', result: 46144 } as ExcelJS.CellFormulaValue;
        r.getCell(2).numFmt = 'yyyy-mm-dd';
        ws.addRow([]);
        ws.getRow(6).values = ['recycled'];
        wb.addWorksheet('columns').addRow(['documentation', 'is', 'not', 'data']);
      });
      expect(sniffFormat(file)).toBe('xlsx');
      const out = await rows(file, 'xlsx', 4096);
      expect(out.map((r) => r.rowNo)).toEqual([1, 2, 3, 6]);
      expect(out[0].cells).toEqual(['type', 'occurredAt', 'processedMassKg', 'reason', 'clientEventId']);
      expect(out[1].cells).toEqual(['recycled', new Date(Date.UTC(2026, 4, 1, 10, 30)), 420.5, 'hydro line 2', 12345]);
      expect(out[2].cells).toEqual(['recycled', new Date(Date.UTC(2026, 4, 2)), 2, { error: '#N/A' }, 'link']);
      expect(out[3].cells).toEqual(['recycled']);
    });

    it('reads exceljs-written workbooks every time, whatever the order of their parts (exceljs#3064)', async () => {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('events').addRows([['type', 'batteryCodes'], ['produced', 'X']]);
      wb.addWorksheet('columns').addRow(['documentation']);
      const bytes = Buffer.from(await wb.xlsx.writeBuffer());
      for (let i = 0; i < 30; i++) {
        const read = await rows(bytes, 'xlsx', 4096);
        expect(read.map((r) => r.cells)).toEqual([['type', 'batteryCodes'], ['produced', 'X']]);
      }
    });

    it('hands every archive entry to a reader that pauses between entries, as exceljs does (exceljs#3064)', async () => {
      // The unzip stream exceljs streams through, resolved as exceljs resolves it.
      const unzipper = createRequire(require.resolve('exceljs'))('unzipper') as { Parse(o: object): NodeJS.ReadWriteStream & Readable };
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('events').addRows([['type', 'batteryCodes'], ['produced', 'X']]);
      const bytes = Buffer.from(await wb.xlsx.writeBuffer());
      const entriesBeforeEnd = async (input: Readable) => {
        const zip = unzipper.Parse({ forceStream: true });
        input.pipe(zip);
        const seen: string[] = [];
        // The worst case, made certain rather than left to timing: each pause lasts until the unzip stream has
        // taken all of its input ('finish'), which is when unzipper emits its early 'end'.
        const inputTaken = new Promise<void>((resolve) => zip.once('finish', () => resolve()));
        await new Promise<void>((resolve, reject) => {
          zip.on('data', (entry: { path: string; autodrain(): void }) => {
            zip.pause();
            seen.push(entry.path);
            entry.autodrain();
            void inputTaken.then(() => zip.resume());
          });
          zip.on('end', () => resolve());
          zip.on('error', reject);
        });
        return seen;
      };
      const all = ['[Content_Types].xml', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml', 'xl/styles.xml'];
      // Without the guard the stream ends while entries still wait in its buffer (this is the bug guarded against).
      expect(await entriesBeforeEnd(Readable.from([bytes]))).not.toEqual(expect.arrayContaining(all));
      for (let i = 0; i < 5; i++) expect(await entriesBeforeEnd(deliverEveryZipEntry(Readable.from([bytes])))).toEqual(expect.arrayContaining(all));
    });

    it('refuses what is not a workbook', async () => {
      const f = await failureOf(rows(Buffer.from('PK\x03\x04 garbage that is no zip', 'latin1'), 'xlsx'));
      expect(f.code).toBe(UploadFailureCode.FILE_UNREADABLE);
    });

    it('refuses a truncated workbook instead of waiting for the rest', async () => {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('events').addRows([['type', 'batteryCodes'], ['produced', 'X']]);
      const bytes = Buffer.from(await wb.xlsx.writeBuffer());
      for (const cut of [bytes.length - 30, Math.floor(bytes.length / 2), 100]) {
        const f = await failureOf(rows(bytes.subarray(0, cut), 'xlsx', 4096));
        expect(f.code).toBe(UploadFailureCode.FILE_UNREADABLE);
      }
    });

    it('recognises date number formats and Excel serial days', () => {
      expect(['yyyy-mm-dd', 'm/d/yy h:mm', '[$-804]yyyy"年"m"月"d"日"'].map(isDateFormat)).toEqual([true, true, true]);
      expect(['General', '0.00', '"kg"0', '[Red]0.0', undefined].map(isDateFormat)).toEqual([false, false, false, false, false]);
      expect(excelSerialToDate(46143, false).toISOString()).toBe('2026-05-01T00:00:00.000Z');
      expect(excelSerialToDate(46143.5, false).toISOString()).toBe('2026-05-01T12:00:00.000Z');
    });
  });
});
