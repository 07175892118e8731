import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CSV/XLSX bulk uploads: the file itself (in ~1 MiB chunks, so a worker in another
 * container needs no shared disk), its processing state and one result per data row.
 */
export class Uploads1795600300000 implements MigrationInterface {
  name = 'Uploads1795600300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE uploads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        enterprise_id uuid NOT NULL REFERENCES enterprises (id),
        key_id uuid NOT NULL REFERENCES api_keys (id),
        request_id text,
        filename text,
        format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
        sha256 bytea CHECK (octet_length(sha256) = 32),
        size_bytes bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
        chunk_count int NOT NULL DEFAULT 0 CHECK (chunk_count >= 0),
        status text NOT NULL DEFAULT 'receiving'
          CHECK (status IN ('receiving', 'queued', 'processing', 'completed', 'failed')),
        rows_total int CHECK (rows_total >= 0),
        rows_processed int NOT NULL DEFAULT 0 CHECK (rows_processed >= 0),
        accepted int NOT NULL DEFAULT 0 CHECK (accepted >= 0),
        duplicate int NOT NULL DEFAULT 0 CHECK (duplicate >= 0),
        rejected int NOT NULL DEFAULT 0 CHECK (rejected >= 0),
        attempts int NOT NULL DEFAULT 0,
        error jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        received_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uploads_received_has_hash CHECK (status = 'receiving' OR (sha256 IS NOT NULL AND received_at IS NOT NULL))
      );
      -- The same file from the same enterprise is the same upload.
      CREATE UNIQUE INDEX uploads_enterprise_sha256_key ON uploads (enterprise_id, sha256) WHERE sha256 IS NOT NULL;
      CREATE INDEX uploads_enterprise_created_idx ON uploads (enterprise_id, created_at DESC, id DESC);
      CREATE INDEX uploads_created_idx ON uploads (created_at DESC, id DESC);
      CREATE INDEX uploads_receiving_idx ON uploads (created_at) WHERE status = 'receiving';

      CREATE TABLE upload_chunks (
        upload_id uuid NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
        seq int NOT NULL CHECK (seq >= 0),
        data bytea NOT NULL,
        PRIMARY KEY (upload_id, seq)
      );

      CREATE TABLE upload_row_results (
        upload_id uuid NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
        row_no int NOT NULL CHECK (row_no > 0),
        status text NOT NULL CHECK (status IN ('accepted', 'duplicate', 'rejected')),
        event_id uuid,
        client_event_id text,
        reasons jsonb,
        PRIMARY KEY (upload_id, row_no),
        CONSTRAINT upload_row_results_event CHECK ((status = 'rejected') = (event_id IS NULL))
      );
      CREATE INDEX upload_row_results_status_idx ON upload_row_results (upload_id, status, row_no);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE upload_row_results;
      DROP TABLE upload_chunks;
      DROP TABLE uploads;
    `);
  }
}
