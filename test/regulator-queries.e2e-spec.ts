import { accept, at, createFirm, type Firm, producePack, regulatorKey, vin } from './support/ledger-world';
import { bearer, startTestApp, type TestApp } from './support/test-app';

/**
 * Issue 18: a regulator limited to a province lists the events in it for a month, filters by firm and type, downloads
 * them as CSV, and reads the audit log of its firms; enterprises see only their own; admins everything.
 */
describe('Regulators audit flows: event queries and the audit log', () => {
  let t: TestApp;
  let maker: Firm; // Fuzhou, Fujian
  let vm: Firm; // Xiamen, Fujian
  let dealer: Firm; // Shenzhen, Guangdong
  let fujian: string;
  let guangdong: string;
  let national: string;
  let serial = 1;
  const next = () => serial++;
  const admin = () => bearer(t.adminKey);

  beforeAll(async () => {
    t = await startTestApp();
    maker = await createFirm(t, '福州电池', ['battery_maker'], '350102', ['001']);
    vm = await createFirm(t, '=HYPERLINK("x") 厦门汽车', ['vehicle_maker'], '350203');
    dealer = await createFirm(t, '深圳经销', ['dealer'], '440305');
    fujian = await regulatorKey(t, '35');
    guangdong = await regulatorKey(t, '44');
    national = await regulatorKey(t);
    // March: a pack made in Fuzhou, delivered to Xiamen, installed, sold in Shenzhen.
    const { pack } = await producePack(t, maker, next, 0);
    const car = vin(next());
    await accept(t, maker, { type: 'delivered', batteryCodes: [pack], occurredAt: at(1), counterpartyUscc: vm.uscc, clientEventId: '-cmd|calc' });
    await accept(t, vm, { type: 'installed', batteryCodes: [pack], occurredAt: at(2), vin: car });
    await accept(t, vm, { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: at(2.5), vin: car, payload: { certificateNo: 'WCC-1' } });
    await accept(t, dealer, { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: at(3), vin: car, regionCode: '440305' });
    // April: another pack by the maker.
    await producePack(t, maker, next, 24 * 40);
  }, 60_000);
  afterAll(() => t?.close());

  const list = async (key: string, query: string) => (await t.http().get(`/v1/events?${query}`).set(bearer(key)).expect(200)).body;

  it("lists a province's events for a month, newest first, by the event's region or its reporter's", async () => {
    const march = await list(fujian, 'from=2026-03-01&to=2026-04-01');
    // Produced (3 events), delivered, installed, certified: reported by Fujian firms without a region. The sale is Guangdong's.
    expect(march.items.map((e: { type: string }) => e.type)).toEqual(['vehicle_certified', 'installed', 'delivered', 'produced', 'produced', 'produced']);
    expect(march.items[0]).toMatchObject({ reporter: { id: vm.id, name: vm.name, uscc: vm.uscc }, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(march.items[2]).toMatchObject({ counterparty: { id: vm.id, name: vm.name } });
    const gd = await list(guangdong, 'from=2026-03-01&to=2026-04-01');
    expect(gd.items.map((e: { type: string; regionCode: string }) => [e.type, e.regionCode])).toEqual([['vehicle_sold', '440305']]);
    // Oldest first, by upload time, a page at a time.
    const first = await list(fujian, 'from=2026-03-01&to=2026-04-01&order=asc&by=uploadedAt&limit=2');
    expect(first.items).toHaveLength(2);
    const second = await list(fujian, `from=2026-03-01&to=2026-04-01&order=asc&by=uploadedAt&limit=2&cursor=${first.nextCursor}`);
    const third = await list(fujian, `from=2026-03-01&to=2026-04-01&order=asc&by=uploadedAt&limit=2&cursor=${second.nextCursor}`);
    const ids = [...first.items, ...second.items, ...third.items].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(6);
    expect(third.nextCursor).toBeNull();
  });

  it("filters by firm, type, counterparty, vin, code and region within the caller's own", async () => {
    expect((await list(fujian, `reporter=${maker.uscc}&type=delivered`)).items).toHaveLength(1);
    expect((await list(fujian, `counterparty=${vm.id}`)).items.map((e: { type: string }) => e.type)).toEqual(['delivered']);
    expect((await list(national, 'type=vehicle_sold')).items).toHaveLength(1);
    expect((await list(t.adminKey, 'region=4403')).items.map((e: { type: string }) => e.type)).toEqual(['vehicle_sold']);
    // A region outside the regulator's own is empty, not widened.
    expect((await list(fujian, 'region=44')).items).toEqual([]);
    expect((await list(fujian, 'region=3502')).items.map((e: { type: string }) => e.type)).toEqual(['vehicle_certified', 'installed']);
    const sold = (await list(t.adminKey, 'type=vehicle_sold')).items[0];
    expect((await list(t.adminKey, `vin=${sold.vin}`)).items.length).toBe(3);
    expect((await list(t.adminKey, `code=${sold.batteryCodes[0]}`)).items.map((e: { type: string }) => e.type)).toEqual([
      'vehicle_sold',
      'vehicle_certified',
      'installed',
      'delivered',
      'produced',
    ]);
  });

  it('shows an enterprise only the events it reported or is named in', async () => {
    const mine = await list(vm.key, 'limit=100');
    expect(mine.items.map((e: { type: string }) => e.type).sort()).toEqual(['delivered', 'installed', 'vehicle_certified']);
    const dealers = await list(dealer.key, 'limit=100');
    expect(dealers.items.map((e: { type: string }) => e.type)).toEqual(['vehicle_sold']);
  });

  it('answers one event with its chain position under the same visibility', async () => {
    const [delivered] = (await list(fujian, 'type=delivered')).items;
    const one = await t.http().get(`/v1/events/${delivered.id}`).set(bearer(fujian)).expect(200);
    expect(one.body).toMatchObject({ id: delivered.id, contentHash: delivered.contentHash, chain: [{ batteryCode: delivered.batteryCodes[0], seq: 2 }] });
    expect(one.body.chain[0].linkHash).toMatch(/^[0-9a-f]{64}$/);
    await t.http().get(`/v1/events/${delivered.id}`).set(bearer(guangdong)).expect(404);
    await t.http().get(`/v1/events/${delivered.id}`).set(dealer.auth).expect(404);
    await t.http().get(`/v1/events/${delivered.id}`).set(vm.auth).expect(200);
  });

  it('downloads the same rows as CSV, with formula-looking cells neutralised', async () => {
    const res = await t.http().get('/v1/events?format=csv&from=2026-03-01&to=2026-04-01').set(bearer(fujian)).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^id,type,occurred_at/);
    expect(lines).toHaveLength(7);
    expect(res.text).toContain(`'=HYPERLINK`);
    expect(res.text).toContain(`'-cmd|calc`);
    expect(res.text).not.toMatch(/,=HYPERLINK/);
  });

  it('refuses bad filters with 422 naming the field', async () => {
    for (const [query, path] of [
      ['from=2026-02-30', 'from'],
      ['region=3', 'region'],
      ['reporter=nobody', 'reporter'],
      ['order=up', 'order'],
      ['code=XYZ', 'code'],
    ]) {
      const res = await t.http().get(`/v1/events?${query}`).set(bearer(fujian)).expect(422);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    await t
      .http()
      .get(`/v1/events?reporter=${'9'.repeat(17)}Y`)
      .set(bearer(fujian))
      .expect(422);
    await t.http().get('/v1/events').expect(401);
  });

  it("reads the audit log: admins all, an enterprise its own, a regulator its region's firms; no secrets", async () => {
    const all = (await t.http().get('/v1/audit-log?limit=500').set(admin()).expect(200)).body.items;
    expect(all.some((e: { action: string }) => e.action === 'api_key.created')).toBe(true);
    expect(JSON.stringify(all)).not.toMatch(/\bek_[A-Za-z0-9_-]{20,}|key_hash|keyHash/);
    for (const k of [maker.key, vm.key, dealer.key, t.adminKey]) expect(JSON.stringify(all)).not.toContain(k);

    const own = (await t.http().get('/v1/audit-log?limit=500').set(dealer.auth).expect(200)).body.items;
    expect(own.length).toBeGreaterThan(0);
    for (const e of own) expect(e.actor.enterprise?.id === dealer.id || (e.entityType === 'enterprise' && e.entityId === dealer.id)).toBe(true);

    const fj = (await t.http().get('/v1/audit-log?limit=500').set(bearer(fujian)).expect(200)).body.items;
    const firms = new Set(fj.map((e: { actor: { enterprise: { id: string } | null }; entityId: string }) => e.actor.enterprise?.id ?? e.entityId));
    expect(firms.has(maker.id) && firms.has(vm.id)).toBe(true);
    expect(firms.has(dealer.id)).toBe(false);

    const byAction = (await t.http().get(`/v1/audit-log?action=enterprise.&enterprise=${dealer.uscc}`).set(bearer(national)).expect(200)).body.items;
    expect(byAction.map((e: { action: string; entityId: string }) => [e.action, e.entityId])).toEqual([['enterprise.created', dealer.id]]);
    const csv = await t.http().get('/v1/audit-log?format=csv&entity=enterprise').set(admin()).expect(200);
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(/^id,occurred_at,actor_kind/);
    expect(csv.text).toContain(dealer.id);
    await t.http().get('/v1/audit-log?actor=nobody').set(admin()).expect(422);
  });

  it('streams every matching row, page after page, with no limit but the filters', async () => {
    // 2,500 events of one firm in May, written directly (the CSV reads them 1,000 at a time).
    const bulk = await createFirm(t, '批量', ['repairer'], '350102');
    await t.sql(
      `INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, reporter_enterprise_id, battery_codes, content_hash, payload)
       SELECT gen_random_uuid(), 'repaired', 1, timestamptz '2026-05-01 00:00+08' + i * interval '1 minute', $1,
              ARRAY['Z01CB24A000001G1F' || lpad(i::text, 7, '0')], sha256(convert_to('bulk' || i, 'UTF8')), '{}'::jsonb
         FROM generate_series(1, 2500) i`,
      [bulk.id],
    );
    await t.sql(
      `INSERT INTO audit_log (actor_kind, actor_enterprise_id, action, entity_type, entity_id, data)
       SELECT 'enterprise', $1, 'bulk.test', 'thing', i::text, jsonb_build_object('apiKeyHash', 'abc', 'n', i) FROM generate_series(1, 1200) i`,
      [bulk.id],
    );
    const csv = await t.http().get(`/v1/events?format=csv&reporter=${bulk.uscc}&order=asc`).set(bearer(fujian)).expect(200);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .slice(1);
    expect(lines).toHaveLength(2500);
    expect(new Set(lines.map((l) => l.split(',')[0])).size).toBe(2500);
    expect(lines[0]).toContain('Z01CB24A000001G1F0000001');
    expect(lines[2499]).toContain('Z01CB24A000001G1F0002500');
    const audit = await t.http().get('/v1/audit-log?format=csv&action=bulk.test').set(bulk.auth).expect(200);
    const rows = audit.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .slice(1);
    expect(rows).toHaveLength(1200);
    expect(audit.text).not.toContain('abc');
    expect(audit.text).toContain('[redacted]');
  });
});
