import type { Queue } from 'bullmq';
import { QueueEvents } from 'bullmq';
import { getQueueToken } from '@nestjs/bullmq';
import { HEARTBEAT_JOB, SYSTEM_QUEUE } from '#libs/queue';
import type { TestApp } from './support/test-app';
import { bearer, randomUscc, startTestApp } from './support/test-app';

describe('foundation (real HTTP stack, real PostgreSQL, real queue backend)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const admin = () => bearer(t.adminKey);

  async function createEnterprise(body: Record<string, unknown> = {}) {
    const res = await t
      .http()
      .post('/v1/enterprises')
      .set(admin())
      .send({ name: 'Test Cascade Co.', uscc: randomUscc(), roles: ['cascade_utiliser'], regionCode: '350102', ...body })
      .expect(201);
    return res.body as { id: string; uscc: string };
  }

  async function keyFor(enterpriseId: string) {
    const res = await t.http().post(`/v1/enterprises/${enterpriseId}/api-keys`).set(admin()).send({ name: 'erp' }).expect(201);
    return res.body as { id: string; key: string; prefix: string };
  }

  it('reports liveness and readiness of the database and the queue backend', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
    expect(ready.body.info.queue).toEqual({ status: 'up', backend: t.config.redisUrl ? 'redis' : 'postgres' });
  });

  it('runs a queued job on a real worker', async () => {
    const queue = t.app.get<Queue>(getQueueToken(SYSTEM_QUEUE));
    const events = new QueueEvents(SYSTEM_QUEUE, { connection: queue.opts.connection as never, prefix: queue.opts.prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add(HEARTBEAT_JOB, {}, { jobId: `e2e-heartbeat-${Date.now()}` });
      const result = await job.waitUntilFinished(events, 20_000);
      expect(result).toMatchObject({ ok: true, pid: process.pid });
    } finally {
      await events.close();
    }
  });

  it('serves the OpenAPI document with the error envelope', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/v1/enterprises', '/v1/enterprises/{id}', '/v1/api-keys/{id}', '/v1/me']));
    expect(res.body.components.schemas.ErrorEnvelopeDoc).toBeDefined();
    expect(res.body.paths['/v1/enterprises'].post.responses['422']).toBeDefined();
  });

  describe('authentication', () => {
    it('401 without a key, with a malformed header and with an unknown key, in the error envelope', async () => {
      const missing = await t.http().get('/v1/me').expect(401);
      expect(missing.body).toEqual({
        error: { code: 'API_KEY_MISSING', message: expect.any(String), details: [], requestId: missing.headers['x-request-id'] },
      });
      await t.http().get('/v1/me').set('Authorization', 'Basic abc').expect(401);
      const unknown = await t.http().get('/v1/me').set(bearer('ech_not-a-real-key')).expect(401);
      expect(unknown.body.error.code).toBe('API_KEY_INVALID');
    });

    it('an admin key identifies itself', async () => {
      const res = await t.http().get('/v1/me').set(admin()).expect(200);
      expect(res.body).toMatchObject({ kind: 'admin', enterprise: null, regulator: null });
    });

    it('creates a key shown once, stores only its hash, records last use, and revokes it', async () => {
      const e = await createEnterprise();
      const key = await keyFor(e.id);
      expect(key.key).toMatch(/^ech_[A-Za-z0-9_-]{43}$/);
      expect(key.key.startsWith(key.prefix)).toBe(true);

      const stored = await t.sql<{ key_hash: Buffer; last_used_at: Date | null }>('SELECT key_hash, last_used_at FROM api_keys WHERE id = $1', [key.id]);
      expect(stored[0].key_hash.toString('utf8')).not.toContain(key.key.slice(4));
      expect(stored[0].last_used_at).toBeNull();

      const me = await t.http().get('/v1/me').set(bearer(key.key)).expect(200);
      expect(me.body).toMatchObject({ kind: 'enterprise', keyId: key.id, enterprise: { id: e.id } });
      await waitFor(async () => (await t.sql('SELECT 1 FROM api_keys WHERE id = $1 AND last_used_at IS NOT NULL', [key.id])).length === 1);

      const listed = await t.http().get(`/v1/enterprises/${e.id}/api-keys`).set(bearer(key.key)).expect(200);
      expect(listed.body).toEqual([expect.objectContaining({ id: key.id, prefix: key.prefix })]);
      expect(JSON.stringify(listed.body)).not.toContain(key.key);

      await t.http().delete(`/v1/api-keys/${key.id}`).set(admin()).expect(204);
      const after = await t.http().get('/v1/me').set(bearer(key.key)).expect(401);
      expect(after.body.error.code).toBe('API_KEY_INVALID');
      await t.http().delete(`/v1/api-keys/${key.id}`).set(admin()).expect(204);
    });
  });

  describe('enterprises', () => {
    it('validates the USCC check character and names the field', async () => {
      const good = randomUscc();
      const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
      const res = await t
        .http()
        .post('/v1/enterprises')
        .set(admin())
        .send({ name: 'X', uscc: bad, roles: ['recycler'] })
        .expect(422);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([{ path: 'uscc', reason: expect.stringMatching(/check character is '.', expected '.'/) }]);
      expect(await t.sql('SELECT 1 FROM enterprises WHERE uscc = $1', [bad])).toHaveLength(0);
    });

    it('rejects unknown fields and lists every invalid field with its path', async () => {
      const res = await t
        .http()
        .post('/v1/enterprises')
        .set(admin())
        .send({ name: 'X', uscc: randomUscc(), roles: ['recycler', 'wizard'], contact: { email: 'nope' }, colour: 'red' })
        .expect(422);
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['colour', 'roles', 'contact.email']));
      expect(res.body.error.details.find((d: { path: string }) => d.path === 'colour').reason).toMatch(/should not exist/);
    });

    it('rejects malformed JSON with 400 and an oversized body with 413, both in the envelope', async () => {
      const malformed = await t.http().post('/v1/enterprises').set(admin()).set('Content-Type', 'application/json').send('{"name": ').expect(400);
      expect(malformed.body.error.code).toBe('MALFORMED_REQUEST');
      const huge = JSON.stringify({ name: 'x'.repeat(t.config.bodyLimitBytes + 10) });
      const tooLarge = await t.http().post('/v1/enterprises').set(admin()).set('Content-Type', 'application/json').send(huge).expect(413);
      expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers input PostgreSQL would refuse with a 422 naming the field, not a 500 (found by fuzzing)', async () => {
      const post = (body: object) => t.http().post('/v1/enterprises').set(admin()).send(body);
      const base = { name: 'Fuzz', uscc: randomUscc(), roles: ['dealer'] };
      const details = async (body: object) => (await post(body).expect(422)).body.error.details;
      // Text with a NUL or half a surrogate pair, anywhere in a body.
      expect(await details({ ...base, name: 'a\u0000b' })).toEqual([
        { path: 'name', reason: expect.stringContaining('NUL characters or unpaired UTF-16 surrogates') },
      ]);
      expect(await details({ ...base, contact: { email: '\ud800@x.cn' } })).toEqual([
        { path: 'contact.email', reason: expect.stringContaining('unpaired UTF-16 surrogates') },
      ]);
      // null where a field is optional: it skipped every check and reached the database.
      expect(await details({ ...base, contact: null, qmsCertificate: null })).toEqual([
        { path: 'contact', reason: 'must not be null: leave the field out instead' },
        { path: 'qmsCertificate', reason: 'must not be null: leave the field out instead' },
      ]);
      // Dates the ISO 8601 check let through (week and ordinal dates, a bare year) and a year 0.
      for (const validUntil of ['2026-W01', '2026', '2026-100', '0000-01-01']) {
        expect(await details({ ...base, qmsCertificate: { number: 'Q1', validUntil } })).toEqual([
          { path: 'qmsCertificate.validUntil', reason: 'validUntil must be a date YYYY-MM-DD that exists' },
        ]);
      }
      expect(await t.sql('SELECT 1 FROM enterprises WHERE name = $1', ['Fuzz'])).toHaveLength(0);
      const e = await createEnterprise();
      const patched = await t.http().patch(`/v1/enterprises/${e.id}`).set(admin()).send({ name: null, roles: null }).expect(422);
      expect(patched.body.error.details.map((d: { path: string }) => d.path)).toEqual(['name', 'roles']);
      // A cursor position in year 0, which PostgreSQL has no day of.
      const cursor = Buffer.from(JSON.stringify({ c: '0000-01-01T00:00:00.000Z', id: e.id })).toString('base64url');
      expect((await t.http().get(`/v1/enterprises?cursor=${cursor}`).set(admin()).expect(422)).body.error.code).toBe('INVALID_CURSOR');
    });

    it('answers a body that is not JSON with 415, and parser errors with the request id', async () => {
      const text = await t
        .http()
        .post('/v1/enterprises')
        .set(admin())
        .set('Content-Type', 'text/plain')
        .set('X-Request-Id', 'fuzz-415')
        .send('name=x')
        .expect(415);
      expect(text.body.error).toMatchObject({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        details: [{ path: 'Content-Type', reason: 'must be application/json' }],
        requestId: 'fuzz-415',
      });
      const malformed = await t.http().post('/v1/enterprises').set(admin()).set('Content-Type', 'application/json').send('{"name": ').expect(400);
      expect(malformed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(malformed.body.error.requestId).toBe(malformed.headers['x-request-id']);
    });

    it('refuses a second enterprise with the same USCC (409)', async () => {
      const e = await createEnterprise();
      const res = await t
        .http()
        .post('/v1/enterprises')
        .set(admin())
        .send({ name: 'Dup', uscc: e.uscc, roles: ['dealer'] })
        .expect(409);
      expect(res.body.error).toMatchObject({ code: 'USCC_TAKEN', details: [{ path: 'uscc', reason: 'already registered' }] });
    });

    it('an enterprise key reads and edits only its own record, and not its regulatory status', async () => {
      const mine = await createEnterprise({ whitelist: { status: 'listed', version: '2024', batch: '第1批' } });
      const other = await createEnterprise();
      const key = (await keyFor(mine.id)).key;

      await t.http().get(`/v1/enterprises/${mine.id}`).set(bearer(key)).expect(200);
      // Another firm's record is not found, as a missing one is (issue 13: no existence oracle).
      const denied = await t.http().get(`/v1/enterprises/${other.id}`).set(bearer(key)).expect(404);
      expect(denied.body.error.code).toBe('ENTERPRISE_NOT_FOUND');
      await t
        .http()
        .post('/v1/enterprises')
        .set(bearer(key))
        .send({ name: 'X', uscc: randomUscc(), roles: ['dealer'] })
        .expect(403);
      await t.http().post(`/v1/enterprises/${other.id}/api-keys`).set(bearer(key)).send({ name: 'steal' }).expect(404);

      const patched = await t
        .http()
        .patch(`/v1/enterprises/${mine.id}`)
        .set(bearer(key))
        .send({ contact: { phone: '0591-1234567' } })
        .expect(200);
      expect(patched.body.contact.phone).toBe('0591-1234567');
      expect(patched.body.whitelist).toEqual({ status: 'listed', version: '2024', batch: '第1批' });
      const status = await t
        .http()
        .patch(`/v1/enterprises/${mine.id}`)
        .set(bearer(key))
        .send({ whitelist: { status: 'removed' } })
        .expect(403);
      expect(status.body.error).toMatchObject({ code: 'FIELD_NOT_EDITABLE', details: [{ path: 'whitelist' }] });
      await t.http().patch(`/v1/enterprises/${mine.id}`).set(bearer(key)).send({ uscc: randomUscc() }).expect(422);

      const list = await t.http().get('/v1/enterprises').set(bearer(key)).expect(200);
      expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([mine.id]);
    });

    it('regulators read within their region and never write', async () => {
      const fujian = await createEnterprise({ regionCode: '350102' });
      const guangdong = await createEnterprise({ regionCode: '440300' });
      const regulator = await t.http().post('/v1/regulators').set(admin()).send({ name: '福建省工信厅', regionPrefix: '35' }).expect(201);
      const key = (await t.http().post(`/v1/regulators/${regulator.body.id}/api-keys`).set(admin()).send({ name: 'audit' }).expect(201)).body.key;

      await t.http().get(`/v1/enterprises/${fujian.id}`).set(bearer(key)).expect(200);
      await t.http().get(`/v1/enterprises/${guangdong.id}`).set(bearer(key)).expect(404);
      const listed = await t.http().get('/v1/enterprises?limit=500').set(bearer(key)).expect(200);
      // Not empty (every() of nothing is true): the Fujian firm is listed, the Guangdong one is not.
      expect(listed.body.items.map((e: { id: string }) => e.id)).toContain(fujian.id);
      expect(listed.body.items.map((e: { id: string }) => e.id)).not.toContain(guangdong.id);
      expect(listed.body.items.every((e: { regionCode: string }) => e.regionCode.startsWith('35'))).toBe(true);
      await t.http().patch(`/v1/enterprises/${fujian.id}`).set(bearer(key)).send({ address: 'x' }).expect(403);
      await t
        .http()
        .post('/v1/enterprises')
        .set(bearer(key))
        .send({ name: 'X', uscc: randomUscc(), roles: ['dealer'] })
        .expect(403);
      const me = await t.http().get('/v1/me').set(bearer(key)).expect(200);
      expect(me.body).toMatchObject({ kind: 'regulator', regulator: { regionPrefix: '35' } });
    });

    it('paginates with an opaque cursor and rejects a forged one', async () => {
      for (let i = 0; i < 3; i++) await createEnterprise({ roles: ['swap_operator'] });
      const first = await t.http().get('/v1/enterprises?role=swap_operator&limit=2').set(admin()).expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await t.http().get(`/v1/enterprises?role=swap_operator&limit=2&cursor=${first.body.nextCursor}`).set(admin()).expect(200);
      expect(second.body.items.length).toBeGreaterThanOrEqual(1);
      expect(second.body.items.map((e: { id: string }) => e.id)).not.toContain(first.body.items[0].id);
      const forged = await t.http().get('/v1/enterprises?cursor=abc').set(admin()).expect(422);
      expect(forged.body.error.code).toBe('INVALID_CURSOR');
    });
  });

  it('echoes the request id in the header, the error envelope and the log line', async () => {
    const res = await t.http().get('/v1/enterprises/00000000-0000-4000-8000-000000000000').set(admin()).set('X-Request-Id', 'trace-abc-123').expect(404);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    expect(res.body.error.requestId).toBe('trace-abc-123');
    await waitFor(async () => t.logs.lines.some((l) => (l.req as { id?: string } | undefined)?.id === 'trace-abc-123'));
    const line = t.logs.lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'trace-abc-123')!;
    expect(line).toMatchObject({ requestId: 'trace-abc-123', res: { statusCode: 404 } });
    expect(JSON.stringify(line)).not.toContain(t.adminKey);

    const minted = await t.http().get('/health').expect(200);
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes an append-only audit row for every write, with key, enterprise and request id', async () => {
    const e = await createEnterprise();
    const key = await keyFor(e.id);
    await t.http().patch(`/v1/enterprises/${e.id}`).set(bearer(key.key)).set('X-Request-Id', 'audit-req-1').send({ address: '福州市' }).expect(200);
    const rows = await t.sql<{ action: string; actor_kind: string; actor_key_id: string; actor_enterprise_id: string | null; request_id: string }>(
      `SELECT action, actor_kind, actor_key_id, actor_enterprise_id, request_id FROM audit_log WHERE entity_id IN ($1, $2) ORDER BY id`,
      [e.id, key.id],
    );
    expect(rows.map((r) => r.action)).toEqual(['enterprise.created', 'api_key.created', 'enterprise.updated']);
    expect(rows[2]).toMatchObject({ actor_kind: 'enterprise', actor_key_id: key.id, actor_enterprise_id: e.id, request_id: 'audit-req-1' });
    await expect(t.sql('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(t.sql(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
  });
});

async function waitFor(predicate: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
