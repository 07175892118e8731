import { TextDecoder } from 'node:util';
import type { TransformCallback } from 'node:stream';
import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { CellValue } from './cells';
import { UploadFailure, UploadFailureCode } from './errors';
import type { EntryKind, XlsxLimits, ZipEntry } from './xlsx-limits';
import { DEFAULT_XLSX_LIMITS, HeldBytes, iterateStream, UnpackBudget, unzipper } from './xlsx-limits';

export type UploadFormat = 'csv' | 'xlsx';

/** One record of the file with its row number as a spreadsheet shows it (the header is a row too). */
export interface SheetRow {
  rowNo: number;
  cells: CellValue[];
}

/**
 * A record longer than this is refused: it bounds memory against a stray quote
 * that would otherwise make the rest of a large file one field.
 */
export const MAX_CSV_RECORD_BYTES = 1024 * 1024;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** The format is decided by the bytes, not by what the client claimed: XLSX files are ZIP archives. */
export function sniffFormat(firstBytes: Buffer): UploadFormat {
  return firstBytes.subarray(0, 4).equals(ZIP_MAGIC) ? 'xlsx' : 'csv';
}

/**
 * The text encodings a CSV file may be in. Excel and WPS on Chinese Windows save "CSV (逗号分隔)" in the ANSI code
 * page, GBK, which GB18030 extends (WHATWG's TextDecoder reads both as 'gb18030'); "CSV UTF-8 (逗号分隔)" is UTF-8.
 */
export type CsvEncoding = 'utf-8' | 'gb18030';

/** What a read of an XLSX workbook held in memory at most, as {@link HeldBytes} counts it (set as the read goes). */
export interface SheetReadStats {
  heldPeakBytes?: number;
}

/**
 * Streams the rows of the file: CSV (comma-separated, in `encoding`, a UTF-8 BOM dropped) or the first worksheet of
 * an XLSX workbook, unpacked within `limits`. Bytes that are not in the CSV's encoding fail the read: a file is never half-read.
 */
export function readSheet(
  source: SheetSource,
  format: UploadFormat,
  encoding: CsvEncoding = 'utf-8',
  limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
  stats: SheetReadStats = {},
): AsyncGenerator<SheetRow> {
  const open = typeof source === 'function' ? source : onlyOnce(source);
  return format === 'csv' ? readCsv(open(), encoding) : readXlsx(open, limits, stats);
}

/** The file, opened from its first byte at each call (an XLSX workbook is read in two passes). */
export type SheetSource = Readable | (() => Readable);

function onlyOnce(input: Readable): () => Readable {
  let used = false;
  return () => {
    if (used) throw new Error('an XLSX workbook is read twice: give readSheet a function that opens the file');
    used = true;
    return input;
  };
}

/**
 * The encoding of a CSV file, decided on the whole file before any row is read: UTF-8 if every byte decodes as
 * UTF-8, else GB18030 if every byte decodes as that, else the file is refused. The two agree on ASCII, so only
 * files with other characters differ. UTF-8 Chinese text with a stray byte is, in practice, refused rather than
 * read as GB18030: its three-byte characters do not line up as GB18030 pairs over a whole file (ASCII with one
 * stray byte may well be valid GB18030, and is read so). `open` gives the file's bytes from the start each time
 * (it is read once more only when it is not UTF-8).
 */
export async function detectCsvEncoding(open: () => Readable): Promise<CsvEncoding> {
  const utf8 = await firstUndecodable(open(), 'utf-8');
  if (utf8 === null) return 'utf-8';
  const gb = await firstUndecodable(open(), 'gb18030');
  if (gb === null) return 'gb18030';
  throw new UploadFailure(
    UploadFailureCode.UNSUPPORTED_TEXT_ENCODING,
    `The CSV file is neither UTF-8 nor GB18030/GBK (bytes near ${utf8} are not UTF-8, bytes near ${gb} are not GB18030). ` +
      'Save it as "CSV UTF-8 (逗号分隔)" or upload XLSX instead.',
    [
      { path: `byte ${utf8}`, reason: 'not UTF-8' },
      { path: `byte ${gb}`, reason: 'not GB18030' },
    ],
  );
}

