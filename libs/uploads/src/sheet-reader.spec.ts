import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { UploadFailure, UploadFailureCode } from './errors';
import type { SheetRow, UploadFormat } from './sheet-reader';
import { deliverEveryZipEntry, detectCsvEncoding, excelSerialToDate, isDateFormat, MAX_CSV_RECORD_BYTES, readSheet, sniffFormat } from './sheet-reader';

async function rows(bytes: Buffer, format: UploadFormat, pieceSize = 7): Promise<SheetRow[]> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) pieces.push(bytes.subarray(i, i + pieceSize));
  const out: SheetRow[] = [];
  for await (const row of readSheet(() => Readable.from(pieces), format)) out.push(row);
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

    describe('text encoding', () => {
      /** GBK bytes, as Excel on Chinese Windows saves "CSV (逗号分隔)": 电池 B5E7 B3D8, 梯次利用 CCDD B4CE C0FB D3C3. */
      const gbk = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
      const gbkFile = gbk('type,reason\r\nrepaired,', [0xb5, 0xe7, 0xb3, 0xd8], '\r\nrecycled,"', [0xcc, 0xdd, 0xb4, 0xce, 0xc0, 0xfb, 0xd3, 0xc3], ', 2"\r\n');
      /** Pieces of n bytes, each time a new stream: what detectCsvEncoding's `open` gives. */
      const opener =
        (bytes: Buffer, n = 3) =>
        () =>
          Readable.from(Array.from({ length: Math.ceil(bytes.length / n) }, (_, i) => bytes.subarray(i * n, (i + 1) * n)));

      it('reads a GBK file (Excel\'s "CSV (逗号分隔)") as GB18030, characters split across pieces included', async () => {
        expect(await detectCsvEncoding(opener(gbkFile))).toBe('gb18030');
        const out: SheetRow[] = [];
        for await (const row of readSheet(opener(gbkFile, 1)(), 'csv', 'gb18030')) out.push(row);
        expect(out.map((r) => r.cells)).toEqual([
          ['type', 'reason'],
          ['repaired', '电池'],
          ['recycled', '梯次利用, 2'],
        ]);
      });

      it("reads GB18030's four-byte characters", async () => {
        const file = gbk('type,reason\nrepaired,', [0x95, 0x32, 0x82, 0x36], '\n');
        expect(await detectCsvEncoding(opener(file))).toBe('gb18030');
        const out: SheetRow[] = [];
        for await (const row of readSheet(opener(file, 2)(), 'csv', 'gb18030')) out.push(row);
        expect(out[1].cells).toEqual(['repaired', '\u{20000}']);
      });

      it('keeps UTF-8 for a UTF-8 file, however late its first character outside ASCII', async () => {
        expect(await detectCsvEncoding(opener(Buffer.from('type,reason\r\n' + 'repaired,x\r\n'.repeat(5000) + 'recycled,电池\r\n')))).toBe('utf-8');
        expect(await detectCsvEncoding(opener(Buffer.from('\uFEFFtype,reason\nrecycled,电池\n'), 1))).toBe('utf-8');
        expect(await detectCsvEncoding(opener(Buffer.from('type,reason\nrepaired,x\n')))).toBe('utf-8');
      });

      it('refuses a UTF-8 file with a stray byte instead of reading it as GB18030', async () => {
        const file = Buffer.concat([Buffer.from('type,reason\nrecycled,电池,中国\nrepaired,'), Buffer.from([0xe9]), Buffer.from(',x\n')]);
        const f = await failureOf(detectCsvEncoding(opener(file)));
        expect(f.code).toBe(UploadFailureCode.UNSUPPORTED_TEXT_ENCODING);
      });

      it('refuses a file in neither encoding, saying where and how to save it', async () => {
        const file = gbk('type,reason\nrepaired,ok\nrepaired,', [0xff, 0xfe], '\n');
        const f = await failureOf(detectCsvEncoding(opener(file)));
        expect(f.code).toBe(UploadFailureCode.UNSUPPORTED_TEXT_ENCODING);
        expect(f.message).toContain('neither UTF-8 nor GB18030');
        expect(f.message).toContain('CSV UTF-8');
        expect(f.details).toEqual([
          { path: expect.stringMatching(/^byte (2[0-9]|3[0-3])$/), reason: 'not UTF-8' },
          { path: expect.stringMatching(/^byte (2[0-9]|3[0-3])$/), reason: 'not GB18030' },
        ]);
      });

      it('refuses bytes outside the encoding it was told, never reading half the file', async () => {
        const f = await failureOf(rows(gbkFile, 'csv'));
        expect(f.code).toBe(UploadFailureCode.UNSUPPORTED_TEXT_ENCODING);
        expect(f.message).toContain('not UTF-8 throughout');
      });
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
      wb.addWorksheet('events').addRows([
        ['type', 'batteryCodes'],
        ['produced', 'X'],
      ]);
      wb.addWorksheet('columns').addRow(['documentation']);
      const bytes = Buffer.from(await wb.xlsx.writeBuffer());
      for (let i = 0; i < 30; i++) {
        const read = await rows(bytes, 'xlsx', 4096);
        expect(read.map((r) => r.cells)).toEqual([
          ['type', 'batteryCodes'],
          ['produced', 'X'],
        ]);
      }
    });

    it('hands every archive entry to a reader that pauses between entries, as exceljs does (exceljs#3064)', async () => {
      // The unzip stream exceljs streams through, resolved as exceljs resolves it.
      const unzipper = createRequire(require.resolve('exceljs'))('unzipper') as { Parse(o: object): NodeJS.ReadWriteStream & Readable };
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('events').addRows([
        ['type', 'batteryCodes'],
        ['produced', 'X'],
      ]);
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

    it("refuses a row numbered beyond a worksheet's last row (the number is stored as an integer)", async () => {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('events').addRows([
        ['type', 'batteryCodes'],
        ['produced', 'X'],
      ]);
      const bytes = Buffer.from(await wb.xlsx.writeBuffer());
      // A hand-made workbook's XML may number its rows anything: renumber row 2.
      const JSZip = createRequire(require.resolve('exceljs'))('jszip') as {
        loadAsync(
          b: Buffer,
        ): Promise<{ file(n: string): { async(t: 'string'): Promise<string> }; file(n: string, d: string): void; generateAsync(o: object): Promise<Buffer> }>;
      };
      const zip = await JSZip.loadAsync(bytes);
      const sheet = await zip.file('xl/worksheets/sheet1.xml').async('string');
      expect(sheet).toContain('r="2"');
      zip.file('xl/worksheets/sheet1.xml', sheet.replace(/<row r="2"/, '<row r="3000000000"').replace(/r="([A-Z]+)2"/g, 'r="$13000000000"'));
      const forged = await zip.generateAsync({ type: 'nodebuffer' });
      const f = await failureOf(rows(forged, 'xlsx', 4096));
      expect(f).toMatchObject({ code: UploadFailureCode.FILE_UNREADABLE, message: expect.stringContaining('rows 1 to 1048576') });
    });

    it('refuses a truncated workbook instead of waiting for the rest', async () => {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('events').addRows([
        ['type', 'batteryCodes'],
        ['produced', 'X'],
      ]);
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
