import { createRequire } from 'node:module';
import type { Readable, TransformCallback } from 'node:stream';
import { Transform } from 'node:stream';
import { UploadFailure, UploadFailureCode } from './errors';

/**
 * How much an XLSX workbook may unpack to. An XLSX file is a ZIP archive: a few megabytes may inflate to
 * gigabytes (a "zip bomb"), and exceljs caches every shared string in memory. Every byte the reader inflates
 * passes through an {@link UnpackBudget}, which counts what each entry really inflates to (the sizes an archive
 * declares may lie) and stops the read as soon as a limit is passed: nothing larger than a limit is ever held,
 * written to disk or even inflated in full. Configured by `UPLOAD_XLSX_*` (README, Configuration).
 */
export interface XlsxLimits {
  /** Entries in the archive. */
  maxEntries: number;
  /** Inflated bytes of one entry (a worksheet). */
  maxEntryBytes: number;
  /** Inflated bytes of all entries read in one pass over the archive. */
  maxTotalBytes: number;
  /** Strings in `xl/sharedStrings.xml` (all of them are kept in memory while the sheet is read). */
  maxSharedStrings: number;
  /** Inflated bytes of `xl/sharedStrings.xml`. */
  maxSharedStringsBytes: number;
  /**
   * Bytes the reader holds at once, as {@link HeldBytes} counts them: the shared strings table (kept for the whole
   * read) and the XML of the worksheet row being read.
   */
  maxHeldBytes: number;
}

export const DEFAULT_XLSX_LIMITS: XlsxLimits = {
  maxEntries: 1000,
  maxEntryBytes: 1024 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxSharedStrings: 2_000_000,
  maxSharedStringsBytes: 128 * 1024 * 1024,
  maxHeldBytes: 256 * 1024 * 1024,
};

/** The workbook's own parts (workbook.xml, its relationships, styles), parsed whole into objects: a few kB in practice. */
export const XLSX_MAX_PART_BYTES = 16 * 1024 * 1024;
/** XML between the starts of two rows of a worksheet: a row is read whole, so one endless row must not be. */
export const XLSX_MAX_ROW_BYTES = 4 * 1024 * 1024;

export type EntryKind = 'worksheet' | 'sharedStrings' | 'part' | 'other';

const MiB = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;

export function tooLargeWhenUnpacked(path: string, reason: string, limit: number): UploadFailure {
  return new UploadFailure(
    UploadFailureCode.FILE_TOO_LARGE_WHEN_UNPACKED,
    `The XLSX workbook unpacks to more than this service reads: ${path} ${reason}. Save the data alone in a new workbook (or as CSV) and upload that.`,
    [{ path, reason, limit }],
  );
}

/**
 * What the XLSX reader holds in memory at once, counted the same way on every run (RSS and heap size also count
 * garbage not yet collected, which varies with GC timing): each shared string at 2 bytes per UTF-16 unit plus
 * {@link HELD_BYTES_PER_STRING} (V8's string header and the table's slot, rounded up), and the XML of the worksheet row
 * being read since its `<row` tag. Crossing `maxHeldBytes` fails the read; `peak` is the most held at once, the
 * per-upload figure (an upload's job result, and the details of a FILE_TOO_LARGE_WHEN_UNPACKED failure).
 */
export class HeldBytes {
  private table = 0;
  private row = 0;
  peak = 0;

  constructor(private readonly limit: number) {}

  /** A string kept in the shared strings table (plain text, or rich text: runs of text). */
  addString(path: string, value: unknown): void {
    let bytes = HELD_BYTES_PER_STRING;
    if (typeof value === 'string') bytes += 2 * value.length;
    else {
      for (const run of (value as { richText?: { text?: unknown }[] } | null)?.richText ?? [])
        bytes += HELD_BYTES_PER_STRING + (typeof run.text === 'string' ? 2 * run.text.length : 0);
    }
    this.hold(path, this.table + bytes, this.row, 'its shared strings');
    this.table += bytes;
  }

  /** The XML of the row being read of the worksheet at `path` (from its `<row` tag). */
  setRow(path: string, bytes: number): void {
    this.hold(path, this.table, bytes, 'its shared strings and the row being read');
    this.row = bytes;
  }

  private hold(path: string, table: number, row: number, what: string): void {
    const held = table + row;
    if (held > this.limit) throw tooLargeWhenUnpacked(path, `needs more than ${MiB(this.limit)} in memory for ${what}`, this.limit);
    if (held > this.peak) this.peak = held;
  }
}

/** Held per shared string beyond its characters: a V8 string's header (16 bytes), padding to 8, the table's 8-byte slot, slack. */
export const HELD_BYTES_PER_STRING = 48;