/** Where (about) the first bytes that do not decode in `encoding` are, or null if all of them do. */
async function firstUndecodable(input: Readable, encoding: CsvEncoding): Promise<number | null> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let offset = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      decoder.decode(chunk, { stream: true });
      offset += chunk.length;
    }
    decoder.decode();
    return null;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return offset;
    throw error;
  } finally {
    input.destroy();
  }
}

/** Passes bytes through as text in the given encoding, refusing bytes that are not in it (a UTF-8 BOM is dropped). */
class CsvTextDecoder extends Transform {
  private readonly decoder: TextDecoder;
  private offset = 0;

  constructor(private readonly encoding: CsvEncoding) {
    super({ readableObjectMode: false, decodeStrings: true });
    this.decoder = new TextDecoder(encoding, { fatal: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      this.offset += chunk.length;
      done(null, text);
    } catch {
      done(this.undecodable());
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(this.undecodable());
    }
  }

  private undecodable(): UploadFailure {
    const name = this.encoding === 'utf-8' ? 'UTF-8' : 'GB18030';
    return new UploadFailure(
      UploadFailureCode.UNSUPPORTED_TEXT_ENCODING,
      `The CSV file is not ${name} throughout (bytes near ${this.offset} are not). Save it as "CSV UTF-8 (逗号分隔)" or upload XLSX instead.`,
      [{ path: `byte ${this.offset}`, reason: `not ${name}` }],
    );
  }
}

async function* readCsv(input: Readable, encoding: CsvEncoding): AsyncGenerator<SheetRow> {
  const decoder = new CsvTextDecoder(encoding);
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_CSV_RECORD_BYTES,
  });
  // pipe() does not forward errors; each stage's failure must end the parser's iteration.
  input.on('error', (error) => parser.destroy(error));
  decoder.on('error', (error) => parser.destroy(error));
  input.pipe(decoder).pipe(parser);
  let rowNo = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNo++;
      yield { rowNo, cells: record };
    }
  } catch (error) {
    if (error instanceof UploadFailure) throw error;
    // csv-parse counts physical lines; records already parsed may not have reached us yet.
    const line = (error as { lines?: unknown }).lines;
    const where = typeof line === 'number' ? `line ${line}` : `after row ${rowNo}`;
    throw new UploadFailure(UploadFailureCode.FILE_UNREADABLE, `The CSV file cannot be read (${where}): ${(error as Error).message}`, [
      { path: where, reason: (error as Error).message },
    ]);
  } finally {
    input.unpipe();
    input.destroy();
    decoder.destroy();
  }
}

interface WorkbookInternals {
  model?: { sheets?: { id: number; name: string; rId?: string }[] };
  properties?: { model?: { date1904?: boolean } };
  workbookRels?: { Id: string; Target: string }[];
}

/**
 * unzipper's Parse stream (under exceljs's streaming reader) emits 'end' as soon as its input is used up, even
 * while parsed entries still wait in its buffer; exceljs pauses it between entries, so the entries after a
 * paused moment are silently lost, typically xl/sharedStrings.xml and xl/workbook.xml, which exceljs writes
 * last (exceljs#3064, node-unzipper#234). Lost shared strings would turn every text cell into an index.
 * Installed on the input, this lets through only the end the stream reaches itself, once its buffer is drained.
 */
export function deliverEveryZipEntry<T extends Readable>(input: T): T {
  const pipe = input.pipe.bind(input);
  input.pipe = (<D extends NodeJS.WritableStream>(destination: D, options?: { end?: boolean }): D => {
    if (destination instanceof Readable) {
      const emit = destination.emit.bind(destination);
      // readableEnded is set just before Node emits the stream's own 'end'.
      destination.emit = (event: string | symbol, ...args: unknown[]) => (event === 'end' && !destination.readableEnded ? false : emit(event, ...args));
    }
    return pipe(destination, options);
  }) as T['pipe'];
  return input;
}

/** The parts of exceljs's streaming reader the XLSX reader drives itself (exceljs 4.4, pinned). */
interface ReaderParts {
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  /** With `sharedStrings: 'cache'`: sets `sharedStrings` to a new array and pushes each string onto it, yielding nothing. */
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Iterable<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
}

const WORKSHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/;

function entryKind(path: string): EntryKind {
  if (path === 'xl/sharedStrings.xml') return 'sharedStrings';
  if (WORKSHEET.test(path)) return 'worksheet';
  if (path === 'xl/workbook.xml' || path === 'xl/_rels/workbook.xml.rels' || path === 'xl/styles.xml') return 'part';
  return 'other';
}

/**
 * The entries of an archive, each inflated through the pass's {@link UnpackBudget}: what the consumer leaves unread
 * is read (and counted) before the next entry. The archive is closed when the consumer stops.
 */
async function* zipEntries(input: Readable, budget: UnpackBudget): AsyncGenerator<{ path: string; kind: EntryKind; data: Readable }> {
  const zip = unzipper.Parse({ forceStream: true });
  let current: Readable | null = null;
  // pipe() does not forward errors: a failure of the input or of the archive must end the entry being read too.
  input.on('error', (error) => zip.destroy(error));
  zip.on('error', (error) => current?.destroy(error));
  deliverEveryZipEntry(input).pipe(zip);
  try {
    for await (const entry of iterateStream<ZipEntry>(zip)) {
      const kind = entryKind(entry.path);
      current = budget.open(entry.path, kind, entry);
      yield { path: entry.path, kind, data: current };
      if (!current.readableEnded) for await (const chunk of current) void chunk;
      current = null;
    }
  } finally {
    current?.destroy();
    input.unpipe();
    input.destroy();
    zip.destroy();
  }
}

/**
 * The first worksheet of a workbook, in two passes over the file and without temporary files: the first reads the
 * workbook's parts (sheet order, relationships, shared strings, styles), the second streams the first worksheet's
 * rows. (exceljs's own reader parks every worksheet that comes before the shared strings, as in files written by
 * Excel or exceljs, in a temporary file that it leaves behind, with its handle open, when the reader stops early:
 * exceljs#2147.) Every inflated byte is counted against `limits`, and what is held at once against `maxHeldBytes`
 * (the most held is reported in `stats` and in the details of a FILE_TOO_LARGE_WHEN_UNPACKED failure).
 */
async function* readXlsx(open: () => Readable, limits: XlsxLimits, stats: SheetReadStats): AsyncGenerator<SheetRow> {
  const held = new HeldBytes(limits.maxHeldBytes);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    // Styles tell dates from numbers (a date is a number with a date format).
    styles: 'cache',
    entries: 'ignore',
  });
  const book = reader as unknown as WorkbookInternals;
  const parts = reader as unknown as ReaderParts;
  book.model = { sheets: [] };
  countSharedStrings(reader, held);
  let lastRow = 0;
  try {
    const sheets: string[] = [];
    for await (const { path, kind, data } of zipEntries(open(), new UnpackBudget(limits))) {
      if (path === 'xl/_rels/workbook.xml.rels') await parts._parseRels(data);
      else if (path === 'xl/workbook.xml') await parts._parseWorkbook(data);
      else if (path === 'xl/styles.xml') await parts._parseStyles(data);
      else if (kind === 'sharedStrings') for await (const event of parts._parseSharedStrings(data)) void event;
      else if (kind === 'worksheet') sheets.push(path);
    }
    const target = firstSheet(book, sheets);
    if (target === null) throw new UploadFailure(UploadFailureCode.FILE_UNREADABLE, 'The XLSX workbook has no worksheet');
    const date1904 = book.properties?.model?.date1904 === true;
    // Only the first sheet holds data; templates keep their column documentation on a later one.
    for await (const { path, data } of zipEntries(open(), new UnpackBudget(limits, held, target))) {
      if (path !== target) continue;
      for (const { value: worksheet } of parts._parseWorksheet(iterateStream(data), WORKSHEET.exec(path)![1])) {
        for await (const row of worksheet) {
          // A workbook's XML may number its rows anything; a sheet has at most XLSX_MAX_ROWS (and row numbers are
          // stored as integers).
          if (!(row.number >= 1 && row.number <= XLSX_MAX_ROWS)) {
            throw new UploadFailure(
              UploadFailureCode.FILE_UNREADABLE,
              `The XLSX workbook numbers a row ${row.number}: a worksheet has rows 1 to ${XLSX_MAX_ROWS}`,
            );
          }
          lastRow = row.number;
          yield { rowNo: row.number, cells: rowCells(row, date1904) };
        }
      }
      return; // nothing after the first sheet is read
    }
    throw new UploadFailure(UploadFailureCode.FILE_UNREADABLE, 'The XLSX workbook changed between two reads');
  } catch (error) {
    if (error instanceof UploadFailure) {
      if (error.code === UploadFailureCode.FILE_TOO_LARGE_WHEN_UNPACKED && error.details[0]) error.details[0].heldPeakBytes = held.peak;
      throw error;
    }
    throw new UploadFailure(
      UploadFailureCode.FILE_UNREADABLE,
      lastRow === 0
        ? `The file is not a readable XLSX workbook: ${(error as Error).message}`
        : `The XLSX workbook cannot be read after row ${lastRow}: ${(error as Error).message}`,
    );
  } finally {
    stats.heldPeakBytes = held.peak;
  }
}

