import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { registerChineseMessages } from '../apps/api/src/messages';
import { CODE_ERROR_CODES } from '#libs/battery-code';
import { chineseReason, localeFrom, registeredMessageKeys } from '#libs/common';
import type { TestApp } from './support/test-app';
import { bearer, randomUscc, startTestApp } from './support/test-app';
import type { Firm } from './support/ledger-world';
import { at, attrs, createFirm, originalCode } from './support/ledger-world';

const HAN = /[\u4e00-\u9fff]/;
const zh = { 'Accept-Language': 'zh-CN' };

/** Every enum-like export of every lib whose name ends in Code or Rule (error codes, failure codes, rules): new ones are found by themselves. */
function everyCodeAndRule(): { source: string; value: string }[] {
  const libs = join(__dirname, '..', 'libs');
  const out: { source: string; value: string }[] = [];
  for (const name of readdirSync(libs)) {
    if (!existsSync(join(libs, name, 'src', 'index.ts'))) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exports = require(`#libs/${name}`) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(exports)) {
      if (!/(Code|Rule)$/.test(exportName) || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
      const entries = Object.entries(value);
      if (entries.length === 0 || !entries.every(([k, v]) => typeof v === 'string' && k === v)) continue;
      for (const [, v] of entries) out.push({ source: `${name}.${exportName}`, value: v as string });
    }
  }
  for (const c of CODE_ERROR_CODES) out.push({ source: 'battery-code.CODE_ERROR_CODES', value: c });
  return out;
}

