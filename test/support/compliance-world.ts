import { Global, Module } from '@nestjs/common';
import { CN_2018, CN_2026, DEADLINE_TABLES, DeadlineRuleSet } from '#libs/compliance';
import type { TestApp } from './test-app';
import { accept, attrs, createFirm, Firm, originalCode, postEvents, vin } from './ledger-world';

/**
 * The shipped deadline tables, with the 2026 table "completed" by one more row as an operator's data change
 * would: `recycled` within 30 working days. It lets a test reach a due date the calendar cannot count yet
 * (into 2027, which the packaged calendar does not cover); every other row is the shipped data.
 */
export const COMPLETED_2026: DeadlineRuleSet = {
  ...CN_2026,
  version: 2,
  rules: {
    ...CN_2026.rules,
    recycled: { responsible: ['recycler'], amount: 30, unit: 'working_days', start: 'occurred_at', basis: 'test: a completed 2026 table' },
  },
};

@Global()
@Module({ providers: [{ provide: DEADLINE_TABLES, useValue: [CN_2018, COMPLETED_2026] }], exports: [DEADLINE_TABLES] })
export class CompletedTablesModule {}

/** 10:00 Beijing time on a date. */
export const bj = (date: string, time = '10:00:00') => `${date}T${time}+08:00`;
/** The end of a Beijing day, as the API writes due times. */
export const endOfDay = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();

export interface Cast {
  maker: Firm;
  vm: Firm;
  dismantler: Firm;
  cascade: Firm;
  recycler: Firm;
}

/** The five firms of a compliance world: a battery maker (code 001), a vehicle maker, a dismantler, a cascade firm, a recycler. */
export async function createCast(t: TestApp): Promise<Cast> {
  return {
    maker: await createFirm(t, '宁德电池', ['battery_maker'], undefined, ['001']),
    vm: await createFirm(t, '福州汽车', ['vehicle_maker']),
    dismantler: await createFirm(t, '拆解厂', ['dismantler']),
    cascade: await createFirm(t, '梯次利用', ['cascade_utiliser']),
    recycler: await createFirm(t, '再生利用', ['recycler']),
  };
}

/**
 * A pack produced, delivered and installed (no deadlines: battery makers have none, installation is not a node
 * with one) on `made`, then scrapped with its vehicle on `scrapped`; returns the pack and its vehicle.
 */
export async function scrappedPack(t: TestApp, c: Cast, serial: number, made: string, scrapped: string | null) {
  const pack = originalCode('P', serial, { productionDate: made });
  const car = vin(serial);
  const body = await postEvents(t, c.maker, [
    { type: 'produced', batteryCodes: [pack], occurredAt: bj(made), payload: attrs },
    { type: 'delivered', batteryCodes: [pack], occurredAt: bj(made, '11:00:00'), counterpartyUscc: c.vm.uscc },
  ]);
  if (body.status !== 'ACCEPTED') throw new Error(JSON.stringify(body.results));
  await accept(t, c.vm, { type: 'installed', batteryCodes: [pack], occurredAt: bj(made, '12:00:00'), vin: car });
  if (scrapped)
    await accept(t, c.dismantler, {
      type: 'vehicle_scrapped',
      batteryCodes: [pack],
      occurredAt: bj(scrapped),
      vin: car,
      payload: { scrapCertificateNo: `SC-${serial}` },
    });
  return { pack, car };
}