/**
 * Counts each string exceljs keeps in its shared strings table as it is pushed (a failure thrown there ends the
 * parse). With `sharedStrings: 'emit'` the reader would keep the table itself, but every string would then cross an
 * async generator's yield: 5-18 % slower over a 20,000-row workbook.
 */
function countSharedStrings(reader: object, held: HeldBytes): void {
  let table: unknown[] | undefined;
  Object.defineProperty(reader, 'sharedStrings', {
    configurable: true,
    enumerable: true,
    get: () => table,
    set: (value: unknown[] | undefined) => {
      table = value;
      if (!table) return;
      const push = table.push.bind(table);
      table.push = (...items: unknown[]) => {
        for (const item of items) held.addString('xl/sharedStrings.xml', item);
        return push(...items);
      };
    },
  });
}

/** The archive path of the workbook's first sheet (by its order in workbook.xml), else the first worksheet in the archive. */
function firstSheet(book: WorkbookInternals, inArchive: string[]): string | null {
  const rId = book.model?.sheets?.[0]?.rId;
  const target = rId === undefined ? undefined : book.workbookRels?.find((r) => r.Id === rId)?.Target;
  if (target !== undefined) {
    // Targets are relative to xl/ ("worksheets/sheet1.xml") or absolute in the package ("/xl/worksheets/sheet1.xml").
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    if (inArchive.includes(path)) return path;
  }
  return inArchive[0] ?? null;
}

/** The most rows an XLSX worksheet has (ECMA-376; Excel's limit). */
export const XLSX_MAX_ROWS = 1_048_576;

function rowCells(row: ExcelJS.Row, date1904: boolean): CellValue[] {
  const values = row.values as unknown[];
  const cells: CellValue[] = [];
  // row.values is 1-based and sparse.
  for (let i = 1; i < values.length; i++) cells.push(xlsxCell(values[i], () => row.getCell(i).numFmt, date1904));
  return cells;
}

const DATE_FORMAT = /[ymdhs]/i;

/** A number format shows a date when it has date/time tokens outside quoted text and brackets. */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const bare = numFmt
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '');
  return DATE_FORMAT.test(bare) && !/^general$/i.test(bare.trim());
}

/** Excel serial day number to a Date whose UTC fields are the wall-clock time shown. */
export function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - (date1904 ? 24107 : 25569)) * 86_400_000));
}

export function xlsxCell(value: unknown, numFmt: () => string | undefined, date1904: boolean): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; formula?: string; sharedFormula?: string; result?: unknown; error?: string; text?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text ?? '').join('');
    if (v.error !== undefined) return { error: String(v.error) };
    if (v.formula !== undefined || v.sharedFormula !== undefined) {
      const result = v.result;
      if (result === undefined || result === null) return { error: 'a formula without a computed value (open and save the file in a spreadsheet program)' };
      if (typeof result === 'number' && isDateFormat(numFmt())) return excelSerialToDate(result, date1904);
      return xlsxCell(result, numFmt, date1904);
    }
    if (v.text !== undefined) return xlsxCell(v.text, numFmt, date1904);
  }
  return { error: 'a cell value this service cannot read' };
}
