import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance reports (BullMQ jobs): one row per report, unique by its identity (type, scope, period, deadline
 * tables, data watermark, calendar, as-of date) and generation (`regenerate: true` makes the next one), so asking
 * twice gives the same report. Its findings are rows of their own, written in pages as the job streams over the
 * ledger; a retried job (a worker killed mid-report) deletes its earlier attempt's rows first, so one result stays.
 */
export class ComplianceReports1795627100000 implements MigrationInterface {
  name = 'ComplianceReports1795627100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE compliance_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        identity text NOT NULL,
        generation integer NOT NULL DEFAULT 1,
        type text NOT NULL,
        scope text NOT NULL,
        scope_region text,
        scope_enterprise_id uuid,
        period_from date NOT NULL,
        period_to date NOT NULL,
        format text NOT NULL,
        rule_sets text NOT NULL,
        watermark text NOT NULL,
        calendar text NOT NULL,
        as_of timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
        progress integer NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        requested_by_kind text NOT NULL,
        requested_by_enterprise_id uuid,
        requested_by_regulator_id uuid,
        schedule text,
        summary jsonb,
        row_count integer,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT compliance_reports_identity_key UNIQUE (identity, generation)
      );
      CREATE INDEX compliance_reports_created_idx ON compliance_reports (created_at DESC, id DESC);
      CREATE INDEX compliance_reports_enterprise_idx ON compliance_reports (scope_enterprise_id, created_at DESC, id DESC);
      CREATE TABLE compliance_report_rows (
        report_id uuid NOT NULL REFERENCES compliance_reports (id),
        seq integer NOT NULL,
        section text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (report_id, seq)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compliance_report_rows; DROP TABLE compliance_reports;');
  }
}
