/**
 * Array query parameters in PostgreSQL's binary format (what `array_send` writes and `array_recv` reads).
 * node-postgres sends a Buffer parameter in binary format and every other value as text, so a column of a
 * multi-row write passed as one of these costs PostgreSQL a length-prefixed copy per element: no text to
 * parse (an ISO timestamp, a UUID in hex or a JSON array document cost far more), and it costs Node no text
 * to build either.
 *
 * Use the parameter with a cast to the matching array type, e.g. `unnest($1::uuid[], $2::timestamptz[])`:
 * PostgreSQL then infers the parameter's type from the cast and rejects an array of another element type.
 */

/** Element types, with the values each takes (null is SQL NULL). */
export interface BinaryElementTypes {
  text: string;
  uuid: string;
  /** Milliseconds since the Unix epoch. */
  timestamptz: number;
  /** `YYYY-MM-DD`. */
  date: string;
  int2: number;
  int4: number;
  float8: number;
  bool: boolean;
  bytea: Buffer;
  /** Any JSON value (serialised with JSON.stringify). */
  jsonb: unknown;
}

export type BinaryElementType = keyof BinaryElementTypes;

const ELEMENT_OID: Record<BinaryElementType, number> = {
  bool: 16,
  bytea: 17,
  int2: 21,
  int4: 23,
  text: 25,
  float8: 701,
  date: 1082,
  timestamptz: 1184,
  uuid: 2950,
  jsonb: 3802,
};

/** Fixed element sizes; the others are measured. */
const FIXED_SIZE: Partial<Record<BinaryElementType, number>> = { bool: 1, int2: 2, int4: 4, float8: 8, date: 4, timestamptz: 8, uuid: 16 };

/** PostgreSQL's timestamps and dates count from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const MS_PER_DAY = 86_400_000;
const TWO_32 = 2 ** 32;
const HEADER = 20; // ndim, has-nulls flag, element type, then the one dimension's length and lower bound

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Where each of a UUID's 16 bytes starts in its 36-character text (8-4-4-4-12 hex digits). */
const UUID_BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

function writeUuid(buf: Buffer, at: number, uuid: string): void {
  if (uuid.length !== 36) throw new TypeError(`not a UUID: ${uuid}`);
  for (let j = 0; j < 16; j++) {
    const p = UUID_BYTE_AT[j];
    const c1 = uuid.charCodeAt(p);
    const c2 = uuid.charCodeAt(p + 1);
    const high = c1 < 128 ? HEX[c1] : -1;
    const low = c2 < 128 ? HEX[c2] : -1;
    if ((high | low) < 0) throw new TypeError(`not a UUID: ${uuid}`);
    buf[at + j] = (high << 4) | low;
  }
}

/**
 * Writes a string as UTF-8 and returns the bytes written. Short ASCII strings (codes, ids, types: nearly
 * every text here) are copied by this loop: the native encoder's call costs more than their few bytes.
 */
function writeText(buf: Buffer, at: number, text: string): number {
  const n = text.length;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) break;
      buf[at + i] = c;
    }
    if (i === n) return n;
  }
  return buf.write(text, at, 'utf8');
}

/** A big-endian int32 (Buffer#writeInt32BE validates its arguments on every call: too slow per element). */
function int32(buf: Buffer, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = value >>> 16;
  buf[at + 2] = value >>> 8;
  buf[at + 3] = value;
}

function writeInt64(buf: Buffer, at: number, value: number): void {
  // Exact for |value| < 2^53; the high word is signed, the low word unsigned (two's complement).
  const high = Math.floor(value / TWO_32);
  int32(buf, at, high);
  int32(buf, at + 4, value - high * TWO_32);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dateDays(date: string): number {
  const m = ISO_DATE.exec(date);
  const month = m ? +m[2] : 0;
  const ms = m && month >= 1 && month <= 12 ? Date.UTC(+m[1], month - 1, +m[3]) : Number.NaN;
  // Date.UTC rolls 2026-02-30 over into March: a day that does not come back the same does not exist.
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== +m![3]) throw new TypeError(`not a date: ${date}`);
  return (ms - PG_EPOCH_MS) / MS_PER_DAY;
}

const isNull = (v: unknown): v is null | undefined => v === null || v === undefined;

