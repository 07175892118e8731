/**
 * Trace benchmark: latency percentiles of `GET /v1/batteries/:code/trace` for a pack with 8 modules and 96
 * cells and a full lifecycle, in a database of at least 1 million events. The filler (100,000 cells with 10
 * events each, their chain links and battery rows) is written with set-based SQL for speed; the pack itself
 * goes through the API. Baseline in the same run: `GET /health` over the same HTTP connection (the floor of
 * the HTTP stack), sampled alternately.
 *
 * Run: `npm run bench -- trace`. Knobs: BENCH_FILLER_BATTERIES (100000), BENCH_SAMPLES (1000).
 */
import { writeFileSync } from 'node:fs';
import type { Client } from 'pg';
import { format } from '../libs/battery-code/src';
import { vinCheckDigit } from '../libs/identifiers/src';
import type { BenchApp } from './support/bench-app';
import { apiCall, createFirm, runStandalone, withBenchApp } from './support/bench-app';
import { latencyRow, p99Verdict, timedGet } from './support/latency';
import { fmt } from './support/stats';

const FILLER = Number(process.env.BENCH_FILLER_BATTERIES ?? 100_000);
const EVENTS_PER_FILLER = 10;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);

function code(level: 'P' | 'M' | 'C', serial: number): string {
  const r = format({
    manufacturerCode: 'T01',
    productType: level,
    batteryType: 'E',
    specificationCode: '96',
    traceabilityCode: 'L000001',
    productionDate: '2026-01-15',
    serial,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.code.code;
}

async function events(app: BenchApp, key: string, list: unknown[]): Promise<void> {
  const body = await apiCall(app, key, 'POST', '/v1/events', { events: list, mode: 'atomic' });
  if (body.status !== 'ACCEPTED') throw new Error(JSON.stringify(body.results.filter((r: any) => r.status === 'rejected').slice(0, 3)));
}

/** 1M filler events: set-based INSERTs in chunks (bypassing the API, which the ingest benchmark measures). */
async function fill(pg: Client, enterpriseId: string): Promise<void> {
  const chunk = 10_000;
  for (let start = 1; start <= FILLER; start += chunk) {
    const end = Math.min(FILLER, start + chunk - 1);
    await pg.query(
      `WITH codes AS (
         SELECT 'Z01CB24A000001G1F' || lpad(i::text, 7, '0') AS code FROM generate_series($2::int, $3::int) i
       ), ev AS (
         INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, reporter_enterprise_id, battery_codes, content_hash, payload)
         SELECT gen_random_uuid(), 'repaired', 1, timestamptz '2026-02-01' + j * interval '1 hour', $1, ARRAY[c.code],
                sha256(convert_to(c.code || '/' || j, 'UTF8')), jsonb_build_object('n', j)
           FROM codes c, generate_series(1, ${EVENTS_PER_FILLER}) j
         RETURNING id, battery_codes[1] AS code, (payload->>'n')::int AS seq
       ), links AS (
         INSERT INTO battery_event_chain (battery_code, seq, event_id, prev_hash, link_hash)
         SELECT code, seq, id, sha256(convert_to(code || (seq - 1), 'UTF8')), sha256(convert_to(code || seq, 'UTF8')) FROM ev
         RETURNING battery_code, seq, event_id, link_hash
       ), parties AS (
         INSERT INTO battery_parties (battery_code, enterprise_id, first_event_id, first_at)
         SELECT battery_code, $1, event_id, now() FROM links WHERE seq = 1
       )
       INSERT INTO batteries (code, form, manufacturer_code, product_type, battery_type, specification_code, traceability_code,
                              production_date, serial, producer_enterprise_id, produced_event_id, status, holder_enterprise_id,
                              region_keys, last_event_id, last_event_type, last_event_at, chain_seq, chain_head)
       SELECT battery_code, 'original', 'Z01', 'cell', 'B', '24', 'A000001', date '2026-01-15', right(battery_code, 7), $1, event_id,
              'produced', $1, '{35,3501,350102}', event_id, 'repaired', now(), seq, link_hash
         FROM links WHERE seq = ${EVENTS_PER_FILLER}`,
      [enterpriseId, start, end],
    );
  }
  // Vacuumed as a production database would be, so autovacuum does not start in the middle of the sampling.
  await pg.query('VACUUM ANALYZE');
}

export async function run(): Promise<void> {
  await withBenchApp(async (app, pg) => {
    const maker = await createFirm(app, 'Trace Battery Maker', '91350100M000100Y43', ['battery_maker']);
    const vm = await createFirm(app, 'Trace Vehicle Maker', '914403001922038216', ['vehicle_maker']);
    const dealer = await createFirm(app, 'Trace Dealer', '911100001000079554', ['dealer', 'repairer']);
    const dismantler = await createFirm(app, 'Trace Dismantler', '91110000802100433B', ['dismantler']);
    const cascade = await createFirm(app, 'Trace Cascade', '91440300708461136T', ['cascade_utiliser']);
    // Codes of a manufacturer code not assigned to the registrant are refused (UNASSIGNED_MANUFACTURER_CODE).
    await apiCall(app, app.adminKey, 'POST', '/v1/manufacturer-codes', { code: 'T01', enterpriseId: maker.id, certificateDate: '2020-01-01' });

    const filled = Date.now();
    await fill(pg, maker.id);
    const [{ n }] = (await pg.query('SELECT count(*)::int AS n FROM lifecycle_events')).rows;
    console.log(`ledger trace: ${app.describe}; filler ${fmt(n)} events in ${((Date.now() - filled) / 1000).toFixed(1)} s, node ${process.version}`);

    // The pack: 8 modules of 12 cells, then its lifecycle up to residual-capacity testing at a cascade firm.
    let serial = 1;
    const pack = code('P', serial++);
    const attrs = { nominalCapacityAh: 150, nominalVoltageV: 350.4, ratedEnergyKwh: 52.56, massKg: 380 };
    const produced: unknown[] = [{ type: 'produced', batteryCodes: [pack], occurredAt: '2026-01-16T02:00:00Z', payload: attrs }];
    for (let m = 0; m < 8; m++) {
      const moduleCode = code('M', serial++);
      const cells = Array.from({ length: 12 }, () => code('C', serial++));
      produced.push({
        type: 'produced',
        batteryCodes: [moduleCode],
        occurredAt: '2026-01-16T02:00:00Z',
        payload: { nominalCapacityAh: 150, nominalVoltageV: 43.8, parentCode: pack },
      });
      produced.push({
        type: 'produced',
        batteryCodes: cells,
        occurredAt: '2026-01-16T02:00:00Z',
        payload: { nominalCapacityAh: 150, nominalVoltageV: 3.65, parentCode: moduleCode },
      });
    }
    await events(app, maker.key, produced);
    const body = 'LGXCE4CB0N0000001';
    const vin = body.slice(0, 8) + vinCheckDigit(body) + body.slice(9);
    const t = (h: number) => new Date(Date.parse('2026-01-20T00:00:00Z') + h * 3_600_000).toISOString();
    await events(app, maker.key, [{ type: 'delivered', batteryCodes: [pack], occurredAt: t(1), counterpartyUscc: vm.uscc }]);
    await events(app, vm.key, [
      { type: 'installed', batteryCodes: [pack], occurredAt: t(2), vin },
      { type: 'vehicle_certified', batteryCodes: [pack], occurredAt: t(3), vin, payload: { certificateNo: 'WCC-1' } },
    ]);
    await events(app, dealer.key, [
      { type: 'vehicle_sold', batteryCodes: [pack], occurredAt: t(4), vin, regionCode: '440305', payload: { buyerType: 'individual' } },
      { type: 'repaired', batteryCodes: [pack], occurredAt: t(5), vin, payload: { description: 'BMS firmware' } },
    ]);
    await events(app, dismantler.key, [
      { type: 'vehicle_scrapped', batteryCodes: [pack], occurredAt: t(6), vin, payload: { scrapCertificateNo: 'BF-1' } },
      { type: 'removed', batteryCodes: [pack], occurredAt: t(7), vin, counterpartyUscc: cascade.uscc },
    ]);
    await events(app, cascade.key, [
      { type: 'cascade_received', batteryCodes: [pack], occurredAt: t(8) },
      { type: 'residual_tested', batteryCodes: [pack], occurredAt: t(9), payload: { testRecordRef: 'RT-1', sohPercent: 78.5, decision: 'cascade' } },
    ]);

    const trace = await apiCall(app, cascade.key, 'GET', `/v1/batteries/${pack}/trace`);
    const size = JSON.stringify(trace).length;
    if (process.env.BENCH_DUMP_TRACE) writeFileSync(process.env.BENCH_DUMP_TRACE, JSON.stringify(trace, null, 1));
    // One request at a time: each sample is the whole round trip of one request over a kept-alive socket.
    // A regulator limited to Guangdong, where the vehicle was sold: its visibility check reads where the battery is
    // (libs/batteries LOCATED_IN_REGION), not only whether the caller is a party.
    const regulator = await apiCall(app, app.adminKey, 'POST', '/v1/regulators', { name: '广东省监管', regionPrefix: '44' });
    const regulatorKey = (await apiCall(app, app.adminKey, 'POST', `/v1/regulators/${regulator.id}/api-keys`, { name: 'bench' })).key as string;
    const timed = (path: string, key = cascade.key) => timedGet(app, key, path);
    for (let i = 0; i < 50; i++) await timed(`/v1/batteries/${pack}/trace`); // warm-up
    const traceMs: number[] = [];
    const healthMs: number[] = [];
    const regulatorMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      traceMs.push(await timed(`/v1/batteries/${pack}/trace`));
      healthMs.push(await timed('/health'));
      if (i % 4 === 0) regulatorMs.push(await timed(`/v1/batteries/${pack}/trace`, regulatorKey));
    }
    if (process.env.BENCH_SLOWEST) {
      // Where the slowest samples fall in the run (a cluster points at background work, spread at noise).
      const slow = traceMs
        .map((ms, i) => [ms, i] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, 20);
      console.log(`  slowest traces (ms@sample): ${slow.map(([ms, i]) => `${ms.toFixed(1)}@${i}`).join(' ')}`);
      console.log(`  /health at those samples: ${slow.map(([, i]) => healthMs[i].toFixed(1)).join(' ')}`);
    }
    console.log(`  trace response: ${fmt(size)} bytes; ${SAMPLES} samples each, alternating`);
    console.log(latencyRow('GET /v1/batteries/:pack/trace', traceMs, 34));
    console.log(latencyRow('GET /health (HTTP floor)', healthMs, 34));
    console.log(latencyRow('  the same trace, regional regulator', regulatorMs, 34));
    console.log(p99Verdict('trace', traceMs, healthMs));
  });
}

if (require.main === module) runStandalone(run);
