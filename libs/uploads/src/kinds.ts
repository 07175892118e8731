import { Injectable, Module } from '@nestjs/common';
import type { Actor, ErrorDetail } from '#libs/common';
import type { EntityManager } from 'typeorm';
import type { ColumnSpec, UploadCatalogue } from './columns';

/** The kind every upload had before kinds existed, and the default: lifecycle events for the ledger. */
export const EVENTS_KIND = 'events';

/** A kind's name: lower case, digits and hyphens (it appears in URLs and template file names). */
export const UPLOAD_KIND_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * What a kind's batch handler answers for one row: recorded (the new record's id), a duplicate (the earlier
 * record's id), or rejected with reasons (`path` names the column). Ids are UUIDs; row results show them as
 * `eventId` beside the events' ones.
 */
export type RowOutcome =
  { status: 'accepted' | 'duplicate'; recordId: string; reasons?: ErrorDetail[] } | { status: 'rejected'; recordId?: null; reasons: ErrorDetail[] };

/**
 * A kind of spreadsheet other than lifecycle events (residual-capacity tests, outlets, …), registered by the
 * module that owns the records. The uploads pipeline does the rest the same way for every kind: streaming the
 * file into PostgreSQL, the resumable job, batches of 500 rows whose records and row results commit together,
 * progress, per-row results and templates.
 *
 * A row's cells are read by the kind's column specs (`cell`: text, number, integer, boolean, date, datetime,
 * list, json) into a record keyed by column name; columns left empty are absent. `ingest` gets those records and
 * must answer one outcome per record, in order, inside the batch's transaction (`manager`): the rows of a batch
 * that a retry sends again must come out as duplicates, not twice (key each record by something in the row).
 */
export interface UploadKind {
  readonly kind: string;
  /** One line for the template catalogue. */
  readonly description: string;
  /** The columns, in template order. The header must name every required one; `clientEventId` is the row's own id if present. */
  columns(): readonly ColumnSpec[];
  ingest(rows: Record<string, unknown>[], actor: Actor, manager: EntityManager): Promise<RowOutcome[]>;
}

/**
 * The kinds other modules register at start-up (`onModuleInit() { kinds.register(myKind) }`, importing
 * UploadKindsModule). Register from a module that both the API and the worker load (libs/workers), since the
 * API checks `?kind=` when a file arrives and the worker processes it.
 */
@Injectable()
export class UploadKinds {
  private readonly kinds = new Map<string, UploadKind>();

  register(kind: UploadKind): void {
    if (!UPLOAD_KIND_PATTERN.test(kind.kind) || kind.kind === EVENTS_KIND) throw new Error(`'${kind.kind}' cannot be the name of an upload kind`);
    if (this.kinds.has(kind.kind)) throw new Error(`The upload kind '${kind.kind}' is registered already`);
    this.kinds.set(kind.kind, kind);
  }

  get(kind: string): UploadKind | undefined {
    return this.kinds.get(kind);
  }

  /** Every kind name, events first. */
  names(): string[] {
    return [EVENTS_KIND, ...this.kinds.keys()];
  }

  list(): UploadKind[] {
    return [...this.kinds.values()];
  }
}

/** The columns of a kind as the row mapper reads them: no `type` column, every column a top-level field. */
export function kindCatalogue(kind: UploadKind): UploadCatalogue {
  return { envelope: [...kind.columns()], types: new Map(), payloadKey: null, typed: false };
}

/** One instance for the API and the worker modules of this process (Nest shares a module imported twice). */
@Module({ providers: [UploadKinds], exports: [UploadKinds] })
export class UploadKindsModule {}