describe('Chinese messages: the walk over every error code and rule', () => {
  beforeAll(() => registerChineseMessages());

  it('finds the enums of every lib (the walk itself works)', () => {
    const sources = new Set(everyCodeAndRule().map((c) => c.source));
    for (const expected of [
      'common.CommonErrorCode',
      'lifecycle.LedgerRule',
      'lifecycle.LedgerErrorCode',
      'uploads.UploadFailureCode',
      'codes.RegistrationIssueCode',
      'battery-code.CODE_ERROR_CODES',
    ]) {
      expect(sources).toContain(expected);
    }
  });

  it('has a Chinese text for every error code and every ledger rule', () => {
    const keys = registeredMessageKeys();
    const missing = everyCodeAndRule()
      .filter((c) => !keys.has(c.value))
      .map((c) => `${c.source}: ${c.value}`);
    expect(missing).toEqual([]);
  });

  it('fills placeholders from params and details, and keeps the English when one cannot be filled', () => {
    expect(
      chineseReason({
        rule: 'STATE_TRANSITION',
        reason: "'recycled' is not allowed after 'produced' (battery 001CB240000003B3C0221953, in stock); allowed next: delivered",
      }),
    ).toBe('“recycled”不能接在“produced”之后（电池 001CB240000003B3C0221953）；接下来允许：delivered');
    // No pattern matches: the rule's own text.
    expect(chineseReason({ rule: 'CUSTODY', reason: 'some future wording' })).toBe('您不是该电池的持有者，也不是待交接的接收方');
    expect(chineseReason({ code: 'INVALID_CHARACTER', reason: 'x', position: 17, segment: 'day', found: 'U' })).toBe('第 17 位（日）：U 不是此位置允许的字符');
    // A placeholder with no value: no text (the caller keeps the English).
    expect(chineseReason({ code: 'INVALID_CHARACTER', reason: 'x', segment: 'day' })).toBeUndefined();
  });

  it('reads Accept-Language with its qualities', () => {
    expect(localeFrom(undefined)).toBe('en');
    expect(localeFrom('zh-CN')).toBe('zh-CN');
    expect(localeFrom('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(localeFrom('en-US,en;q=0.9,zh-CN;q=0.8')).toBe('en');
    expect(localeFrom('fr, zh-Hans;q=0.5')).toBe('zh-CN');
    expect(localeFrom('zh;q=0')).toBe('en');
  });
});

describe('Chinese messages over HTTP (Accept-Language: zh-CN)', () => {
  let t: TestApp;
  let maker: Firm;
  beforeAll(async () => {
    t = await startTestApp();
    maker = await createFirm(t, '宁德样例电池有限公司', ['battery_maker'], '350102', ['001']);
  });
  afterAll(() => t.close());

  it('an error envelope: Chinese message and position reasons, the same code; English without the header', async () => {
    const en = await t.http().get('/v1/codes/001CB240000003B3U0221953').expect(422);
    const cn = await t.http().get('/v1/codes/001CB240000003B3U0221953').set(zh).expect(422);
    expect(cn.body.error.code).toBe(en.body.error.code);
    expect(en.body.error.message).not.toMatch(HAN);
    expect(cn.body.error.message).toMatch(HAN);
    expect(cn.body.error.message).toContain('001CB240000003B3U0221953');
    expect(cn.body.error.details[0].code).toBe(en.body.error.details[0].code);
    expect(cn.body.error.details[0].reason).toMatch(/^第 17 位（日）/);
    expect(cn.headers['vary']).toMatch(/Accept-Language/i);
  });

  it('validation failures: the envelope and each field reason in Chinese', async () => {
    const res = await t
      .http()
      .post('/v1/enterprises')
      .set(bearer(t.adminKey))
      .set(zh)
      .send({ name: 5, roles: ['battery_maker'], extra: 1 })
      .expect(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(HAN);
    const reasons = res.body.error.details.map((d: { reason: string }) => d.reason);
    expect(reasons).toContain('name 必须是字符串');
    expect(reasons).toContain('extra 不是可接受的字段');
  });

  it("a refusal (403): the envelope and the access policy's reason for the action in Chinese, the action unchanged", async () => {
    const firm = { name: 'x', uscc: randomUscc(), roles: ['dealer'], regionCode: '350102' };
    const en = await t.http().post('/v1/enterprises').set(maker.auth).send(firm).expect(403);
    const cn = await t.http().post('/v1/enterprises').set(maker.auth).set(zh).send(firm).expect(403);
    expect(cn.body.error.code).toBe('FORBIDDEN');
    expect(en.body.error.details).toEqual([
      { reason: 'Only an administrator may register enterprises', action: 'enterprise.create', rule: 'enterprise.create' },
    ]);
    expect(cn.body.error.message).toMatch(HAN);
    expect(cn.body.error.details).toEqual([{ reason: '只有管理员可以登记企业', action: 'enterprise.create', rule: 'enterprise.create' }]);
    // A route only some kinds of key may use refuses in the guard, before validation, with the same policy.
    const guard = await t.http().put('/v1/calendar/years/2031').set(maker.auth).set(zh).send({}).expect(403);
    expect(guard.body.error.details[0].reason).toBe('只有管理员可以新增或修订日历年度');
  });

  it('ledger rejection reasons in Chinese, with the rule unchanged', async () => {
    const code = originalCode('P', 9001);
    const body = { events: [{ type: 'delivered', batteryCodes: [code], occurredAt: at(1), counterpartyUscc: maker.uscc }] };
    const en = await t.http().post('/v1/events').set(maker.auth).send(body).expect(200);
    const cn = await t.http().post('/v1/events').set(maker.auth).set(zh).send(body).expect(200);
    const [a, b] = [en.body.results[0].reasons, cn.body.results[0].reasons];
    expect(b.map((r: { rule: string }) => r.rule)).toEqual(a.map((r: { rule: string }) => r.rule));
    for (const r of b) expect(r.reason).toMatch(HAN);
    expect(b.find((r: { rule: string }) => r.rule === 'UNKNOWN_BATTERY').reason).toContain(code);
  });

  it('registration warnings in Chinese (an unfiled specification code)', async () => {
    const code = originalCode('P', 9002);
    const res = await t
      .http()
      .post('/v1/events')
      .set(maker.auth)
      .set(zh)
      .send({ events: [{ type: 'produced', batteryCodes: [code], occurredAt: at(1), payload: attrs }] })
      .expect(200);
    expect(res.body.results[0].status).toBe('accepted');
    const warning = res.body.results[0].warnings.find((w: { code: string }) => w.code === 'SPECIFICATION_CODE_UNFILED');
    expect(warning.reason).toMatch(/规格代码 24/);
  });
});
