import ExcelJS from 'exceljs';
import type { TestApp } from './support/test-app';
import { bearer, startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { createFirm } from './support/ledger-world';

/** Bulk outlet registration through the uploads pipeline (POST /v1/uploads?kind=outlets), CSV and XLSX. */
describe('recycling service outlets: bulk registration by file (real pipeline and queue)', () => {
  let t: TestApp;
  let vm: Firm;
  let partner: Firm;

  beforeAll(async () => {
    t = await startTestApp();
    vm = await createFirm(t, '福州汽车', ['vehicle_maker']);
    partner = await createFirm(t, '共建电池', ['battery_maker']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const upload = (body: Buffer, filename: string, contentType: string) =>
    t.http().post('/v1/uploads?kind=outlets').set(vm.auth).attach('file', body, { filename, contentType });

  async function finished(id: string) {
    for (let i = 0; i < 300; i++) {
      const res = await t.http().get(`/v1/uploads/${id}`).set(vm.auth).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`upload ${id} did not finish`);
  }

  const header = 'code,name,type,address,regionCode,lat,lng,storageAreaM2,capacityT,contactPhone,openedOn,coBuilderUsccs';

  it('registers each valid row; rule violations, bad regions and unknown partners are rejected per row, naming the column', async () => {
    const file = [
      header,
      `B-1,鼓楼网点,collection,福州市鼓楼区,350102,26.08,119.3,20,4,0591-1234,2025-06-01,${partner.uscc}`,
      'B-2,小网点,collection,福州市台江区,350103,,,8,4,,2025-06-01,',
      'B-3,无效地区,collection,某地,359999,,,20,4,,2025-06-01,',
      'B-4,贮存中心,centralised_storage,福州市仓山区,350104,26.04,119.32,500,40,,2025-06-01,91350100MA00000000',
      'B-1,鼓楼网点,collection,福州市鼓楼区,350102,26.08,119.3,20,4,0591-1234,2025-06-01,',
      'B-5,坐标不全,collection,福州市,350102,26.1,,20,4,,2025-06-01,',
      'B-6,日期不对,collection,福州市,350102,,,20,4,,2025-13-01,',
    ].join('\r\n');
    const res = await upload(Buffer.from(file), 'outlets.csv', 'text/csv').expect(202);
    expect(res.body).toMatchObject({ kind: 'outlets' });
    const done = await finished(res.body.id);
    expect(done).toMatchObject({ status: 'completed', counts: { accepted: 1, duplicate: 1, rejected: 5 } });
    const outlets = await t.sql<{ id: string; code: string }>('SELECT id::text, code FROM outlets WHERE owner_enterprise_id = $1', [vm.id]);
    expect(outlets.map((o) => o.code)).toEqual(['B-1']);
    const items = done.results.items as { row: number; status: string; eventId: string | null; reasons: { path?: string; rule?: string }[] }[];
    expect(items.map((r) => [r.row, r.status])).toEqual([
      [2, 'accepted'],
      [3, 'rejected'],
      [4, 'rejected'],
      [5, 'rejected'],
      [6, 'duplicate'],
      [7, 'rejected'],
      [8, 'rejected'],
    ]);
    expect(items[0].eventId).toBe(outlets[0].id);
    expect(items[1].reasons).toEqual([expect.objectContaining({ path: 'storageAreaM2', rule: 'OUTLET_COLLECTION_MIN_AREA' })]);
    expect(items[2].reasons).toEqual([expect.objectContaining({ path: 'regionCode' })]);
    expect(items[3].reasons).toEqual([expect.objectContaining({ path: 'coBuilderUsccs', reason: expect.stringContaining('91350100MA00000000') })]);
    expect([...new Set(items[5].reasons.map((r) => r.path))]).toEqual(['lng']);
    expect([...new Set(items[6].reasons.map((r) => r.path))]).toEqual(['openedOn']);
    const view = (await t.http().get(`/v1/outlets/${outlets[0].id}`).set(vm.auth).expect(200)).body;
    expect(view).toMatchObject({
      code: 'B-1',
      partners: [{ id: partner.id, relation: 'co_built' }],
      contact: { phone: '0591-1234' },
      coordinates: { lat: 26.08, lng: 119.3 },
    });
    const audit = await t.sql('SELECT 1 FROM audit_log WHERE action = $1 AND entity_id = $2', ['outlet.registered', outlets[0].id]);
    expect(audit).toHaveLength(1);
  });

  it('reads XLSX files, and offers the template', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('网点');
    ws.addRow(header.split(','));
    ws.addRow(['X-1', '厦门网点', 'collection', '厦门市思明区', '350203', 24.45, 118.08, 15, 3, '', new Date(Date.UTC(2025, 5, 1)), '']);
    const res = await upload(
      Buffer.from(await wb.xlsx.writeBuffer()),
      'outlets.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ).expect(202);
    expect(await finished(res.body.id)).toMatchObject({ status: 'completed', counts: { accepted: 1 } });
    const [row] = await t.sql<{ region_code: string; opened_on: string }>(
      `SELECT region_code, to_char(opened_on, 'YYYY-MM-DD') AS opened_on FROM outlets WHERE code = 'X-1'`,
    );
    expect(row).toEqual({ region_code: '350203', opened_on: '2025-06-01' });
    const template = await t.http().get('/v1/uploads/templates/outlets?format=csv').set(bearer(vm.key)).expect(200);
    expect(
      template.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split(','),
    ).toEqual(expect.arrayContaining(['code', 'regionCode', 'storageAreaM2', 'capacityT', 'coBuilderUsccs']));
  });
});
