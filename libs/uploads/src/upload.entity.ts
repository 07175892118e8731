import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ErrorDetail } from '#libs/common';

export const UPLOAD_STATUSES = ['receiving', 'queued', 'processing', 'completed', 'failed'] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

export const ROW_STATUSES = ['accepted', 'duplicate', 'rejected'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export interface UploadError {
  code: string;
  message: string;
  details: ErrorDetail[];
}

/** A CSV/XLSX file of lifecycle events and the state of its background processing. */
@Entity('uploads')
export class Upload {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'enterprise_id', type: 'uuid' })
  enterpriseId: string;

  /** The key it was uploaded with: processing acts as that key. */
  @Column({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ type: 'text', nullable: true })
  filename: string | null;

  @Column({ type: 'text' })
  format: 'csv' | 'xlsx';

  /** What the rows are: `events` (lifecycle events for the ledger) or a kind another module registered (kinds.ts). */
  @Column({ type: 'text', default: 'events' })
  kind: string;

  /** The encoding a CSV file was read in (decided from its bytes when processed); null for XLSX or before processing. */
  @Column({ name: 'text_encoding', type: 'text', nullable: true })
  textEncoding: 'utf-8' | 'gb18030' | null;

  @Column({ type: 'bytea', nullable: true })
  sha256: Buffer | null;

  /** bigint comes back from pg as a string. */
  @Column({ name: 'size_bytes', type: 'bigint', default: 0 })
  sizeBytes: string;

  @Column({ name: 'chunk_count', type: 'int', default: 0 })
  chunkCount: number;

  @Column({ type: 'text', default: 'receiving' })
  status: UploadStatus;

  @Column({ name: 'rows_total', type: 'int', nullable: true })
  rowsTotal: number | null;

  @Column({ name: 'rows_processed', type: 'int', default: 0 })
  rowsProcessed: number;

  @Column({ type: 'int', default: 0 })
  accepted: number;

  @Column({ type: 'int', default: 0 })
  duplicate: number;

  @Column({ type: 'int', default: 0 })
  rejected: number;

  /** Rows recorded with at least one warning (accepted or duplicate). */
  @Column({ type: 'int', default: 0 })
  warned: number;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'jsonb', nullable: true })
  error: UploadError | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  receivedAt: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** One stored piece of an upload's file, in order of `seq`. */
@Entity('upload_chunks')
export class UploadChunk {
  @PrimaryColumn({ name: 'upload_id', type: 'uuid' })
  uploadId: string;

  @PrimaryColumn({ type: 'int' })
  seq: number;

  @Column({ type: 'bytea' })
  data: Buffer;
}

/** The outcome of one data row of an upload; `rowNo` is the row number a spreadsheet shows. */
@Entity('upload_row_results')
export class UploadRowResult {
  @PrimaryColumn({ name: 'upload_id', type: 'uuid' })
  uploadId: string;

  @PrimaryColumn({ name: 'row_no', type: 'int' })
  rowNo: number;

  @Column({ type: 'text' })
  status: RowStatus;

  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId: string | null;

  @Column({ name: 'client_event_id', type: 'text', nullable: true })
  clientEventId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  reasons: ErrorDetail[] | null;

  @Column({ type: 'jsonb', nullable: true })
  warnings: ErrorDetail[] | null;

  @Column({ name: 'battery_codes', type: 'text', array: true, nullable: true })
  batteryCodes: string[] | null;
}
