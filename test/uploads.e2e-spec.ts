import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { format } from '#libs/battery-code';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { UploadProcessingService, UPLOADS_QUEUE } from '#libs/uploads';
import type { TestApp } from './support/test-app';
import { regulatorKey as regulatorKeyOf } from './support/ledger-world';
import { bearer, binaryBody, randomUscc, startTestApp } from './support/test-app';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A valid GB/T 34014 code of manufacturer `mfr`: product type P (pack), M or C, serial n. */
function code(mfr: string, n: number, productType: 'P' | 'M' | 'C' = 'P'): string {
  const r = format({
    manufacturerCode: mfr,
    productType,
    batteryType: 'B',
    specificationCode: '24',
    traceabilityCode: '0000003',
    productionDate: '2025-03-12',
    serial: n,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.code.code;
}

const VIN_VALUES: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
/** A VIN with a correct ISO 3779 check digit. */
function vin(n: number): string {
  const body = `LFV2A21K0G${String(n).padStart(7, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (/\d/.test(body[i]) ? Number(body[i]) : VIN_VALUES[body[i]]) * VIN_WEIGHTS[i];
  const check = sum % 11 === 10 ? 'X' : String(sum % 11);
  return body.slice(0, 8) + check + body.slice(9);
}

const csvLine = (cells: (string | number)[]) => cells.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',');
const csv = (rows: (string | number)[][]) => rows.map(csvLine).join('\r\n') + '\r\n';

interface UploadBody {
  id: string;
  status: string;
  existing?: boolean;
  format: string;
  textEncoding: string | null;
  filename: string | null;
  sizeBytes: number;
  sha256: string;
  progress: { rowsProcessed: number; rowsTotal: number | null; percent: number | null };
  counts: { accepted: number; duplicate: number; rejected: number; warned: number };
  error: { code: string; message: string; details: { path?: string; reason: string }[] } | null;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  links: { self: string; results: string };
  results: {
    items: {
      row: number;
      status: string;
      eventId: string | null;
      clientEventId: string | null;
      batteryCodes: string[];
      reasons: { path?: string; reason: string }[];
      warnings: { path?: string; reason: string; code?: string }[];
    }[];
    nextCursor: string | null;
  };
}

describe('bulk uploads (CSV/XLSX through a real queue and the real ledger)', () => {
  let t: TestApp;
  const admin = () => bearer(t.adminKey);
  let maker: { id: string; uscc: string; key: string };
  let vehicleMaker: { id: string; uscc: string; key: string };
  let stranger: { id: string; key: string };

  async function enterprise(roles: string[], regionCode = '350902') {
    const e = (
      await t
        .http()
        .post('/v1/enterprises')
        .set(admin())
        .send({ name: `Co ${roles.join('/')}`, uscc: randomUscc(), roles, regionCode })
        .expect(201)
    ).body;
    const key = (await t.http().post(`/v1/enterprises/${e.id}/api-keys`).set(admin()).send({ name: 'erp' }).expect(201)).body.key as string;
    return { id: e.id as string, uscc: e.uscc as string, key };
  }
  const regulatorKey = (regionPrefix?: string) => regulatorKeyOf(t, regionPrefix);

  const uploadCsv = (key: string, body: string | Buffer, filename = 'events.csv') =>
    t.http().post('/v1/uploads').set(bearer(key)).attach('file', Buffer.from(body), { filename, contentType: 'text/csv' });

  async function finished(id: string, key: string, timeoutMs = 60_000): Promise<UploadBody> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await t.http().get(`/v1/uploads/${id}`).set(bearer(key)).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body as UploadBody;
      if (Date.now() > until) throw new Error(`upload ${id} still ${res.body.status}: ${JSON.stringify(res.body.progress)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    maker = await enterprise(['battery_maker']);
    vehicleMaker = await enterprise(['vehicle_maker']);
    stranger = await enterprise(['recycler'], '110101');
    await t.http().post('/v1/manufacturer-codes').set(admin()).send({ code: '0U1', enterpriseId: maker.id, certificateDate: '2018-03-01' }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  const PRODUCE = ['type', 'batteryCodes', 'occurredAt', 'clientEventId', 'nominalCapacityAh', 'nominalVoltageV', 'counterpartyUscc', 'processedMassKg'];

  describe('a CSV of a small lifecycle', () => {
    let upload: UploadBody;
    const p1 = () => code('0U1', 1);
    const p2 = () => code('0U1', 2);
    // Accepted rows, a blank line, and rows rejected for a bad number, a broken rule and an unknown type.
    const lifecycleFile = () =>
      csv([
        PRODUCE,
        ['produced', p1(), '2026-04-02 09:00', 'csv-1', 150, 350.4, ''],
        ['produced', p2(), '2026/4/2 09:05', 'csv-2', '150', '350.4', ''],
        [],
        ['produced', code('0U1', 3), '2026-04-02', 'csv-3', 'lots', 350, ''],
        ['delivered', `${p1()};${p2()}`, '2026-04-03T10:00:00+08:00', 'csv-4', '', '', vehicleMaker.uscc],
        ['recycled', p1(), '2026-04-04', 'csv-5', '', '', '', 380],
        ['teleported', p1(), '2026-04-04', 'csv-6', '', '', ''],
      ]);

    beforeAll(async () => {
      const file = lifecycleFile();
      const res = await uploadCsv(maker.key, file, 'lifecycle.csv').expect(202);
      expect(res.headers.location).toBe(`/v1/uploads/${res.body.id}`);
      expect(res.body).toMatchObject({ existing: false, format: 'csv', filename: 'lifecycle.csv', sizeBytes: Buffer.byteLength(file) });
      expect(['queued', 'processing', 'completed']).toContain(res.body.status);
      upload = await finished(res.body.id, maker.key);
    });

    it('processes every data row, blank rows skipped, with counts and progress', () => {
      expect(upload).toMatchObject({
        status: 'completed',
        textEncoding: 'utf-8',
        error: null,
        attempts: 1,
        progress: { rowsProcessed: 6, rowsTotal: 6, percent: 100 },
        counts: { accepted: 3, duplicate: 0, rejected: 3, warned: 2 },
      });
    });

    it('carries the warnings of recorded rows, as POST /v1/events gives them, and the codes each row named', () => {
      const byRow = new Map(upload.results.items.map((r) => [r.row, r]));
      // No coding rule is filed for specification code 24 of 0U1: a warning (UNFILED_SPEC_CODE=warn), not a rejection.
      expect(byRow.get(2)!.warnings).toEqual([expect.objectContaining({ code: 'SPECIFICATION_CODE_UNFILED', path: 'batteryCodes[0]' })]);
      expect(byRow.get(6)!.warnings).toEqual([]);
      expect(byRow.get(6)!.batteryCodes).toEqual([p1(), p2()]);
      expect(byRow.get(5)!.batteryCodes).toEqual([code('0U1', 3)]);
    });

    it('reports each row by its spreadsheet row number, rejections naming the column and the rule', () => {
      const byRow = new Map(upload.results.items.map((r) => [r.row, r]));
      expect([...byRow.keys()]).toEqual([2, 3, 5, 6, 7, 8]);
      expect(byRow.get(2)).toMatchObject({ status: 'accepted', clientEventId: 'csv-1', eventId: expect.stringMatching(/^[0-9a-f-]{36}$/), reasons: [] });
      expect(byRow.get(5)).toMatchObject({
        status: 'rejected',
        eventId: null,
        clientEventId: 'csv-3',
        reasons: [{ path: 'nominalCapacityAh', reason: "'lots' is not a number" }],
      });
      expect(byRow.get(6)).toMatchObject({ status: 'accepted', clientEventId: 'csv-4' });
      // A rule of the ledger: the reason names it, as POST /v1/events does.
      expect(byRow.get(7)).toMatchObject({ status: 'rejected', eventId: null, clientEventId: 'csv-5' });
      expect(byRow.get(7)!.reasons).toEqual([
        expect.objectContaining({ path: 'type', rule: 'ROLE' }),
        expect.objectContaining({
          path: 'batteryCodes[0]',
          rule: 'STATE_TRANSITION',
          reason: expect.stringContaining("'recycled' is not allowed after 'delivered'"),
        }),
      ]);
      expect(byRow.get(8)!.reasons).toEqual([{ path: 'type', reason: expect.stringContaining("'teleported' is not an event type") }]);
    });

    it('records the events as the uploading enterprise, exactly once', async () => {
      const events = await t.sql<{ type: string; client_event_id: string; reporter_enterprise_id: string; reporter_key_id: string }>(
        `SELECT type, client_event_id, reporter_enterprise_id, reporter_key_id FROM lifecycle_events WHERE client_event_id LIKE 'csv-%' ORDER BY client_event_id`,
      );
      expect(events.map((e) => [e.type, e.client_event_id])).toEqual([
        ['produced', 'csv-1'],
        ['produced', 'csv-2'],
        ['delivered', 'csv-4'],
      ]);
      expect(new Set(events.map((e) => e.reporter_enterprise_id))).toEqual(new Set([maker.id]));
      const stored = await t.sql<{ chunks: string }>('SELECT count(*) AS chunks FROM upload_chunks WHERE upload_id = $1', [upload.id]);
      expect(stored[0].chunks).toBe('0');
    });

    it('filters and pages the row results', async () => {
      const rejected = await t.http().get(`/v1/uploads/${upload.id}?status=rejected&limit=2`).set(bearer(maker.key)).expect(200);
      expect(rejected.body.results.items.map((r: { row: number }) => r.row)).toEqual([5, 7]);
      const next = await t
        .http()
        .get(`/v1/uploads/${upload.id}?status=rejected&limit=2&cursor=${rejected.body.results.nextCursor}`)
        .set(bearer(maker.key))
        .expect(200);
      expect(next.body.results).toEqual({ items: [expect.objectContaining({ row: 8 })], nextCursor: null });
      await t.http().get(`/v1/uploads/${upload.id}?cursor=bm9wZQ`).set(bearer(maker.key)).expect(422);
      // Row numbers beyond the column's range, and list positions that are not instants, are refused before SQL.
      for (const forged of [{ row: 3_000_000_000 }, { row: 1e300 }, { row: '2' }, { row: -1 }]) {
        const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
        expect((await t.http().get(`/v1/uploads/${upload.id}?cursor=${cursor}`).set(bearer(maker.key)).expect(422)).body.error.code).toBe('INVALID_CURSOR');
      }
      const badAt = Buffer.from(JSON.stringify({ at: '2026-02-30T00:00:00.000000Z', id: upload.id })).toString('base64url');
      expect((await t.http().get(`/v1/uploads?cursor=${badAt}`).set(bearer(maker.key)).expect(422)).body.error.code).toBe('INVALID_CURSOR');
      await t.http().get(`/v1/uploads/${upload.id}?status=maybe`).set(bearer(maker.key)).expect(422);
    });

    it('downloads all row results as CSV', async () => {
      const res = await t.http().get(`/v1/uploads/${upload.id}/results.csv`).set(bearer(maker.key)).buffer(true).parse(binaryBody).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="upload-${upload.id}-results.csv"`);
      const rows = parseCsv(res.body as Buffer, { bom: true }) as string[][];
      expect(rows[0]).toEqual(['row', 'status', 'battery_codes', 'client_event_id', 'event_id', 'reasons', 'warnings']);
      expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
        ['2', 'accepted', p1(), 'csv-1'],
        ['3', 'accepted', p2(), 'csv-2'],
        ['5', 'rejected', code('0U1', 3), 'csv-3'],
        ['6', 'accepted', `${p1()};${p2()}`, 'csv-4'],
        ['7', 'rejected', p1(), 'csv-5'],
        ['8', 'rejected', p1(), 'csv-6'],
      ]);
      expect(rows[3][5]).toBe("nominalCapacityAh: 'lots' is not a number");
      expect(rows[1][4]).toBe(upload.results.items[0].eventId);
      expect(rows[1][6]).toMatch(/^batteryCodes\[0\]: no coding rule for specification code 24/);
      expect(rows[4][6]).toBe('');
    });

    it('answers the same file again with the same upload and no second processing', async () => {
      const before = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM lifecycle_events`);
      const file = lifecycleFile();
      const again = await uploadCsv(maker.key, file, 'renamed.csv').expect(202);
      expect(again.body).toMatchObject({ id: upload.id, existing: true, status: 'completed', filename: 'lifecycle.csv' });
      const raw = await t.http().post('/v1/uploads?filename=x.csv').set(bearer(maker.key)).set('Content-Type', 'text/csv').send(file).expect(202);
      expect(raw.body).toMatchObject({ id: upload.id, existing: true });
      const after = await finished(upload.id, maker.key);
      expect(after.attempts).toBe(1);
      expect(await t.sql<{ n: string }>(`SELECT count(*) AS n FROM lifecycle_events`)).toEqual(before);
      expect(
        await t.sql<{ n: string }>('SELECT count(*) AS n FROM uploads WHERE enterprise_id = $1 AND sha256 = decode($2, $3)', [maker.id, upload.sha256, 'hex']),
      ).toEqual([{ n: '1' }]);
    });

    it('is visible to its enterprise, administrators and regulators of its region, and no one else', async () => {
      await t.http().get(`/v1/uploads/${upload.id}`).set(admin()).expect(200);
      await t
        .http()
        .get(`/v1/uploads/${upload.id}`)
        .set(bearer(await regulatorKey('35')))
        .expect(200);
      await t
        .http()
        .get(`/v1/uploads/${upload.id}`)
        .set(bearer(await regulatorKey()))
        .expect(200);
      const other = await t
        .http()
        .get(`/v1/uploads/${upload.id}`)
        .set(bearer(await regulatorKey('11')))
        .expect(404);
      expect(other.body.error.code).toBe('UPLOAD_NOT_FOUND');
      await t.http().get(`/v1/uploads/${upload.id}`).set(bearer(stranger.key)).expect(404);
      await t.http().get(`/v1/uploads/${upload.id}/results.csv`).set(bearer(stranger.key)).expect(404);
      await t.http().get('/v1/uploads/not-a-uuid').set(bearer(maker.key)).expect(404);
    });

    it("lists the caller's uploads", async () => {
      const mine = await t.http().get('/v1/uploads').set(bearer(maker.key)).expect(200);
      expect(mine.body.items.map((u: { id: string }) => u.id)).toContain(upload.id);
      const theirs = await t.http().get('/v1/uploads').set(bearer(stranger.key)).expect(200);
      expect(theirs.body.items.map((u: { id: string }) => u.id)).not.toContain(upload.id);
      const regional = await t
        .http()
        .get('/v1/uploads')
        .set(bearer(await regulatorKey('11')))
        .expect(200);
      expect(regional.body.items.map((u: { id: string }) => u.id)).not.toContain(upload.id);
    });
  });

  it('processes an XLSX workbook sent as the raw body: date cells, number cells, the first sheet only', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('events');
    ws.addRow(['type', 'batteryCodes', 'occurredAt', 'clientEventId', 'vin', 'vehicleModel']);
    ws.addRow(['installed', code('0U1', 1), new Date(Date.UTC(2026, 3, 5, 14, 0)), 'xlsx-1', vin(1), 'EX5']);
    ws.addRow(['installed', code('0U1', 2), '2026-04-05 14:10', 'xlsx-2', vin(2), { richText: [{ text: 'EX' }, { text: '6' }] }]);
    ws.addRow(['installed', code('0U1', 2), '2026-04-05 14:20', 'xlsx-3', 'LFV2A21K0G0000003', 'EX6']);
    ws.getCell('C2').numFmt = 'yyyy-mm-dd hh:mm';
    wb.addWorksheet('notes').addRow(['not', 'read']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());

    const res = await t.http().post('/v1/uploads?filename=install.xlsx').set(bearer(vehicleMaker.key)).set('Content-Type', XLSX).send(file).expect(202);
    expect(res.body).toMatchObject({ format: 'xlsx', filename: 'install.xlsx' });
    const done = await finished(res.body.id, vehicleMaker.key);
    expect(done).toMatchObject({
      status: 'completed',
      textEncoding: null,
      counts: { accepted: 2, duplicate: 0, rejected: 1 },
      progress: { rowsTotal: 3, rowsProcessed: 3 },
    });
    const rows = await t.sql<{ client_event_id: string; occurred_at: Date; vin: string; payload: Record<string, unknown> }>(
      `SELECT client_event_id, occurred_at, vin, payload FROM lifecycle_events WHERE client_event_id LIKE 'xlsx-%' ORDER BY client_event_id`,
    );
    // A date cell holds Beijing wall-clock time.
    expect(rows.map((r) => [r.client_event_id, r.occurred_at.toISOString(), r.vin, r.payload.vehicleModel])).toEqual([
      ['xlsx-1', '2026-04-05T06:00:00.000Z', vin(1), 'EX5'],
      ['xlsx-2', '2026-04-05T06:10:00.000Z', vin(2), 'EX6'],
    ]);
    const rejected = done.results.items.find((r) => r.row === 4)!;
    expect(rejected).toMatchObject({ status: 'rejected', clientEventId: 'xlsx-3' });
    expect(rejected.reasons.map((r) => r.path)).toContain('vin');
  });

  it('fails a file with unknown columns as a whole, listing them and the allowed ones', async () => {
    const res = await uploadCsv(
      maker.key,
      csv([
        ['type', 'batteryCodes', 'occuredAt', 'colour'],
        ['produced', code('0U1', 9), '2026-04-02', 'red'],
      ]),
    ).expect(202);
    const done = await finished(res.body.id, maker.key);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({
      code: 'UNKNOWN_COLUMNS',
      details: [
        { path: 'C', reason: "unknown column 'occuredAt'" },
        { path: 'D', reason: "unknown column 'colour'" },
      ],
    });
    expect(done.error!.message).toContain('Allowed columns: type, batteryCodes, occurredAt');
    expect(done.attempts).toBe(1);
    expect(done.results.items).toEqual([]);
    // The same file again is the same, final, answer.
    const again = await uploadCsv(
      maker.key,
      csv([
        ['type', 'batteryCodes', 'occuredAt', 'colour'],
        ['produced', code('0U1', 9), '2026-04-02', 'red'],
      ]),
    ).expect(202);
    expect(again.body).toMatchObject({ id: res.body.id, status: 'failed', existing: true });
  });

  it('answers NUL characters in a file as a final failure (header) or a row rejection (cell), never a stuck upload', async () => {
    // A NUL in the header: the failure quotes the column, and PostgreSQL stores no NUL: U+FFFD takes its place.
    const header = await uploadCsv(maker.key, `type,batteryCodes\u0000,occurredAt\r\nproduced,${code('0U1', 51)},2026-04-02\r\n`).expect(202);
    const failed = await finished(header.body.id, maker.key);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'UNKNOWN_COLUMNS', details: [{ path: 'B', reason: "unknown column 'batteryCodes\ufffd'" }] },
    });
    // Its job is recorded as failed too (BullMQ could not store a message with a NUL: the failure went unrecorded).
    const queue = t.app.get<Queue>(getQueueToken(UPLOADS_QUEUE));
    const job = (await queue.getJob(header.body.id))!;
    for (let i = 0; i < 100 && (await job.getState()) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await job.getState()).toBe('failed');
    const recorded = (await queue.getJob(header.body.id))!;
    expect(recorded.failedReason).toContain('batteryCodes\ufffd');
    // A NUL in a cell: that row is rejected, quoting the value the same way; the other rows are recorded.
    const cells = csv([
      ['type', 'batteryCodes', 'occurredAt', 'clientEventId', 'nominalCapacityAh', 'nominalVoltageV'],
      ['produced', `${code('0U1', 52)}\u0000`, '2026-04-02', 'nul-1', 150, 350.4],
      ['produced', code('0U1', 53), '2026-04-02', 'nul-2', 150, 350.4],
    ]);
    const res = await uploadCsv(maker.key, cells, 'nul.csv').expect(202);
    const done = await finished(res.body.id, maker.key);
    expect(done).toMatchObject({ status: 'completed', attempts: 1, counts: { accepted: 1, duplicate: 0, rejected: 1 } });
    expect(done.results.items[0]).toMatchObject({
      row: 2,
      status: 'rejected',
      reasons: [expect.objectContaining({ path: 'batteryCodes[0]', rule: 'BATTERY_CODE', reason: expect.stringContaining('\ufffd') })],
    });
    expect(JSON.stringify(done.results.items)).not.toContain('\\u0000');
  });

  it('reads a GBK CSV, as Excel on Chinese Windows saves it, as GB18030 and says so', async () => {
    // clientEventIds 梯次-1 and 梯次-2 in GBK (梯 CCDD, 次 B4CE); the rest is ASCII.
    const gbk = (s: string) => Buffer.from(s.replace(/梯次/g, '\u00cc\u00dd\u00b4\u00ce'), 'latin1');
    const file = gbk(
      csv([
        ['type', 'batteryCodes', 'occurredAt', 'clientEventId', 'nominalCapacityAh', 'nominalVoltageV'],
        ['produced', code('0U1', 41), '2026-04-02', '梯次-1', 150, 350.4],
        ['produced', code('0U1', 42), '2026-04-02', '梯次-2', 150, 350.4],
      ]),
    );
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(file)).toThrow();
    const res = await uploadCsv(maker.key, file, 'gbk.csv').expect(202);
    const done = await finished(res.body.id, maker.key);
    expect(done).toMatchObject({ status: 'completed', textEncoding: 'gb18030', counts: { accepted: 2, duplicate: 0, rejected: 0 } });
    expect(done.results.items.map((r) => r.clientEventId)).toEqual(['梯次-1', '梯次-2']);
    const stored = await t.sql<{ client_event_id: string }>(
      `SELECT client_event_id FROM lifecycle_events WHERE reporter_enterprise_id = $1 AND client_event_id LIKE '梯次-%' ORDER BY 1`,
      [maker.id],
    );
    expect(stored.map((r) => r.client_event_id)).toEqual(['梯次-1', '梯次-2']);
  });

  it('fails a CSV that is neither UTF-8 nor GB18030 with a clear error, recording nothing', async () => {
    const file = Buffer.concat([
      Buffer.from(
        `type,batteryCodes,occurredAt,clientEventId,nominalCapacityAh,nominalVoltageV\r\nproduced,${code('0U1', 43)},2026-04-02,enc-1,150,350.4\r\nproduced,`,
      ),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\r\n'),
    ]);
    const res = await uploadCsv(maker.key, file).expect(202);
    const done = await finished(res.body.id, maker.key);
    expect(done).toMatchObject({ status: 'failed', textEncoding: null, attempts: 1, progress: { rowsProcessed: 0 } });
    expect(done.error).toMatchObject({ code: 'UNSUPPORTED_TEXT_ENCODING', message: expect.stringContaining('CSV UTF-8') });
    expect(done.error!.message).toContain('neither UTF-8 nor GB18030');
    expect(await t.sql(`SELECT 1 FROM lifecycle_events WHERE client_event_id = 'enc-1'`)).toEqual([]);
  });

  it('processes a file of thousands of rows in batches, pages through its results', async () => {
    const n = 2600;
    const rows: (string | number)[][] = [['type', 'batteryCodes', 'occurredAt', 'clientEventId', 'nominalCapacityAh', 'nominalVoltageV']];
    for (let i = 0; i < n; i++) rows.push(['produced', code('0U1', 100_000 + i, 'C'), '2026-04-06 08:00', `bulk-${i}`, i === 1234 ? -5 : 280, 3.2]);
    const res = await uploadCsv(maker.key, csv(rows), 'cells.csv').expect(202);
    const done = await finished(res.body.id, maker.key, 120_000);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsTotal: n, rowsProcessed: n }, counts: { accepted: n - 1, duplicate: 0, rejected: 1 } });
    expect((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM lifecycle_events WHERE client_event_id LIKE 'bulk-%'`))[0].n).toBe(String(n - 1));
    const batches = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE entity_id = $1 AND action = 'upload.batch_processed'`, [done.id]);
    expect(batches[0].n).toBe(String(Math.ceil(n / 500)));
    const rejected = await t.http().get(`/v1/uploads/${done.id}?status=rejected`).set(bearer(maker.key)).expect(200);
    expect(rejected.body.results.items).toEqual([expect.objectContaining({ row: 1236, clientEventId: 'bulk-1234' })]);
    expect(rejected.body.results.items[0].reasons[0].path).toBe('nominalCapacityAh');
    let seen = 0;
    let cursor: string | null = null;
    do {
      const page: { body: UploadBody } = await t
        .http()
        .get(`/v1/uploads/${done.id}?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
        .set(bearer(maker.key))
        .expect(200);
      seen += page.body.results.items.length;
      cursor = page.body.results.nextCursor;
    } while (cursor);
    expect(seen).toBe(n);
    const all = await t.http().get(`/v1/uploads/${done.id}/results.csv`).set(bearer(maker.key)).buffer(true).parse(binaryBody).expect(200);
    expect((parseCsv(all.body as Buffer, { bom: true }) as string[][]).length).toBe(n + 1);
  });

  it('works on a small upload while a large one is still being processed (UPLOAD_CONCURRENCY, default 2)', async () => {
    const header = ['type', 'batteryCodes', 'occurredAt', 'clientEventId', 'nominalCapacityAh', 'nominalVoltageV'];
    const large: (string | number)[][] = [header];
    for (let i = 0; i < 3000; i++) large.push(['produced', code('0U1', 300_000 + i, 'C'), '2026-04-06 08:00', `large-${i}`, 280, 3.2]);
    const small = [header, ['produced', code('0U1', 400_000, 'C'), '2026-04-06 08:00', 'small-1', 280, 3.2]];
    const first = await uploadCsv(maker.key, csv(large), 'large.csv').expect(202);
    const second = await uploadCsv(maker.key, csv(small), 'small.csv').expect(202);
    const [bigDone, smallDone] = await Promise.all([finished(first.body.id, maker.key, 120_000), finished(second.body.id, maker.key)]);
    expect(bigDone).toMatchObject({ status: 'completed', counts: { accepted: 3000 } });
    expect(smallDone).toMatchObject({ status: 'completed', counts: { accepted: 1 } });
    // One at a time, the small file would start only once the large one had finished (its finished_at is written
    // before the job ends and the worker takes the next).
    expect(Date.parse(smallDone.startedAt!)).toBeLessThan(Date.parse(bigDone.finishedAt!));
  });

  it('resumes after a crash between the ledger and the row results without losing or duplicating a row', async () => {
    // The third batch's row results fail to store once, after the ledger has written that batch's events in the same
    // transaction: the job attempt fails, and the retry must resume at that batch.
    await t.sql(`CREATE SEQUENCE crash_once`);
    // The trigger runs as the app's database role, which may use only what it is granted (libs/database roles.ts).
    await t.sql(`GRANT USAGE ON SEQUENCE crash_once TO ${t.config.databaseRoles.app}`);
    await t.sql(`CREATE FUNCTION crash_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.row_no = 1002 AND nextval('crash_once') = 1 THEN RAISE EXCEPTION 'simulated crash'; END IF;
        RETURN NEW;
      END $$`);
    await t.sql(`CREATE TRIGGER crash_once BEFORE INSERT ON upload_row_results FOR EACH ROW EXECUTE FUNCTION crash_once()`);
    try {
      const n = 1700;
      const rows: (string | number)[][] = [['type', 'batteryCodes', 'occurredAt', 'nominalCapacityAh', 'nominalVoltageV']];
      // No client event ids: the content hash alone must recognise the events sent again.
      for (let i = 0; i < n; i++) rows.push(['produced', code('0U1', 200_000 + i, 'C'), '2026-04-07 08:00', 280, 3.2]);
      rows.splice(1500, 0, ['produced', code('0U1', 200_000, 'C'), '2026-04-07 08:00', 280, 3.2]);
      const res = await uploadCsv(maker.key, csv(rows), 'crash.csv').expect(202);
      const done = await finished(res.body.id, maker.key, 120_000);
      expect(done).toMatchObject({
        status: 'completed',
        textEncoding: 'utf-8',
        attempts: 2,
        progress: { rowsTotal: n + 1, rowsProcessed: n + 1 },
        counts: { accepted: n, duplicate: 1, rejected: 0 },
      });

      const events = await t.sql<{ n: string; distinct_codes: string }>(
        `SELECT count(*) AS n, count(DISTINCT battery_codes[1]) AS distinct_codes FROM lifecycle_events WHERE occurred_at = '2026-04-07T00:00:00Z'`,
      );
      expect(events).toEqual([{ n: String(n), distinct_codes: String(n) }]);
      const results = await t.sql<{ n: string; rows: string; events: string; accepted: string }>(
        `SELECT count(*) AS n, count(DISTINCT row_no) AS rows, count(DISTINCT event_id) AS events, count(*) FILTER (WHERE status = 'accepted') AS accepted
           FROM upload_row_results WHERE upload_id = $1`,
        [done.id],
      );
      expect(results).toEqual([{ n: String(n + 1), rows: String(n + 1), events: String(n), accepted: String(n) }]);
      const dup = await t.http().get(`/v1/uploads/${done.id}?status=duplicate`).set(bearer(maker.key)).expect(200);
      const first = await t.http().get(`/v1/uploads/${done.id}?limit=1`).set(bearer(maker.key)).expect(200);
      expect(dup.body.results.items).toEqual([expect.objectContaining({ row: 1501, eventId: first.body.results.items[0].eventId })]);
      const batches = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE entity_id = $1 AND action = 'upload.batch_processed'`, [done.id]);
      expect(batches).toEqual([{ n: '4' }]);

      // Processing a finished upload again changes nothing.
      const again = await t.app.get(UploadProcessingService).process(done.id, { attemptsMade: 0, maxAttempts: 1 });
      expect(again).toEqual({ uploadId: done.id, status: 'completed', rowsProcessed: n + 1, accepted: n, duplicate: 1, rejected: 0 });
      expect(await t.sql(`SELECT count(*) AS n FROM lifecycle_events WHERE occurred_at = '2026-04-07T00:00:00Z'`)).toEqual([{ n: String(n) }]);
    } finally {
      await t.sql('DROP TRIGGER crash_once ON upload_row_results; DROP FUNCTION crash_once(); DROP SEQUENCE crash_once');
    }
  });

  describe('refusals', () => {
    it('only enterprises upload', async () => {
      const byAdmin = await t.http().post('/v1/uploads').set(admin()).set('Content-Type', 'text/csv').send('type\n').expect(403);
      expect(byAdmin.body.error.code).toBe('UPLOAD_ENTERPRISES_ONLY');
      await t
        .http()
        .post('/v1/uploads')
        .set(bearer(await regulatorKey()))
        .set('Content-Type', 'text/csv')
        .send('type\n')
        .expect(403);
      await t.http().post('/v1/uploads').set('Content-Type', 'text/csv').send('type\n').expect(401);
    });

    it('refuses other media types, empty files and stray multipart fields with clear errors', async () => {
      const json = await t.http().post('/v1/uploads').set(bearer(maker.key)).send({ events: [] }).expect(415);
      expect(json.body.error).toMatchObject({ code: 'UPLOAD_UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('multipart/form-data') });
      await t.http().post('/v1/uploads').set(bearer(maker.key)).set('Content-Type', 'image/png').send(Buffer.from('x')).expect(415);
      const pdf = await t
        .http()
        .post('/v1/uploads')
        .set(bearer(maker.key))
        .attach('file', Buffer.from('%PDF'), { filename: 'a.pdf', contentType: 'application/pdf' })
        .expect(415);
      expect(pdf.body.error.code).toBe('UPLOAD_UNSUPPORTED_MEDIA_TYPE');
      const empty = await t.http().post('/v1/uploads').set(bearer(maker.key)).set('Content-Type', 'text/csv').send('').expect(422);
      expect(empty.body.error.code).toBe('UPLOAD_FILE_EMPTY');
      const field = await t
        .http()
        .post('/v1/uploads')
        .set(bearer(maker.key))
        .field('note', 'hi')
        .attach('file', Buffer.from('type\n'), { filename: 'a.csv', contentType: 'text/csv' })
        .expect(422);
      expect(field.body.error.code).toBe('UPLOAD_MALFORMED_MULTIPART');
      const wrongPart = await t
        .http()
        .post('/v1/uploads')
        .set(bearer(maker.key))
        .attach('document', Buffer.from('type\n'), { filename: 'a.csv', contentType: 'text/csv' })
        .expect(422);
      expect(wrongPart.body.error.details).toEqual([{ path: 'document', reason: "unknown field; only 'file' is accepted" }]);
      expect(await t.sql(`SELECT id FROM uploads WHERE status = 'receiving'`)).toEqual([]);
    });
  });

  describe('templates', () => {
    it('documents every column', async () => {
      const res = await t.http().get('/v1/uploads/templates').set(bearer(maker.key)).expect(200);
      const col = (name: string) => res.body.columns.find((c: { name: string }) => c.name === name);
      expect(col('occurredAt')).toMatchObject({ kind: 'datetime', cell: 'datetime', required: true });
      expect(col('counterpartyUscc')).toMatchObject({ required: false, requiredFor: expect.arrayContaining(['delivered']) });
      expect(col('scrapCertificateNo')).toMatchObject({ types: ['vehicle_scrapped'], requiredFor: ['vehicle_scrapped'] });
      expect(col('payload')).toBeUndefined();
      expect(res.body.types.find((x: { type: string }) => x.type === 'installed').columns).toEqual(expect.arrayContaining(['vin', 'vehicleModel']));
    });

    it('serves a CSV template per event type and one of every column', async () => {
      const delivered = await t.http().get('/v1/uploads/templates/delivered?format=csv').set(bearer(maker.key)).buffer(true).parse(binaryBody).expect(200);
      expect(delivered.headers['content-type']).toBe('text/csv; charset=utf-8');
      const header = (delivered.body as Buffer).toString('utf8');
      expect(header.startsWith('\uFEFFtype,batteryCodes,occurredAt,')).toBe(true);
      expect(header).toContain('counterpartyUscc');
      expect(header).not.toContain('vin');
      const all = await t.http().get('/v1/uploads/templates/events').set(bearer(maker.key)).buffer(true).parse(binaryBody).expect(200);
      expect((all.body as Buffer).toString('utf8')).toContain('recoveredLithiumKg');
    });

    it('serves an XLSX template that reads back as an upload header', async () => {
      const res = await t.http().get('/v1/uploads/templates/recycled?format=xlsx').set(bearer(maker.key)).buffer(true).parse(binaryBody).expect(200);
      expect(res.headers['content-type']).toBe(XLSX);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['events', 'columns', 'types']);
      expect((wb.getWorksheet('events')!.getRow(1).values as unknown[]).slice(1)).toEqual(
        expect.arrayContaining(['type', 'batteryCodes', 'occurredAt', 'processedMassKg']),
      );
      // The template itself is a valid (empty) upload.
      const up = await t
        .http()
        .post('/v1/uploads')
        .set(bearer(maker.key))
        .attach('file', res.body as Buffer, { filename: 'recycled.xlsx', contentType: XLSX })
        .expect(202);
      expect(await finished(up.body.id, maker.key)).toMatchObject({ status: 'completed', progress: { rowsTotal: 0, rowsProcessed: 0 } });
    });

    it('serves Chinese templates (?lang=zh-CN), CSV and XLSX with its documentation sheet, which read back as uploads', async () => {
      const csvRes = await t.http().get('/v1/uploads/templates/delivered?lang=zh-CN').set(bearer(maker.key)).buffer(true).parse(binaryBody).expect(200);
      expect((csvRes.body as Buffer).toString('utf8').startsWith('\uFEFF类型,电池编码,发生时间,')).toBe(true);
      expect(csvRes.headers['content-disposition']).toContain('echelon-delivered.zh-CN.csv');
      const res = await t.http().get('/v1/uploads/templates/recycled?format=xlsx&lang=zh-CN').set(bearer(maker.key)).buffer(true).parse(binaryBody).expect(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as ArrayBuffer);
      expect((wb.getWorksheet('events')!.getRow(1).values as unknown[]).slice(1)).toEqual(
        expect.arrayContaining(['类型', '电池编码', '发生时间', '处理质量(kg)']),
      );
      const docs = wb.getWorksheet('columns')!;
      expect((docs.getRow(1).values as unknown[]).slice(1)).toEqual(['列名', 'JSON 字段', '必填的事件类型', '字段种类', '适用的事件类型', '说明', '允许的值']);
      const texts = docs
        .getSheetValues()
        .flat()
        .filter((v): v is string => typeof v === 'string');
      expect(texts.some((v) => v.startsWith('第一个非空行是表头'))).toBe(true);
      const up = await t
        .http()
        .post('/v1/uploads')
        .set(bearer(maker.key))
        .attach('file', res.body as Buffer, { filename: 'recycled-zh.xlsx', contentType: XLSX })
        .expect(202);
      expect(await finished(up.body.id, maker.key)).toMatchObject({ status: 'completed', progress: { rowsTotal: 0 } });
    });

    it('reads Chinese column headers as the English ones', async () => {
      const file = csv([
        ['类型', '电池编码', '发生时间', '客户事件编号', '标称容量(Ah)', '标称电压(V)'],
        ['produced', code('0U1', 700), '2026-04-02 09:00', 'zh-1', 150, 350.4],
      ]);
      const up = await uploadCsv(maker.key, file, 'zh.csv').expect(202);
      const done = await finished(up.body.id, maker.key);
      expect(done).toMatchObject({ status: 'completed', counts: { accepted: 1, rejected: 0 } });
      expect(done.results.items[0]).toMatchObject({ clientEventId: 'zh-1', batteryCodes: [code('0U1', 700)] });
    });

    it('refuses unknown templates and formats', async () => {
      const res = await t.http().get('/v1/uploads/templates/teleported').set(bearer(maker.key)).expect(404);
      expect(res.body.error.code).toBe('TEMPLATE_NOT_FOUND');
      await t.http().get('/v1/uploads/templates/events?format=pdf').set(bearer(maker.key)).expect(422);
    });
  });

  it('documents the upload endpoints in OpenAPI', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const post = doc.paths['/v1/uploads'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(['multipart/form-data', 'text/csv', XLSX]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '401', '403', '413', '422']));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/uploads/{id}', '/v1/uploads/{id}/results.csv', '/v1/uploads/templates/{type}']));
  });
});

