import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditService } from '#libs/audit';
import { Actor, APP_CONFIG, AppConfig, DomainException, storableJson, storableText } from '#libs/common';
import { CONFLICT_ATTEMPTS, isRetryableConflict } from '#libs/database';
import { DataSource, EntityManager } from 'typeorm';
import { BatchRow, countByStatus, eventsToSend, RowResult, rowResults, UPLOAD_BATCH_ROWS } from './batch';
import { buildCatalogue } from './catalogue';
import type { CellValue } from './cells';
import { isBlankRow, mapRow, ResolvedHeader, resolveHeader, UploadCatalogue } from './columns';
import { UploadFailure, UploadFailureCode } from './errors';
import { EVENTS_KIND, kindCatalogue, RowOutcome, UploadKinds } from './kinds';
import { LedgerOutcome, UPLOAD_LEDGER, UploadLedger } from './ledger-port';
import { CsvEncoding, detectCsvEncoding, readSheet, SheetReadStats } from './sheet-reader';
import { assertUploadKeyValid } from './upload-key-check';
import { RowStatus, Upload, UploadError } from './upload.entity';

export interface ProcessingAttempt {
  /** Attempts already made before this one (BullMQ's attemptsMade). */
  attemptsMade: number;
  maxAttempts: number;
  onProgress?: (progress: { rowsProcessed: number; rowsTotal: number | null }) => Promise<void>;
}

export interface ProcessingSummary {
  uploadId: string;
  status: Upload['status'];
  rowsProcessed: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  /** XLSX read by this attempt: the most the reader held in memory at once (xlsx-limits.ts HeldBytes). */
  xlsxHeldPeakBytes?: number;
}

/** The file can never be processed: the job must not be retried. */
export class UploadRejected extends Error {
  constructor(readonly failure: UploadFailure) {
    super(failure.message);
    this.name = 'UploadRejected';
  }
}

/**
 * Turns a stored file into ledger events, batch by batch, resumable at any
 * point: a batch's events, its row results and the advance of `rows_processed`
 * commit in one transaction, so a restart continues after the last committed
 * batch and never records a row twice or loses one.
 */