/** What one pass over an archive has inflated so far. */
export class UnpackBudget {
  private entries = 0;
  total = 0;

  /** `rowsOf`: the worksheet whose rows are read in this pass, their XML counted in `held`. */
  constructor(
    readonly limits: XlsxLimits,
    readonly held?: HeldBytes,
    readonly rowsOf?: string,
  ) {}

  /** A guarded copy of one entry's inflated bytes, failing as soon as a limit is passed. */
  open(path: string, kind: EntryKind, entry: Readable): Readable {
    this.entries++;
    if (this.entries > this.limits.maxEntries) throw tooLargeWhenUnpacked('archive', `has more than ${this.limits.maxEntries} entries`, this.limits.maxEntries);
    const guard = new EntryGuard(this, path, kind);
    entry.on('error', (error) => guard.destroy(error));
    return entry.pipe(guard);
  }
}

const SI = Buffer.from('<si');
const ROW = Buffer.from('<row');
/** After '<si' or '<row': the tag's name has ended ('<sz' or '<rowBreaks' are other tags). */
const NAME_END = new Set([0x3e, 0x20, 0x2f, 0x09, 0x0a, 0x0d]);

class EntryGuard extends Transform {
  private bytes = 0;
  private tail = Buffer.alloc(0);
  private strings = 0;
  private sinceRow = 0;
  private readonly limit: number;

  constructor(
    private readonly budget: UnpackBudget,
    private readonly path: string,
    private readonly kind: EntryKind,
  ) {
    super();
    const l = budget.limits;
    this.limit = kind === 'sharedStrings' ? l.maxSharedStringsBytes : kind === 'part' ? Math.min(XLSX_MAX_PART_BYTES, l.maxEntryBytes) : l.maxEntryBytes;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.budget.total += chunk.length;
    const limits = this.budget.limits;
    if (this.bytes > this.limit) return done(tooLargeWhenUnpacked(this.path, `inflates to more than ${MiB(this.limit)}`, this.limit));
    if (this.budget.total > limits.maxTotalBytes) {
      return done(tooLargeWhenUnpacked('archive', `inflates to more than ${MiB(limits.maxTotalBytes)} in all`, limits.maxTotalBytes));
    }
    if (this.kind === 'sharedStrings' || this.kind === 'worksheet') {
      // A tag may be split between two chunks: look at the end of the last one too (too short to hold a whole match, so
      // nothing is counted twice).
      const scan = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
      if (this.kind === 'sharedStrings') {
        this.strings += countTags(scan, SI);
        if (this.strings > limits.maxSharedStrings) {
          return done(tooLargeWhenUnpacked(this.path, `holds more than ${limits.maxSharedStrings} shared strings`, limits.maxSharedStrings));
        }
      } else {
        const last = lastTag(scan, ROW);
        this.sinceRow = last < 0 ? this.sinceRow + chunk.length : scan.length - last;
        if (this.sinceRow > XLSX_MAX_ROW_BYTES)
          return done(tooLargeWhenUnpacked(this.path, `has a row of more than ${MiB(XLSX_MAX_ROW_BYTES)} of XML`, XLSX_MAX_ROW_BYTES));
        if (this.path === this.budget.rowsOf) {
          try {
            this.budget.held?.setRow(this.path, this.sinceRow);
          } catch (error) {
            return done(error as Error);
          }
        }
      }
      const keep = this.kind === 'sharedStrings' ? SI.length : ROW.length;
      this.tail = Buffer.from(scan.subarray(Math.max(0, scan.length - keep)));
    }
    done(null, chunk);
  }
}

function countTags(buf: Buffer, tag: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(tag); i >= 0; i = buf.indexOf(tag, i + tag.length)) {
    if (i + tag.length < buf.length && NAME_END.has(buf[i + tag.length])) n++;
  }
  return n;
}

function lastTag(buf: Buffer, tag: Buffer): number {
  for (let i = buf.lastIndexOf(tag); i >= 0; i = i === 0 ? -1 : buf.lastIndexOf(tag, i - 1)) {
    if (i + tag.length < buf.length && NAME_END.has(buf[i + tag.length])) return i;
  }
  return -1;
}

/** The unzip stream and stream iteration exceljs itself uses, resolved as exceljs resolves them (no second copy). */
const fromExceljs = createRequire(require.resolve('exceljs'));
export interface ZipEntry extends Readable {
  path: string;
  autodrain(): unknown;
}
export const unzipper = fromExceljs('unzipper') as { Parse(options: { forceStream: boolean }): Readable & NodeJS.WritableStream };
export const iterateStream = fromExceljs('./lib/utils/iterate-stream') as <T>(stream: Readable) => AsyncIterable<T>;
