import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { stringify } from 'csv-stringify';
import { actingEnterprise, enterpriseInRegionSql, enterprisesEverInRegionSql, readScope } from '#libs/access';
import { AuditService } from '#libs/audit';
import { Actor, APP_CONFIG, AppConfig, cursorField, decodeCursor, encodeCursor, ErrorDetail, Principal, spreadsheetSafe } from '#libs/common';
import { DataSource } from 'typeorm';
import { buildCatalogue } from './catalogue';
import type { UploadCatalogue } from './columns';
import type { TemplateLanguage } from './columns.zh';
import type {
  RowResultView,
  TemplateCatalogueView,
  UploadAcceptedView,
  UploadDetailQuery,
  UploadDetailView,
  UploadListQuery,
  UploadPage,
  UploadView,
} from './dto';
import { UploadErrors, UploadFailureCode } from './errors';
import { IncomingUpload, openUpload } from './intake';
import { EVENTS_KIND, UploadKind, UploadKinds } from './kinds';
import { UPLOAD_LEDGER, UploadLedger } from './ledger-port';
import { sniffFormat } from './sheet-reader';
import { csvTemplate, describeCatalogue, kindXlsxTemplate, templateColumns, templateTypes, xlsxTemplate } from './templates';
import { Upload, UploadRowResult } from './upload.entity';

export const UPLOADS_QUEUE = 'uploads';
export const PROCESS_UPLOAD_JOB = 'process';

export interface ProcessUploadJob {
  uploadId: string;
}

/** Pieces the file is stored in: small enough to hold one in memory, large enough to keep the row count low. */
export const CHUNK_BYTES = 1024 * 1024;

/** An upload whose body never finished arriving is removed after this long. */
const ABANDONED_AFTER = '1 day';

interface UploadRow extends Upload {
  enterpriseRegion?: string | null;
}

/**
 * Bulk uploads: receives a file into PostgreSQL while it streams in, queues its
 * processing, and shows the progress and per-row results. Only enterprises upload;
 * the uploading enterprise, administrators and regulators (within their region) read.
 */