/** Writes the elements from `at`; returns where they end. One loop per type keeps each loop monomorphic. */
function writeElements(type: BinaryElementType, values: readonly unknown[], texts: (string | null)[] | null, buf: Buffer, at: number): number {
  const n = values.length;
  switch (type) {
    case 'text':
    case 'jsonb': {
      const version = type === 'jsonb' ? 1 : 0; // jsonb's binary format: a version byte, then the text
      for (let i = 0; i < n; i++) {
        const t = texts![i];
        if (t === null) {
          int32(buf, at, -1);
          at += 4;
          continue;
        }
        if (version) buf[at + 4] = 1;
        const written = writeText(buf, at + 4 + version, t) + version;
        int32(buf, at, written);
        at += 4 + written;
      }
      return at;
    }
    case 'bytea':
      for (let i = 0; i < n; i++) {
        const b = values[i] as Buffer | null | undefined;
        if (isNull(b)) {
          int32(buf, at, -1);
          at += 4;
          continue;
        }
        int32(buf, at, b.length);
        b.copy(buf, at + 4);
        at += 4 + b.length;
      }
      return at;
    case 'uuid':
      for (let i = 0; i < n; i++) {
        const v = values[i] as string | null | undefined;
        if (isNull(v)) {
          int32(buf, at, -1);
          at += 4;
          continue;
        }
        int32(buf, at, 16);
        writeUuid(buf, at + 4, v);
        at += 20;
      }
      return at;
    case 'timestamptz':
      for (let i = 0; i < n; i++) {
        const v = values[i] as number | null | undefined;
        if (isNull(v)) {
          int32(buf, at, -1);
          at += 4;
          continue;
        }
        if (!Number.isFinite(v)) throw new TypeError(`not a time: ${v}`);
        int32(buf, at, 8);
        writeInt64(buf, at + 4, (v - PG_EPOCH_MS) * 1000);
        at += 12;
      }
      return at;
    default: {
      const size = FIXED_SIZE[type]!;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (isNull(v)) {
          int32(buf, at, -1);
          at += 4;
          continue;
        }
        int32(buf, at, size);
        at += 4;
        if (type === 'date') int32(buf, at, dateDays(v as string));
        else if (type === 'int4') int32(buf, at, v as number);
        else if (type === 'int2') buf.writeInt16BE(v as number, at);
        else if (type === 'float8') buf.writeDoubleBE(v as number, at);
        else buf[at] = v ? 1 : 0; // bool
        at += size;
      }
      return at;
    }
  }
}

/** A one-dimensional array of `type` in binary format, to pass as a query parameter. */
export function binaryArray<T extends BinaryElementType>(type: T, values: readonly (BinaryElementTypes[T] | null | undefined)[]): Buffer;
export function binaryArray(type: BinaryElementType, values: readonly unknown[]): Buffer {
  const n = values.length;
  const fixed = FIXED_SIZE[type];
  let hasNull = 0;
  let texts: (string | null)[] | null = null;
  let size = HEADER + 4 * n;
  if (fixed !== undefined) {
    for (let i = 0; i < n; i++) {
      if (isNull(values[i])) hasNull = 1;
      else size += fixed;
    }
  } else if (type === 'bytea') {
    for (let i = 0; i < n; i++) {
      const b = values[i] as Buffer | null | undefined;
      if (isNull(b)) hasNull = 1;
      else size += b.length;
    }
  } else {
    // Texts are written in place, in a buffer sized for the worst case (three UTF-8 bytes per UTF-16 unit)
    // and cut to what was written.
    texts = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (isNull(v)) {
        hasNull = 1;
        texts[i] = null;
        continue;
      }
      const t = type === 'jsonb' ? JSON.stringify(v) : (v as string);
      texts[i] = t;
      size += 3 * t.length + (type === 'jsonb' ? 1 : 0);
    }
  }
  const buf = Buffer.allocUnsafe(size);
  int32(buf, 0, n === 0 ? 0 : 1);
  int32(buf, 4, hasNull);
  int32(buf, 8, ELEMENT_OID[type]);
  if (n === 0) return buf.subarray(0, 12);
  int32(buf, 12, n);
  int32(buf, 16, 1);
  const end = writeElements(type, values, texts, buf, HEADER);
  return end === size ? buf : buf.subarray(0, end);
}
