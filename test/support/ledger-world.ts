import { format } from '#libs/battery-code';
import { vinCheckDigit } from '#libs/identifiers';
import type { TestApp } from './test-app';
import { bearer, randomUscc } from './test-app';

/** An enterprise of the ledger tests, with its own API key. */
export interface Firm {
  id: string;
  uscc: string;
  name: string;
  key: string;
  auth: Record<string, string>;
}

/** `manufacturerCodes`: 厂商代码 assigned to the firm (registering codes of an unassigned one is refused by default). */
export async function createFirm(t: TestApp, name: string, roles: string[], regionCode = '350102', manufacturerCodes: string[] = []): Promise<Firm> {
  const admin = bearer(t.adminKey);
  const e = await t.http().post('/v1/enterprises').set(admin).send({ name, uscc: randomUscc(), roles, regionCode }).expect(201);
  const k = await t.http().post(`/v1/enterprises/${e.body.id}/api-keys`).set(admin).send({ name: 'erp' }).expect(201);
  for (const code of manufacturerCodes) await assignManufacturerCode(t, e.body, code);
  return { id: e.body.id, uscc: e.body.uscc, name, key: k.body.key, auth: bearer(k.body.key) };
}

export interface CodeOptions {
  manufacturer?: string;
  specification?: string;
  batteryType?: string;
  productionDate?: string;
}

/** Valid GB/T 34014 codes, unique per serial. */
export function originalCode(level: 'P' | 'M' | 'C', serial: number, o: CodeOptions = {}): string {
  const r = format({
    manufacturerCode: o.manufacturer ?? '001',
    productType: level,
    batteryType: o.batteryType ?? 'B',
    specificationCode: o.specification ?? '24',
    traceabilityCode: 'A000001',
    productionDate: o.productionDate ?? '2026-01-15',
    serial,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.code.code;
}

export function cascadeCode(serial: number, manufacturer = 'C01'): string {
  const r = format({
    form: 'cascade',
    manufacturerCode: manufacturer,
    productType: 'M',
    batteryType: 'B',
    specificationCode: '01',
    productionDate: '2026-02-01',
    serial,
    cascadeLevel: 'M',
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.code.code;
}

/** A valid China-market VIN (check digit at position 9). */
export function vin(serial: number): string {
  const body = `LGXCE4CB0N${String(serial).padStart(7, '0')}`;
  return body.slice(0, 8) + vinCheckDigit(body) + body.slice(9);
}

/** Business time `hours` after 2026-03-01 00:00 Beijing time. */
export function at(hours: number): string {
  return new Date(Date.parse('2026-03-01T00:00:00+08:00') + hours * 3_600_000).toISOString();
}

export const attrs = { nominalCapacityAh: 150, nominalVoltageV: 350.4, ratedEnergyKwh: 52.56, massKg: 380 };
export const moduleAttrs = { nominalCapacityAh: 150, nominalVoltageV: 43.8 };
export const cellAttrs = { nominalCapacityAh: 150, nominalVoltageV: 3.65 };

export async function postEvents(t: TestApp, firm: Firm, events: unknown[], options: { mode?: 'atomic' | 'partial'; dryRun?: boolean } = {}) {
  const res = await t
    .http()
    .post(`/v1/events${options.dryRun ? '?dryRun=true' : ''}`)
    .set(firm.auth)
    .send({ events, ...(options.mode ? { mode: options.mode } : {}) });
  if (res.status !== 200) throw new Error(`POST /v1/events: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as {
    status: string;
    counts: { total: number; accepted: number; duplicate: number; rejected: number };
    results: {
      index: number;
      status: string;
      eventId?: string;
      claimId?: string;
      duplicateOf?: string;
      reasons?: { path: string; reason: string; rule: string }[];
      warnings?: unknown[];
    }[];
  };
}

/** Posts one event and expects it accepted; returns its id. */
export async function accept(t: TestApp, firm: Firm, event: Record<string, unknown>): Promise<string> {
  const body = await postEvents(t, firm, [event]);
  if (body.results[0].status !== 'accepted') throw new Error(`expected accepted: ${JSON.stringify(body.results[0])}`);
  return body.results[0].eventId!;
}

/** Posts one event and expects it rejected; returns its reasons. */
export async function reject(t: TestApp, firm: Firm, event: Record<string, unknown>) {
  const body = await postEvents(t, firm, [event]);
  if (body.results[0].status !== 'rejected') throw new Error(`expected rejected: ${JSON.stringify(body.results[0])}`);
  return body.results[0].reasons!;
}

/** A pack with one module of two cells, registered by `firm` through POST /v1/events at hour `hour`; `next` numbers the codes. */
export async function producePack(
  t: TestApp,
  firm: Firm,
  next: () => number,
  hour = 0,
  manufacturer = '001',
): Promise<{ pack: string; module: string; cells: string[] }> {
  const pack = originalCode('P', next(), { manufacturer });
  const module = originalCode('M', next(), { manufacturer });
  const cells = [originalCode('C', next(), { manufacturer }), originalCode('C', next(), { manufacturer })];
  const body = await postEvents(t, firm, [
    { type: 'produced', batteryCodes: [pack], occurredAt: at(hour), payload: attrs },
    { type: 'produced', batteryCodes: [module], occurredAt: at(hour), payload: { ...moduleAttrs, parentCode: pack } },
    { type: 'produced', batteryCodes: cells, occurredAt: at(hour), payload: { ...cellAttrs, parentCode: module } },
  ]);
  if (body.status !== 'ACCEPTED') throw new Error(`pack not registered: ${JSON.stringify(body.results)}`);
  return { pack, module, cells };
}

/**
 * A key of a new regulator account limited to the GB/T 2260 prefix `regionPrefix` (none: the whole country), created
 * by the administrator.
 */
export async function regulatorKey(t: TestApp, regionPrefix?: string, name = `监管 ${regionPrefix ?? '全国'}`): Promise<string> {
  const admin = bearer(t.adminKey);
  const r = await t
    .http()
    .post('/v1/regulators')
    .set(admin)
    .send({ name, ...(regionPrefix ? { regionPrefix } : {}) })
    .expect(201);
  return (await t.http().post(`/v1/regulators/${r.body.id}/api-keys`).set(admin).send({ name: 'audit' }).expect(201)).body.key as string;
}

/** Assigns manufacturer code `code` (厂商代码) to `firm`, as an administrator does before it registers batteries. */
export async function assignManufacturerCode(t: TestApp, firm: { id: string }, code: string): Promise<void> {
  await t.http().post('/v1/manufacturer-codes').set(bearer(t.adminKey)).send({ code, enterpriseId: firm.id, certificateDate: '2018-03-01' }).expect(201);
}

/**
 * A receipt reported by the receiver alone (no hand-over to it pending): it is a custody claim on the sender it names
 * (`counterpartyUscc`), which `sender` confirms; returns the id of the receipt event recorded on confirmation.
 */
export async function claimAndConfirm(t: TestApp, receiver: Firm, sender: Firm, event: Record<string, unknown>): Promise<string> {
  const body = await postEvents(t, receiver, [event]);
  const claimId = body.results[0].claimId;
  if (body.results[0].status !== 'accepted' || !claimId) throw new Error(`expected a custody claim: ${JSON.stringify(body.results[0])}`);
  const confirmed = await t.http().post(`/v1/custody-claims/${claimId}/confirm`).set(sender.auth);
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return confirmed.body.eventId as string;
}
