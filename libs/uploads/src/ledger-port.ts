import type { Actor, ErrorDetail } from '#libs/common';
import type { EntityManager } from 'typeorm';
import type { LedgerTable } from './catalogue';
import type { RowStatus } from './upload.entity';

/** The ledger's answer for one event sent. */
export interface LedgerOutcome {
  status: RowStatus;
  /** The recorded event; for a duplicate, the original one. */
  eventId: string | null;
  reasons: ErrorDetail[];
  /** What an accepted event was warned about (e.g. SPECIFICATION_CODE_UNFILED), as POST /v1/events answers it. */
  warnings?: ErrorDetail[];
}

/**
 * What uploads need from the lifecycle ledger, so that the processing code does
 * not depend on how the ledger's service is shaped (ledger-adapter.ts binds it).
 */
export interface UploadLedger {
  /** The event-type table (columns, kinds, templates). */
  table(): LedgerTable;
  /**
   * Ingests raw events (shaped like POST /v1/events items) in partial mode inside
   * the caller's transaction, answering in the order sent: a batch's events and its
   * row results commit together or not at all.
   */
  ingest(events: Record<string, unknown>[], actor: Actor, manager: EntityManager): Promise<LedgerOutcome[]>;
}

export const UPLOAD_LEDGER = Symbol('UPLOAD_LEDGER');