describe('upload size limit', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp({ uploadLimitBytes: 2048 });
    const e = (
      await t
        .http()
        .post('/v1/enterprises')
        .set(bearer(t.adminKey))
        .send({ name: 'Big Files Co.', uscc: randomUscc(), roles: ['battery_maker'] })
        .expect(201)
    ).body;
    key = (await t.http().post(`/v1/enterprises/${e.id}/api-keys`).set(bearer(t.adminKey)).send({ name: 'erp' }).expect(201)).body.key;
  });
  afterAll(async () => {
    await t?.close();
  });

  const big = () => 'type,batteryCodes,occurredAt\n' + 'produced,X,2026-04-01\n'.repeat(200);

  it('answers 413 in the error envelope when the declared length is over the limit', async () => {
    const raw = await t.http().post('/v1/uploads').set(bearer(key)).set('Content-Type', 'text/csv').send(big()).expect(413);
    expect(raw.body.error).toMatchObject({ code: 'UPLOAD_TOO_LARGE', message: 'The file is larger than the upload limit of 2048 bytes' });
    const multipart = await t
      .http()
      .post('/v1/uploads')
      .set(bearer(key))
      .attach('file', Buffer.from(big()), { filename: 'big.csv', contentType: 'text/csv' })
      .expect(413);
    expect(multipart.body.error.code).toBe('UPLOAD_TOO_LARGE');
  });

  it('answers 413 when a body of unknown length grows over the limit, keeping nothing', async () => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/uploads',
          headers: { ...bearer(key), 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      const payload = big();
      for (let i = 0; i < payload.length; i += 512) req.write(payload.slice(i, i + 512));
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe('UPLOAD_TOO_LARGE');
    expect(await t.sql('SELECT id FROM uploads')).toEqual([]);
  });

  it('accepts a file within the limit', async () => {
    const res = await t.http().post('/v1/uploads').set(bearer(key)).set('Content-Type', 'text/csv').send('type,batteryCodes,occurredAt\n').expect(202);
    for (let i = 0; i < 200; i++) {
      const got = await t.http().get(`/v1/uploads/${res.body.id}`).set(bearer(key)).expect(200);
      if (got.body.status === 'completed') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the upload did not complete');
  });
});
