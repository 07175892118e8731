import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Actor } from '#libs/common';
import { RowOutcome, UploadKind, UploadKinds, UploadKindsModule } from '#libs/uploads';
import type { EntityManager } from 'typeorm';
import { bearer, startTestApp, TestApp } from './support/test-app';
import { createFirm, Firm } from './support/ledger-world';

/**
 * Upload kinds: a module registers a kind of spreadsheet (its columns and a batch handler) and the uploads
 * pipeline streams, stores, queues, processes and reports such files as it does lifecycle events. The kind here
 * records meter readings into a table the test creates; a negative reading is rejected, a reference seen before
 * is a duplicate.
 */
const readings: UploadKind = {
  kind: 'meter-readings',
  description: 'Meter readings (test kind)',
  columns: () => [
    { name: 'ref', kind: 'string', cell: 'text', required: true, description: 'The reading’s own reference' },
    { name: 'kwh', kind: 'number', cell: 'number', required: true, description: 'Energy read', example: '12.5' },
    { name: 'readAt', kind: 'date', cell: 'date', required: false, description: 'Day of the reading' },
  ],
  async ingest(rows: Record<string, unknown>[], actor: Actor, manager: EntityManager) {
    const enterpriseId = actor.principal.kind === 'enterprise' ? actor.principal.enterpriseId : null;
    const out: RowOutcome[] = [];
    for (const row of rows) {
      if ((row.kwh as number) < 0) {
        out.push({ status: 'rejected', reasons: [{ path: 'kwh', reason: 'must not be negative' }] });
        continue;
      }
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO test_readings (enterprise_id, ref, kwh, read_at) VALUES ($1, $2, $3, $4) ON CONFLICT (enterprise_id, ref) DO NOTHING RETURNING id::text`,
        [enterpriseId, row.ref, row.kwh, row.readAt ?? null],
      );
      if (inserted[0]) out.push({ status: 'accepted', recordId: inserted[0].id });
      else {
        const [earlier] = await manager.query('SELECT id::text FROM test_readings WHERE enterprise_id = $1 AND ref = $2', [enterpriseId, row.ref]);
        out.push({ status: 'duplicate', recordId: earlier.id });
      }
    }
    return out;
  },
};

@Injectable()
class RegistersKind implements OnModuleInit {
  constructor(private readonly kinds: UploadKinds) {}
  onModuleInit(): void {
    this.kinds.register(readings);
  }
}

@Module({ imports: [UploadKindsModule], providers: [RegistersKind] })
class TestKindModule {}

describe('upload kinds (a registered kind through the real pipeline and queue)', () => {
  let t: TestApp;
  let firm: Firm;

  beforeAll(async () => {
    t = await startTestApp({}, { imports: [TestKindModule] });
    await t.sql(
      'CREATE TABLE test_readings (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), enterprise_id uuid NOT NULL, ref text NOT NULL, kwh numeric NOT NULL, read_at date, UNIQUE (enterprise_id, ref))',
    );
    // The app runs as its own database role (libs/database roles.ts): a table made here by the test's role is granted to it.
    await t.sql(`GRANT SELECT, INSERT, UPDATE, DELETE ON test_readings TO ${t.config.databaseRoles.app}`);
    firm = await createFirm(t, '梯次利用公司', ['cascade_utiliser']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const upload = (kind: string | undefined, body: string, filename = 'readings.csv') =>
    t
      .http()
      .post(`/v1/uploads${kind ? `?kind=${kind}` : ''}`)
      .set(bearer(firm.key))
      .attach('file', Buffer.from(body), { filename, contentType: 'text/csv' });

  async function finished(id: string) {
    for (let i = 0; i < 300; i++) {
      const res = await t.http().get(`/v1/uploads/${id}`).set(bearer(firm.key)).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`upload ${id} did not finish`);
  }

  it('processes a file of the kind: records, duplicates and per-row rejections with the column named', async () => {
    const file = 'ref,kwh,readAt\r\nR1,12.5,2026-03-01\r\nR2,-1,\r\nR1,12.5,2026-03-01\r\n,3,\r\n';
    const res = await upload('meter-readings', file).expect(202);
    expect(res.body).toMatchObject({ kind: 'meter-readings', existing: false });
    const done = await finished(res.body.id);
    expect(done).toMatchObject({ status: 'completed', kind: 'meter-readings', counts: { accepted: 1, duplicate: 1, rejected: 2 } });
    const rows = await t.sql<{ id: string; ref: string; kwh: string; read_at: string }>(
      `SELECT id::text, ref, kwh::text, to_char(read_at, 'YYYY-MM-DD') AS read_at FROM test_readings`,
    );
    expect(rows).toEqual([{ id: expect.any(String), ref: 'R1', kwh: '12.5', read_at: '2026-03-01' }]);
    expect(
      done.results.items.map((r: { row: number; status: string; eventId: string | null; reasons: unknown[] }) => [r.row, r.status, r.eventId, r.reasons]),
    ).toEqual([
      [2, 'accepted', rows[0].id, []],
      [3, 'rejected', null, [{ path: 'kwh', reason: 'must not be negative' }]],
      [4, 'duplicate', rows[0].id, []],
      [5, 'rejected', null, [{ path: 'ref', reason: 'required' }]],
    ]);

    // The same bytes again are the same upload of that kind; as events they are another upload (and fail there).
    expect((await upload('meter-readings', file).expect(202)).body).toMatchObject({ id: res.body.id, existing: true });
    const asEvents = await upload(undefined, file).expect(202);
    expect(asEvents.body.id).not.toBe(res.body.id);
    expect(await finished(asEvents.body.id)).toMatchObject({ status: 'failed', kind: 'events', error: { code: 'UNKNOWN_COLUMNS' } });
  });

  it('fails a file that lacks a required column of the kind, naming it', async () => {
    const res = await upload('meter-readings', 'ref,readAt\r\nR9,2026-03-01\r\n').expect(202);
    expect(await finished(res.body.id)).toMatchObject({
      status: 'failed',
      error: { code: 'MISSING_COLUMNS', details: [{ path: 'kwh', reason: 'required column' }] },
    });
  });

  it('refuses an unknown kind before reading the file, naming the field and the kinds there are', async () => {
    const res = await upload('meter-readingz', 'ref,kwh\r\nR1,1\r\n').expect(422);
    // The app's own kinds (outlets) are listed too.
    expect(res.body.error).toMatchObject({
      code: 'UNKNOWN_UPLOAD_KIND',
      details: [{ path: 'kind', reason: expect.stringMatching(/^must be one of events, (.+, )?meter-readings$/) }],
    });
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM uploads WHERE kind = 'meter-readingz'`);
    expect(n).toBe(0);
  });

  it('offers the kind’s template (CSV and XLSX) and lists the kind in the template catalogue', async () => {
    const csv = await t.http().get('/v1/uploads/templates/meter-readings?format=csv').set(bearer(firm.key)).expect(200);
    expect(parseCsv(csv.text.replace(/^\uFEFF/, ''))).toEqual([['ref', 'kwh', 'readAt']]);
    const xlsx = await t.http().get('/v1/uploads/templates/meter-readings?format=xlsx').set(bearer(firm.key)).buffer(true).expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const catalogue = await t.http().get('/v1/uploads/templates').set(bearer(firm.key)).expect(200);
    expect(catalogue.body.kinds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'meter-readings', template: '/v1/uploads/templates/meter-readings', columns: expect.any(Array) }),
      ]),
    );
  });
});
