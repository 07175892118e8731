import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { CommonErrorCode, DomainException } from './errors';
import { isIsoDate } from './validation';

/** Query parameters of every cursor-paginated list. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's `nextCursor`" })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursors are opaque to clients: base64url JSON of the keyset position. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * What a cursor field may hold. A cursor is opaque but comes back from the client, so each value is checked
 * before it reaches SQL: a forged or damaged cursor is a 422, not a failed cast (a 500).
 */
export type CursorField = (value: unknown) => boolean;

export const cursorField = {
  matches:
    (pattern: RegExp): CursorField =>
    (v) =>
      typeof v === 'string' && pattern.test(v),
  integer:
    (min: number, max: number): CursorField =>
    (v) =>
      Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max,
  uuid: ((v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) as CursorField,
  /** An instant as toISOString writes it, with milliseconds or (from PostgreSQL text) microseconds. */
  instant: ((v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\d{3})?Z$/.test(v) && sameSecond(v)) as CursorField,
  /** A calendar date YYYY-MM-DD that exists. */
  date: ((v) => isIsoDate(v)) as CursorField,
  /** A bigint id as text. */
  bigintText: ((v) => typeof v === 'string' && /^[0-9]{1,18}$/.test(v)) as CursorField,
};

/** Whether the instant exists (Date.parse rolls 30 February over into March). */
function sameSecond(iso: string): boolean {
  const ms = Date.parse(iso);
  return !Number.isNaN(ms) && !iso.startsWith('0000') && new Date(ms).toISOString().slice(0, 19) === iso.slice(0, 19);
}

export function decodeCursor<T extends Record<string, string | number>>(cursor: string | undefined, fields: { [K in keyof T]: CursorField }): T | null {
  if (cursor === undefined) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.entries(fields).every(([k, ok]) => Object.hasOwn(value, k) && (ok as CursorField)(value[k]))
    ) {
      return value as T;
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainException(CommonErrorCode.INVALID_CURSOR, 'invalid', 'The cursor is not one this API issued', [
    { path: 'cursor', reason: 'not a valid cursor' },
  ]);
}

/** Builds a page from `limit + 1` fetched rows (the extra row only says there is more). */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, position: (row: R) => Record<string, string | number>): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: more ? encodeCursor(position(items[items.length - 1])) : null };
}