@Injectable()
export class UploadsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UploadsService.name);
  private catalogueCache: UploadCatalogue | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(UPLOADS_QUEUE) private readonly queue: Queue<ProcessUploadJob>,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(UPLOAD_LEDGER) private readonly ledger: UploadLedger,
    private readonly kinds: UploadKinds,
  ) {}

  /** Uploads acknowledged but left without a job (a crash between commit and enqueue) get their job now. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const stranded: { id: string }[] = await this.dataSource.query(
        `SELECT id FROM uploads WHERE status IN ('queued', 'processing') AND updated_at < now() - interval '1 minute' ORDER BY created_at LIMIT 1000`,
      );
      for (const { id } of stranded) await this.ensureJob(id);
    } catch (error) {
      this.logger.warn(`could not re-queue stranded uploads: ${(error as Error).message}`);
    }
  }

  assertMayUpload(principal: Principal): asserts principal is Extract<Principal, { kind: 'enterprise' }> {
    if (!actingEnterprise(principal, 'upload.create')) throw UploadErrors.enterprisesOnly();
  }

  /** An HTTP request's file: checked (who, media type, declared length) before a byte is read. */
  receiveRequest(req: IncomingMessage, filename: string | undefined, actor: Actor, kind: string = EVENTS_KIND): Promise<UploadAcceptedView> {
    this.assertMayUpload(actor.principal);
    this.assertKind(kind);
    return this.receive(openUpload(req, filename, this.config.uploadLimitBytes), actor, kind);
  }

  private assertKind(kind: string): void {
    if (kind !== EVENTS_KIND && !this.kinds.get(kind)) throw UploadErrors.unknownKind(kind, this.kinds.names());
  }

  /**
   * Stores the file as it arrives (never more than one chunk in memory), then
   * either registers it and queues its processing, or, if the enterprise has sent
   * the same bytes before, drops the copy and answers with the existing upload.
   */
  async receive(incoming: IncomingUpload, actor: Actor, kind: string = EVENTS_KIND): Promise<UploadAcceptedView> {
    this.assertMayUpload(actor.principal);
    this.assertKind(kind);
    const principal = actor.principal;
    const limit = this.config.uploadLimitBytes;
    await this.dataSource.query(`DELETE FROM uploads WHERE status = 'receiving' AND created_at < now() - interval '${ABANDONED_AFTER}'`);

    const hash = createHash('sha256');
    let uploadId: string | null = null;
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      if (uploadId === null) {
        const rows: { id: string }[] = await this.dataSource.query(
          `INSERT INTO uploads (enterprise_id, key_id, request_id, filename, format, kind) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [principal.enterpriseId, principal.keyId, actor.requestId, incoming.filename, sniffFormat(data), kind],
        );
        uploadId = rows[0].id;
      }
      await this.dataSource.query('INSERT INTO upload_chunks (upload_id, seq, data) VALUES ($1, $2, $3)', [uploadId, seq, data]);
      seq++;
    };

    try {
      for await (const chunk of incoming.chunks) {
        size += chunk.length;
        if (size > limit) throw UploadErrors.tooLarge(limit);
        hash.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
      if (size === 0) throw UploadErrors.fileEmpty();
      await flush();
    } catch (error) {
      if (uploadId !== null) await this.discard(uploadId);
      if (isAbort(error)) throw UploadErrors.aborted();
      throw error;
    }

    const sha256 = hash.digest();
    const ownId: string = uploadId!;
    const outcome = await this.dataSource.transaction(async (manager) => {
      // Serialises identical files from one enterprise arriving at the same time.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`upload:${principal.enterpriseId}:${kind}:${sha256.toString('hex')}`]);
      const existing: { id: string }[] = await manager.query('SELECT id FROM uploads WHERE enterprise_id = $1 AND kind = $2 AND sha256 = $3', [
        principal.enterpriseId,
        kind,
        sha256,
      ]);
      if (existing[0]) {
        await manager.query('DELETE FROM uploads WHERE id = $1', [ownId]);
        return { id: existing[0].id, existing: true };
      }
      await manager.query(
        `UPDATE uploads SET status = 'queued', sha256 = $2, size_bytes = $3, chunk_count = $4, received_at = now(), updated_at = now() WHERE id = $1`,
        [ownId, sha256, size, seq],
      );
      await this.audit.record(manager, actor, {
        action: 'upload.received',
        entityType: 'upload',
        entityId: ownId,
        data: { filename: incoming.filename, kind, size, sha256: sha256.toString('hex') },
      });
      return { id: ownId, existing: false };
    });

    if (outcome.existing) await this.resumeIfStopped(outcome.id, actor);
    await this.ensureJob(outcome.id);
    const upload = (await this.dataSource.getRepository(Upload).findOneBy({ id: outcome.id }))!;
    return { ...toUploadView(upload), existing: outcome.existing };
  }

  /** Sending again the file of an upload that stopped for a passing reason resumes it; other failures are final. */
  private async resumeIfStopped(id: string, actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [, resumed]: [unknown[], number] = await manager.query(
        `UPDATE uploads SET status = 'queued', error = NULL, finished_at = NULL, updated_at = now()
          WHERE id = $1 AND status = 'failed' AND error->>'code' = $2 AND EXISTS (SELECT 1 FROM upload_chunks WHERE upload_id = $1)`,
        [id, UploadFailureCode.PROCESSING_FAILED],
      );
      if (resumed === 1) await this.audit.record(manager, actor, { action: 'upload.resumed', entityType: 'upload', entityId: id });
    });
  }

  /** Makes sure a queued or processing upload has a job (jobId = upload id, so this is idempotent). */
  private async ensureJob(id: string): Promise<void> {
    const status: { status: string }[] = await this.dataSource.query('SELECT status FROM uploads WHERE id = $1', [id]);
    if (!status[0] || !['queued', 'processing'].includes(status[0].status)) return;
    const job = await this.queue.getJob(id);
    if (job) {
      const state = await job.getState();
      // A resumed upload gets a full set of attempts again.
      if (state === 'failed') await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      if (state !== 'completed') return;
      await job.remove();
    }
    await this.queue.add(PROCESS_UPLOAD_JOB, { uploadId: id }, { jobId: id });
  }

  private async discard(id: string): Promise<void> {
    await this.dataSource
      .query('DELETE FROM uploads WHERE id = $1', [id])
      .catch((e: Error) => this.logger.warn(`could not discard partial upload ${id}: ${e.message}`));
  }

  /** The upload if the principal may see it: its enterprise, administrators, regulators within their region; otherwise not found. */
  private async visible(id: string, principal: Principal): Promise<UploadRow> {
    const upload = await this.dataSource.getRepository(Upload).findOneBy({ id });
    if (!upload || upload.status === 'receiving') throw UploadErrors.notFound(id);
    const scope = readScope(principal);
    if (scope.kind === 'all') return upload;
    if (scope.kind === 'enterprise' && scope.enterpriseId === upload.enterpriseId) return upload;
    if (scope.kind === 'region') {
      const params: unknown[] = [upload.enterpriseId];
      const param = (v: unknown) => `$${params.push(v)}`;
      const [row] = await this.dataSource.query<{ ok: boolean }[]>(`SELECT ${enterpriseInRegionSql('$1::uuid', scope.prefix, param)} AS ok`, params);
      if (row.ok) return upload;
    }
    throw UploadErrors.notFound(id);
  }

  async get(id: string, query: UploadDetailQuery, principal: Principal): Promise<UploadDetailView> {
    const upload = await this.visible(id, principal);
    const after = decodeCursor<{ row: number }>(query.cursor, { row: cursorField.integer(0, 2 ** 31 - 1) });
    const params: unknown[] = [id, after?.row ?? 0, query.limit + 1];
    let filter = '';
    if (query.status) {
      params.push(query.status);
      filter = 'AND status = $4';
    }
    const rows: StoredRowResult[] = await this.dataSource.query(
      `SELECT row_no, status, event_id, client_event_id, reasons, warnings, battery_codes FROM upload_row_results
          WHERE upload_id = $1 AND row_no > $2 ${filter} ORDER BY row_no LIMIT $3`,
      params,
    );
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const items: RowResultView[] = page.map((r) => ({
      row: r.row_no,
      status: r.status,
      eventId: r.event_id,
      clientEventId: r.client_event_id,
      batteryCodes: r.battery_codes ?? [],
      reasons: r.reasons ?? [],
      warnings: r.warnings ?? [],
    }));
    return { ...toUploadView(upload), results: { items, nextCursor: more ? encodeCursor({ row: page[page.length - 1].row_no }) : null } };
  }

  async list(query: UploadListQuery, principal: Principal): Promise<UploadPage> {
    const after = decodeCursor<{ at: string; id: string }>(query.cursor, { at: cursorField.instant, id: cursorField.uuid });
    const where: string[] = [`u.status <> 'receiving'`];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const scope = readScope(principal);
    if (scope.kind === 'enterprise') where.push(`u.enterprise_id = ${param(scope.enterpriseId)}`);
    if (scope.kind === 'region') where.push(`u.enterprise_id IN (${enterprisesEverInRegionSql(scope.prefix, param)})`);
    if (query.status) where.push(`u.status = ${param(query.status)}`);
    if (after) where.push(`(u.created_at, u.id) < (${param(after.at)}::timestamptz, ${param(after.id)}::uuid)`);
    const ids: { id: string; at: string }[] = await this.dataSource.query(
      `SELECT u.id, to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM uploads u
        WHERE ${where.join(' AND ')} ORDER BY u.created_at DESC, u.id DESC LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const more = ids.length > query.limit;
    const page = more ? ids.slice(0, query.limit) : ids;
    const uploads =
      page.length === 0
        ? []
        : await this.dataSource
            .getRepository(Upload)
            .createQueryBuilder('u')
            .where('u.id IN (:...ids)', { ids: page.map((r) => r.id) })
            .getMany();
    const byId = new Map(uploads.map((u) => [u.id, u]));
    return {
      items: page.map((r) => toUploadView(byId.get(r.id)!)),
      nextCursor: more ? encodeCursor({ at: page[page.length - 1].at, id: page[page.length - 1].id }) : null,
    };
  }

  /** Every row result as CSV, read from the database a page at a time while the response is written. */
  async resultsCsv(id: string, principal: Principal): Promise<Readable> {
    await this.visible(id, principal);
    const dataSource = this.dataSource;
    async function* rows(): AsyncGenerator<unknown[]> {
      let after = 0;
      for (;;) {
        const page: StoredRowResult[] = await dataSource.query(
          `SELECT row_no, status, event_id, client_event_id, reasons, warnings, battery_codes FROM upload_row_results
            WHERE upload_id = $1 AND row_no > $2 ORDER BY row_no LIMIT 5000`,
          [id, after],
        );
        for (const r of page) {
          yield [
            r.row_no,
            r.status,
            (r.battery_codes ?? []).join(';'),
            r.client_event_id ?? '',
            r.event_id ?? '',
            formatReasons(r.reasons),
            formatReasons(r.warnings),
          ];
        }
        if (page.length < 5000) return;
        after = page[page.length - 1].row_no;
      }
    }
    // Cells quote what the file held (a client event id of '=HYPERLINK(…)'): defused before a spreadsheet opens them.
    const csv = stringify({ header: true, columns: [...RESULTS_CSV_COLUMNS], bom: true, record_delimiter: '\r\n', cast: { string: spreadsheetSafe } });
    const source = Readable.from(rows());
    source.on('error', (error) => csv.destroy(error));
    return source.pipe(csv);
  }

  // ---- templates ----

  private catalogue(): UploadCatalogue {
    return (this.catalogueCache ??= buildCatalogue(this.ledger.table()));
  }

  templateCatalogue(): TemplateCatalogueView {
    const kinds = this.kinds
      .list()
      .map((k) => ({ kind: k.kind, description: k.description, template: `/v1/uploads/templates/${k.kind}`, columns: [...k.columns()] }));
    return { ...describeCatalogue(this.ledger.table(), this.catalogue()), kinds };
  }

  async template(type: string, format: 'csv' | 'xlsx', lang: TemplateLanguage = 'en'): Promise<{ body: Buffer; filename: string; contentType: string }> {
    const kind = type === EVENTS_KIND ? undefined : this.kinds.get(type);
    if (kind) return kindTemplate(kind, format);
    const table = this.ledger.table();
    const catalogue = this.catalogue();
    const columns = templateColumns(table, catalogue, type);
    if (!columns) throw UploadErrors.templateNotFound(type, templateTypes(catalogue));
    const suffix = lang === 'en' ? '' : `.${lang}`;
    if (format === 'csv')
      return { body: Buffer.from(csvTemplate(columns, lang), 'utf8'), filename: `echelon-${type}${suffix}.csv`, contentType: 'text/csv; charset=utf-8' };
    return {
      body: await xlsxTemplate(table, catalogue, type, columns, lang),
      filename: `echelon-${type}${suffix}.xlsx`,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    };
  }
}

/** A registered kind's template: its header row (CSV), or the header row and a sheet documenting the columns (XLSX). */
async function kindTemplate(kind: UploadKind, format: 'csv' | 'xlsx'): Promise<{ body: Buffer; filename: string; contentType: string }> {
  const columns = [...kind.columns()];
  const filename = `echelon-${kind.kind}.${format}`;
  if (format === 'csv') return { body: Buffer.from(csvTemplate(columns), 'utf8'), filename, contentType: 'text/csv; charset=utf-8' };
  return { body: await kindXlsxTemplate(kind.kind, columns), filename, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
}

/** The columns of results.csv: firms match results by battery code and by their own event id, not by row number. */
export const RESULTS_CSV_COLUMNS = ['row', 'status', 'battery_codes', 'client_event_id', 'event_id', 'reasons', 'warnings'] as const;

interface StoredRowResult {
  row_no: number;
  status: UploadRowResult['status'];
  event_id: string | null;
  client_event_id: string | null;
  reasons: ErrorDetail[] | null;
  warnings: ErrorDetail[] | null;
  battery_codes: string[] | null;
}

/** `column: reason` pairs, one cell. */
export function formatReasons(reasons: ErrorDetail[] | null): string {
  return (reasons ?? []).map((r) => (r.path ? `${r.path}: ${r.reason}` : r.reason)).join('; ');
}

export function toUploadView(u: Upload): UploadView {
  const links = { self: `/v1/uploads/${u.id}`, results: `/v1/uploads/${u.id}/results.csv` };
  return {
    id: u.id,
    enterpriseId: u.enterpriseId,
    filename: u.filename,
    format: u.format,
    kind: u.kind,
    textEncoding: u.textEncoding,
    sizeBytes: Number(u.sizeBytes),
    sha256: u.sha256 ? u.sha256.toString('hex') : '',
    status: u.status,
    progress: {
      rowsProcessed: u.rowsProcessed,
      rowsTotal: u.rowsTotal,
      percent: u.rowsTotal === null ? null : u.rowsTotal === 0 ? 100 : Math.round((u.rowsProcessed / u.rowsTotal) * 1000) / 10,
    },
    counts: { accepted: u.accepted, duplicate: u.duplicate, rejected: u.rejected, warned: u.warned },
    error: u.error,
    attempts: u.attempts,
    createdAt: u.createdAt.toISOString(),
    startedAt: u.startedAt?.toISOString() ?? null,
    finishedAt: u.finishedAt?.toISOString() ?? null,
    updatedAt: u.updatedAt.toISOString(),
    links,
  };
}

function isAbort(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.message === 'aborted';
}
