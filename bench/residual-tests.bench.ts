/**
 * Residual-test benchmark (`npm run bench -- tests`).
 *
 * 1. Residual tests recorded through `POST /v1/residual-tests` in batches of 500 (validation, rated values, grading,
 *    the test rows and the `residual_tested` events through the ledger's ingest, one transaction per batch), in
 *    tests/s, against the baseline of the same run: `POST /v1/events` with the same number of `residual_tested`
 *    events (same batch size, same requests in flight) on a second, equal set of batteries. Target ≥ 0.5 ×.
 * 2. Label PDF rendering: p50/p99 of `GET /v1/cascade-products/:code/label?format=pdf` against the JSON label of the
 *    same product over the same connection, sampled alternately. Target p99 ≤ 50 ms.
 *
 * The batteries are brought to the cascade utiliser's stock through the API (produced → … → cascade_received,
 * 500 events a batch). Before the clock, each side posts BENCH_WARMUP batches (default: as many as requests in
 * flight) on batteries of its own: the set-up has run the events' code hundreds of times, the tests' not once, and
 * each pooled connection prepares a named statement on its first use. Knobs: BENCH_TESTS (tests per side, default
 * 10000; a multiple of 500), BENCH_CONCURRENCY (requests in flight, default 2 × cores), BENCH_WARMUP,
 * BENCH_LABEL_SAMPLES (default 500).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { format } from '../libs/battery-code/src';
import { vinCheckDigit } from '../libs/identifiers/src';
import type { BenchApp } from './support/bench-app';
import { apiCall, createFirm, JsonText, send, startBenchApp } from './support/bench-app';
import type { CpuTimes } from './support/cpu';
import { cpuSince, cpuTimes } from './support/cpu';
import { fmt, percentile } from './support/stats';

const BATCH = 500;
const TESTS = Math.max(BATCH, Math.round(Number(process.env.BENCH_TESTS ?? 10_000) / BATCH) * BATCH);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2 * availableParallelism());
const WARMUP = Number(process.env.BENCH_WARMUP ?? CONCURRENCY);
const LABEL_SAMPLES = Number(process.env.BENCH_LABEL_SAMPLES ?? 500);
const at = (hours: number) => new Date(Date.parse('2026-03-01T00:00:00+08:00') + hours * 3_600_000).toISOString();

function packCode(serial: number): string {
  const r = format({
    manufacturerCode: 'T01',
    productType: 'P',
    batteryType: 'B',
    specificationCode: '24',
    traceabilityCode: 'A000001',
    productionDate: '2026-01-15',
    serial,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.code.code;
}

function vin(serial: number): string {
  const body = `LGXCE4CB0N${String(serial).padStart(7, '0')}`;
  return body.slice(0, 8) + vinCheckDigit(body) + body.slice(9);
}

const chunks = <T>(list: T[]): T[][] => Array.from({ length: Math.ceil(list.length / BATCH) }, (_, i) => list.slice(i * BATCH, (i + 1) * BATCH));

/** Posts bodies with CONCURRENCY requests in flight; `check` sees each answer. Returns seconds. */
async function post(app: BenchApp, key: string, path: string, bodies: JsonText[], check: (body: any) => void): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) check(await apiCall(app, key, 'POST', path, bodies[next++]));
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The server's postmaster (first line of postmaster.pid), when this machine runs it and the role may read where. */
async function postmasterPid(app: BenchApp): Promise<number | undefined> {
  try {
    const [row] = await app.sql<{ dir: string }>('SELECT current_setting($1) AS dir', ['data_directory']);
    return Number(readFileSync(join(row.dir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** CPU per batch of 500: the API's, and its PostgreSQL server's (every PostgreSQL process's on the machine if unknown). */
const perBatch = (cpu: CpuTimes | null) =>
  cpu ? `; CPU per batch: API ${fmt((cpu.api * BATCH) / TESTS, 1)} ms, PostgreSQL ${fmt((cpu.postgres * BATCH) / TESTS, 1)} ms` : '';

const allAccepted = (body: any) => {
  if (body.counts.rejected > 0) throw new Error(JSON.stringify((body.results as any[]).find((r) => r.status === 'rejected')));
};

type Firm = { id: string; uscc: string; key: string };

/** Brings packs into the cascade utiliser's stock, phase by phase, 500 events a request. */
async function retire(app: BenchApp, f: Record<'maker' | 'vm' | 'dealer' | 'dismantler' | 'cascade', Firm>, packs: string[], vins: string[]): Promise<void> {
  const phase = async (firm: Firm, make: (code: string, i: number) => Record<string, unknown>) => {
    const events = packs.map(make);
    await post(
      app,
      firm.key,
      '/v1/events',
      chunks(events).map((b) => new JsonText(JSON.stringify({ events: b, mode: 'atomic' }))),
      allAccepted,
    );
  };
  await phase(f.maker, (c) => ({
    type: 'produced',
    batteryCodes: [c],
    occurredAt: at(0),
    payload: { nominalCapacityAh: 150, nominalVoltageV: 350.4, ratedEnergyKwh: 52.56 },
  }));
  await phase(f.maker, (c) => ({ type: 'delivered', batteryCodes: [c], occurredAt: at(1), counterpartyUscc: f.vm.uscc }));
  await phase(f.vm, (c, i) => ({ type: 'installed', batteryCodes: [c], occurredAt: at(2), vin: vins[i] }));
  await phase(f.vm, (c, i) => ({ type: 'vehicle_certified', batteryCodes: [c], occurredAt: at(3), vin: vins[i], payload: { certificateNo: `WCC-${i}` } }));
  await phase(f.dealer, (c, i) => ({ type: 'vehicle_sold', batteryCodes: [c], occurredAt: at(4), vin: vins[i], regionCode: '350102' }));
  await phase(f.dismantler, (c, i) => ({
    type: 'vehicle_scrapped',
    batteryCodes: [c],
    occurredAt: at(5),
    vin: vins[i],
    payload: { scrapCertificateNo: `BF-${i}` },
  }));
  await phase(f.dismantler, (c) => ({ type: 'removed', batteryCodes: [c], occurredAt: at(6), counterpartyUscc: f.cascade.uscc }));
  await phase(f.cascade, (c) => ({ type: 'cascade_received', batteryCodes: [c], occurredAt: at(7) }));
}

function residualTest(code: string, i: number) {
  const capacity = 100 + (i % 40);
  return {
    batteryCode: code,
    clientTestId: `B-${i}`,
    testedAt: at(8),
    ambientTemperatureC: 25,
    dischargeCurrentA: 30,
    chargeVoltageV: 4.2,
    cutoffVoltageV: 2.75,
    cycles: [0.998, 1, 1.002].map((k) => ({ capacityAh: capacity * k, energyWh: capacity * k * 350 })),
    dcResistanceMOhm: 1.5,
    initialResistanceMOhm: 1.2,
    appearanceCheck: 'pass',
  };
}

export async function run(): Promise<void> {
  const app = await startBenchApp();
  try {
    const f = {
      maker: await createFirm(app, 'Tests Battery Maker', '91350100M000100Y43', ['battery_maker']),
      vm: await createFirm(app, 'Tests Vehicle Maker', '914403001922038216', ['vehicle_maker']),
      dealer: await createFirm(app, 'Tests Dealer', '911100001000079554', ['dealer']),
      dismantler: await createFirm(app, 'Tests Dismantler', '91110000802100433B', ['dismantler']),
      cascade: await createFirm(app, 'Tests Cascade', '91440300708461136T', ['cascade_utiliser']),
    };
    // The maker registers the packs, whose codes carry its manufacturer code.
    await apiCall(app, app.adminKey, 'POST', '/v1/manufacturer-codes', { code: 'T01', enterpriseId: f.maker.id, certificateDate: '2018-03-01' });
    const warm = WARMUP * BATCH;
    const total = 2 * TESTS + 2 * warm + 2;
    const packs = Array.from({ length: total }, (_, i) => packCode(i + 1));
    const vins = packs.map((_, i) => vin(i + 1));
    const setupStarted = Date.now();
    await retire(app, f, packs, vins);
    console.log(app.describe);
    console.log(
      `setup: ${fmt(total)} packs into cascade stock through the API in ${fmt((Date.now() - setupStarted) / 1000, 1)} s; ${fmt(TESTS)} tests per side, batches of ${BATCH}, ${CONCURRENCY} requests in flight, ${WARMUP} warm-up batches per side`,
    );

    const forTests = packs.slice(0, TESTS);
    const forEvents = packs.slice(TESTS, 2 * TESTS);
    const eventsBody = (codes: string[], ref: string) =>
      chunks(
        codes.map((c, i) => ({
          type: 'residual_tested',
          batteryCodes: [c],
          occurredAt: at(8),
          payload: { testRecordRef: `${ref}${i}`, sohPercent: 70, decision: 'cascade' },
        })),
      ).map((b) => new JsonText(JSON.stringify({ events: b, mode: 'partial' })));
    const testsBody = (codes: string[], from: number) =>
      chunks(codes.map((c, i) => residualTest(c, from + i))).map((b) => new JsonText(JSON.stringify({ tests: b })));
    // Bodies are serialised before the clock starts (the client's work, not the API's).
    const eventBodies = eventsBody(forEvents, 'RT-');
    const testBodies = testsBody(forTests, 0);
    await post(app, f.cascade.key, '/v1/events', eventsBody(packs.slice(2 * TESTS, 2 * TESTS + warm), 'RT-W'), allAccepted);
    await post(app, f.cascade.key, '/v1/residual-tests', testsBody(packs.slice(2 * TESTS + warm, 2 * TESTS + 2 * warm), 4 * TESTS), allAccepted);
    const postmaster = await postmasterPid(app);
    const timed = async (path: string, bodies: JsonText[]) => {
      const before = cpuTimes(app.apiPid, postmaster);
      const seconds = await post(app, f.cascade.key, path, bodies, allAccepted);
      return { seconds, cpu: cpuSince(before, cpuTimes(app.apiPid, postmaster)) };
    };
    const events = await timed('/v1/events', eventBodies);
    const tests = await timed('/v1/residual-tests', testBodies);
    const eventRate = TESTS / events.seconds;
    const testRate = TESTS / tests.seconds;
    console.log(`POST /v1/events (residual_tested, baseline): ${fmt(eventRate)} events/s${perBatch(events.cpu)}`);
    console.log(
      `POST /v1/residual-tests:                     ${fmt(testRate)} tests/s  ratio ${fmt(testRate / eventRate, 2)} (target ≥ 0.5)${perBatch(tests.cpu)}`,
    );

    // A product for the label: two tested packs as pack-level sources.
    await apiCall(app, app.adminKey, 'POST', '/v1/manufacturer-codes', { code: 'B01', enterpriseId: f.cascade.id, certificateDate: '2022-01-01' });
    await apiCall(app, f.cascade.key, 'PATCH', `/v1/enterprises/${f.cascade.id}`, { address: '福州市鼓楼区工业路 1 号' });
    const sources = packs.slice(-2);
    await apiCall(app, f.cascade.key, 'POST', '/v1/residual-tests', { tests: sources.map((c, i) => residualTest(c, TESTS * 3 + i)) });
    const product = await apiCall(app, f.cascade.key, 'POST', '/v1/cascade-products', {
      sourceCodes: sources,
      reuseLevel: 'pack',
      applicationField: 'energy_storage',
      nominalCapacityAh: 280,
      nominalVoltageV: 700.8,
      gtin: '6901234567892',
      warrantyMonths: 36,
      specificationCode: '01',
      assembledAt: at(9),
    });
    const pdfPath = `/v1/cascade-products/${product.code}/label?format=pdf`;
    const jsonPath = `/v1/cascade-products/${product.code}/label`;
    for (let i = 0; i < 20; i++) await send(app, f.cascade.key, 'GET', pdfPath); // warm-up (font load, JIT)
    const pdf: number[] = [];
    const json: number[] = [];
    for (let i = 0; i < LABEL_SAMPLES; i++) {
      for (const [path, into] of [
        [pdfPath, pdf],
        [jsonPath, json],
      ] as const) {
        const t0 = process.hrtime.bigint();
        const res = await send(app, f.cascade.key, 'GET', path);
        into.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      }
    }
    console.log(`label JSON (baseline): p50 ${fmt(percentile(json, 50), 2)} ms, p99 ${fmt(percentile(json, 99), 2)} ms`);
    console.log(
      `label PDF:             p50 ${fmt(percentile(pdf, 50), 2)} ms, p99 ${fmt(percentile(pdf, 99), 2)} ms (target p99 ≤ 50 ms; ${LABEL_SAMPLES} samples)`,
    );
  } finally {
    await app.close();
  }
}
