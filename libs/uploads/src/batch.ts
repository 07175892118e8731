import type { ErrorDetail } from '#libs/common';
import type { MappedRow } from './columns';
import type { LedgerOutcome } from './ledger-port';
import type { RowStatus } from './upload.entity';

/** Rows sent to the ledger per call: its batch limit, and the unit of progress and of resumption. */
export const UPLOAD_BATCH_ROWS = 500;

export interface BatchRow {
  rowNo: number;
  mapped: MappedRow;
}

export interface RowResult {
  rowNo: number;
  status: RowStatus;
  eventId: string | null;
  clientEventId: string | null;
  /** The codes the row named (as read from its batteryCodes cell), so that results can be matched by code. */
  batteryCodes: string[];
  reasons: ErrorDetail[];
  warnings: ErrorDetail[];
}

/** The events of a batch to send, with the position of each among the batch's rows. */
export function eventsToSend(rows: BatchRow[]): { events: Record<string, unknown>[]; positions: number[] } {
  const events: Record<string, unknown>[] = [];
  const positions: number[] = [];
  rows.forEach((r, i) => {
    if (r.mapped.ok) {
      events.push(r.mapped.event);
      positions.push(i);
    }
  });
  return { events, positions };
}

/** Row results of a batch: the mapping's rejections and the ledger's outcomes, in row order. */
export function rowResults(rows: BatchRow[], positions: number[], outcomes: LedgerOutcome[]): RowResult[] {
  if (outcomes.length !== positions.length) {
    throw new Error(`the ledger answered ${outcomes.length} results for ${positions.length} events`);
  }
  const byPosition = new Map<number, LedgerOutcome>();
  positions.forEach((p, i) => byPosition.set(p, outcomes[i]));
  return rows.map((r, i) => {
    if (!r.mapped.ok) {
      return {
        rowNo: r.rowNo,
        status: 'rejected',
        eventId: null,
        clientEventId: r.mapped.clientEventId,
        batteryCodes: r.mapped.batteryCodes ?? [],
        reasons: r.mapped.reasons,
        warnings: [],
      };
    }
    const o = byPosition.get(i)!;
    return {
      rowNo: r.rowNo,
      status: o.status,
      eventId: o.status === 'rejected' ? null : o.eventId,
      clientEventId: r.mapped.clientEventId,
      batteryCodes: r.mapped.batteryCodes ?? [],
      reasons: o.status === 'rejected' ? o.reasons : [],
      warnings: o.status === 'rejected' ? [] : (o.warnings ?? []),
    };
  });
}

export function countByStatus(results: { status: RowStatus; warnings?: unknown[] }[]): Record<RowStatus | 'warned', number> {
  const counts: Record<RowStatus | 'warned', number> = { accepted: 0, duplicate: 0, rejected: 0, warned: 0 };
  for (const r of results) {
    counts[r.status]++;
    if (r.warnings && r.warnings.length > 0) counts.warned++;
  }
  return counts;
}

/**
 * The ledger names fields by their place in the JSON request (`events[3].payload.massKg`);
 * a spreadsheet user needs the column (`massKg`).
 */
export function toColumnPath(path: string | undefined, payloadKey: string | null): string | undefined {
  if (path === undefined) return undefined;
  let p = path.replace(/^events\[\d+\]\.?/, '');
  if (payloadKey !== null && p.startsWith(`${payloadKey}.`)) p = p.slice(payloadKey.length + 1);
  return p === '' ? undefined : p;
}

export function toColumnReasons(reasons: ErrorDetail[], payloadKey: string | null): ErrorDetail[] {
  return reasons.map((r) => {
    const path = toColumnPath(r.path, payloadKey);
    const { path: _dropped, ...rest } = r;
    return path === undefined ? rest : { ...rest, path };
  });
}