@Injectable()
export class UploadProcessingService {
  private readonly logger = new Logger(UploadProcessingService.name);
  private readonly catalogues = new Map<string, UploadCatalogue>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(UPLOAD_LEDGER) private readonly ledger: UploadLedger,
    private readonly kinds: UploadKinds,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The columns of an upload's kind (events: from the ledger's event-type table). */
  private catalogue(kind: string): UploadCatalogue {
    let catalogue = this.catalogues.get(kind);
    if (!catalogue) {
      if (kind === EVENTS_KIND) catalogue = buildCatalogue(this.ledger.table());
      else {
        const registered = this.kinds.get(kind);
        // A worker deployed without the module of this kind: retried (another worker may have it), the file kept.
        if (!registered) throw new Error(`no upload kind '${kind}' is registered in this worker`);
        catalogue = kindCatalogue(registered);
      }
      this.catalogues.set(kind, catalogue);
    }
    return catalogue;
  }

  async process(uploadId: string, attempt: ProcessingAttempt): Promise<ProcessingSummary> {
    let upload = await this.dataSource.getRepository(Upload).findOneBy({ id: uploadId });
    if (!upload || upload.status === 'receiving')
      throw new UploadRejected(new UploadFailure(UploadFailureCode.PROCESSING_FAILED, `No stored upload ${uploadId}`));
    if (upload.status === 'completed' || (upload.status === 'failed' && upload.error?.code !== UploadFailureCode.PROCESSING_FAILED)) return summary(upload);

    await this.dataSource.query(
      `UPDATE uploads SET status = 'processing', started_at = coalesce(started_at, now()), attempts = attempts + 1, error = NULL, finished_at = NULL, updated_at = now()
        WHERE id = $1`,
      [uploadId],
    );
    upload = (await this.dataSource.getRepository(Upload).findOneBy({ id: uploadId }))!;
    const actor: Actor = { principal: { kind: 'enterprise', keyId: upload.keyId, enterpriseId: upload.enterpriseId }, requestId: upload.requestId };

    const stats: SheetReadStats = {};
    try {
      // Decided on the whole file before any row is read, and kept: a resumed attempt reads the same bytes the same way.
      let encoding: CsvEncoding = upload.textEncoding ?? 'utf-8';
      if (upload.format === 'csv' && upload.textEncoding === null) {
        encoding = await detectCsvEncoding(() => this.fileStream(upload!));
        await this.dataSource.query('UPDATE uploads SET text_encoding = $2, updated_at = now() WHERE id = $1', [uploadId, encoding]);
        upload.textEncoding = encoding;
      }
      if (upload.rowsTotal === null) {
        // A first pass finds a file that cannot be read before any of its events is recorded, and gives progress a total.
        upload.rowsTotal = await this.countRows(upload, encoding, stats);
        await this.dataSource.query('UPDATE uploads SET rows_total = $2, updated_at = now() WHERE id = $1', [uploadId, upload.rowsTotal]);
        await attempt.onProgress?.({ rowsProcessed: upload.rowsProcessed, rowsTotal: upload.rowsTotal });
      }
      await this.ingestRows(upload, encoding, actor, attempt, stats);
      if (stats.heldPeakBytes !== undefined) this.logger.log(`upload ${uploadId}: the XLSX reader held at most ${stats.heldPeakBytes} bytes at once`);
      const done = await this.complete(upload, actor);
      return stats.heldPeakBytes === undefined ? done : { ...done, xlsxHeldPeakBytes: stats.heldPeakBytes };
    } catch (error) {
      if (error instanceof UploadFailure) {
        await this.fail(upload, { code: error.code, message: error.message, details: error.details }, actor, true);
        throw new UploadRejected(error);
      }
      if (attempt.attemptsMade + 1 >= attempt.maxAttempts) {
        const message = `Processing stopped after ${attempt.maxAttempts} attempts: ${(error as Error).message}. Send the same file again to resume it.`;
        await this.fail(upload, { code: UploadFailureCode.PROCESSING_FAILED, message, details: [] }, actor, false).catch((e: Error) =>
          this.logger.error(`could not record the failure of upload ${uploadId}: ${e.message}`),
        );
      }
      throw error;
    }
  }

  /** The stored file, read back one chunk at a time. */
  private fileStream(upload: Upload): Readable {
    const dataSource = this.dataSource;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < upload.chunkCount; seq++) {
        const rows: { data: Buffer }[] = await dataSource.query('SELECT data FROM upload_chunks WHERE upload_id = $1 AND seq = $2', [upload.id, seq]);
        if (!rows[0])
          throw new UploadFailure(UploadFailureCode.FILE_UNREADABLE, `The stored file is incomplete (piece ${seq + 1} of ${upload.chunkCount} is missing)`);
        yield rows[0].data;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  /** Header, then data rows (blank rows skipped), numbered from 1 in file order. */
  private async *dataRows(
    upload: Upload,
    encoding: CsvEncoding,
    stats: SheetReadStats,
  ): AsyncGenerator<{ index: number; rowNo: number; cells: CellValue[]; header: ResolvedHeader }> {
    let header: ResolvedHeader | null = null;
    let index = 0;
    for await (const row of readSheet(() => this.fileStream(upload), upload.format, encoding, this.config.xlsxLimits, stats)) {
      if (isBlankRow(row.cells)) continue;
      if (header === null) {
        header = resolveHeader(row.cells, this.catalogue(upload.kind));
        continue;
      }
      index++;
      yield { index, rowNo: row.rowNo, cells: row.cells, header };
    }
    if (header === null) throw new UploadFailure(UploadFailureCode.NO_HEADER, 'The file is empty: it has no header row');
  }

  private async countRows(upload: Upload, encoding: CsvEncoding, stats: SheetReadStats): Promise<number> {
    let n = 0;
    for await (const row of this.dataRows(upload, encoding, stats)) n = row.index;
    return n;
  }

  private async ingestRows(upload: Upload, encoding: CsvEncoding, actor: Actor, attempt: ProcessingAttempt, stats: SheetReadStats): Promise<void> {
    const catalogue = this.catalogue(upload.kind);
    let batch: BatchRow[] = [];
    let through = upload.rowsProcessed;
    // Both reads hold the same (the same table, the same rows): the figure of the last one is kept.
    for await (const row of this.dataRows(upload, encoding, stats)) {
      if (row.index <= upload.rowsProcessed) continue;
      batch.push({ rowNo: row.rowNo, mapped: mapRow(row.cells, row.header, catalogue) });
      through = row.index;
      if (batch.length === UPLOAD_BATCH_ROWS) {
        await this.commitBatch(upload, batch, through, actor);
        await attempt.onProgress?.({ rowsProcessed: through, rowsTotal: upload.rowsTotal });
        batch = [];
      }
    }
    if (batch.length > 0) {
      await this.commitBatch(upload, batch, through, actor);
      await attempt.onProgress?.({ rowsProcessed: through, rowsTotal: upload.rowsTotal });
    }
  }

  /**
   * Sends one batch to the ledger and stores its row results in one transaction:
   * either the batch's events, its results and the advanced `rows_processed` are
   * all committed, or none is and a retry sends the batch again. A conflict with a
   * concurrent writer of the same batteries is retried here a few times before the
   * job attempt fails.
   */
  private async commitBatch(upload: Upload, rows: BatchRow[], through: number, actor: Actor): Promise<void> {
    const { events, positions } = eventsToSend(rows);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.transaction(async (manager) => {
          await assertUploadKeyValid(manager, upload);
          const outcomes = events.length > 0 ? await this.ingest(upload.kind, events, actor, manager) : [];
          await this.storeResults(manager, upload, rowResults(rows, positions, outcomes), through, actor);
        });
        upload.rowsProcessed = through;
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // A concurrent batch touched the same batteries first (the retry policy of #libs/database).
        if (!(isRetryableConflict(error) && attempt < CONFLICT_ATTEMPTS)) throw error;
        this.logger.debug(`upload ${upload.id}: batch ending at row ${through} retried after ${code}`);
      }
    }
  }

  /** A whole-batch refusal by the ledger (e.g. the key may not report at all) rejects each of its rows, not the job. */
  private async ingest(kind: string, events: Record<string, unknown>[], actor: Actor, manager: EntityManager): Promise<LedgerOutcome[]> {
    try {
      if (kind === EVENTS_KIND) return await this.ledger.ingest(events, actor, manager);
      const outcomes: RowOutcome[] = await this.kinds.get(kind)!.ingest(events, actor, manager);
      if (outcomes.length !== events.length) throw new Error(`the '${kind}' upload kind answered ${outcomes.length} results for ${events.length} rows`);
      return outcomes.map((o) => ({ status: o.status, eventId: o.recordId ?? null, reasons: o.reasons ?? [] }));
    } catch (error) {
      if (error instanceof DomainException && (error.kind === 'invalid' || error.kind === 'forbidden' || error.kind === 'not_found')) {
        const reasons = error.details.length > 0 ? error.details : [{ reason: error.message, code: error.code }];
        return events.map(() => ({ status: 'rejected' as RowStatus, eventId: null, reasons, warnings: [] }));
      }
      throw error;
    }
  }

  private async storeResults(manager: EntityManager, upload: Upload, results: RowResult[], through: number, actor: Actor): Promise<void> {
    await manager.query(
      `INSERT INTO upload_row_results (upload_id, row_no, status, event_id, client_event_id, reasons, warnings, battery_codes)
       SELECT $1, r.row_no, r.status, r.event_id, r.client_event_id, r.reasons, r.warnings, ARRAY(SELECT jsonb_array_elements_text(r.codes))
         FROM unnest($2::int[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8::jsonb[])
           AS r(row_no, status, event_id, client_event_id, reasons, warnings, codes)`,
      [
        upload.id,
        results.map((r) => r.rowNo),
        results.map((r) => r.status),
        results.map((r) => r.eventId),
        // Reasons quote what the file held, which may be text PostgreSQL cannot store (a NUL in a cell): stored with
        // U+FFFD in its place, as the row's result, instead of failing the batch over and over.
        results.map((r) => (r.clientEventId === null ? null : storableText(r.clientEventId))),
        results.map((r) => (r.reasons.length > 0 ? JSON.stringify(storableJson(r.reasons)) : null)),
        results.map((r) => (r.warnings.length > 0 ? JSON.stringify(storableJson(r.warnings)) : null)),
        // text[] cannot be passed as an array of arrays of differing lengths: one JSON array per row.
        results.map((r) => JSON.stringify(storableJson(r.batteryCodes))),
      ],
    );
    const counts = countByStatus(results);
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [, updated]: [unknown[], number] = await manager.query(
      `UPDATE uploads SET rows_processed = $3, accepted = accepted + $4, duplicate = duplicate + $5, rejected = rejected + $6,
              warned = warned + $7, updated_at = now()
        WHERE id = $1 AND rows_processed = $2`,
      [upload.id, upload.rowsProcessed, through, counts.accepted, counts.duplicate, counts.rejected, counts.warned],
    );
    // Only one worker may advance an upload (a stalled job can run twice); the other's batch rolls back.
    if (updated !== 1) throw new Error(`upload ${upload.id} advanced concurrently (another worker is processing it)`);
    await this.audit.record(manager, actor, {
      action: 'upload.batch_processed',
      entityType: 'upload',
      entityId: upload.id,
      data: { fromRow: results[0]?.rowNo ?? null, toRow: results[results.length - 1]?.rowNo ?? null, rowsProcessed: through, ...counts },
    });
  }

  private async complete(upload: Upload, actor: Actor): Promise<ProcessingSummary> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE uploads SET status = 'completed', finished_at = now(), updated_at = now() WHERE id = $1`, [upload.id]);
      // The events are in the ledger and every row has its result: the file is no longer needed.
      await manager.query('DELETE FROM upload_chunks WHERE upload_id = $1', [upload.id]);
      const done = (await manager.getRepository(Upload).findOneBy({ id: upload.id }))!;
      await this.audit.record(manager, actor, {
        action: 'upload.completed',
        entityType: 'upload',
        entityId: upload.id,
        data: { rows: done.rowsProcessed, accepted: done.accepted, duplicate: done.duplicate, rejected: done.rejected, warned: done.warned },
      });
      return summary(done);
    });
  }

  /** A file that can never be processed loses its stored copy; one that failed for other reasons keeps it for a retry. */
  private async fail(upload: Upload, failure: UploadError, actor: Actor, dropFile: boolean): Promise<void> {
    // A message may quote the file (a header with a NUL in it): it must be storable, or the upload stays 'processing'.
    const error = storableJson(failure);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE uploads SET status = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`, [
        upload.id,
        JSON.stringify(error),
      ]);
      if (dropFile) await manager.query('DELETE FROM upload_chunks WHERE upload_id = $1', [upload.id]);
      await this.audit.record(manager, actor, {
        action: 'upload.failed',
        entityType: 'upload',
        entityId: upload.id,
        data: { code: error.code, message: error.message },
      });
    });
  }
}

function summary(u: Upload): ProcessingSummary {
  return { uploadId: u.id, status: u.status, rowsProcessed: u.rowsProcessed, accepted: u.accepted, duplicate: u.duplicate, rejected: u.rejected };
}
