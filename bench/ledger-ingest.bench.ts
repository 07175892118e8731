/**
 * Ingest benchmark: events/s through `POST /v1/events` (real HTTP, 500-event batches, full validation: codec,
 * state machine, custody, idempotency, hash chain) against a baseline measured in the same run — the very
 * rows the API wrote (events, chain links, batteries, parties), written again by a plain COPY into tables of
 * the same shape. Each round posts a phase of registrations ('produced') and a phase of hand-overs ('delivered')
 * of the same batteries, then COPYs the rows both wrote. The round's API figure is both phases' events over both
 * phases' time, so it and the COPY baseline count the same rows; medians over the rounds are printed, and the
 * ratio is the median of the rounds' ratios.
 *
 * Run: `npm run bench -- ingest` (embedded PostgreSQL) or with DATABASE_URL/REDIS_URL set.
 * Throughput is the server's: requests are kept in flight at twice the number of cores (4 here). With only 2 in
 * flight on two cores each side idles about a third of the time while the other works on the same request
 * (measured: API and PostgreSQL at 0.7 cores each), and the figure is the round trip's, not the server's
 * capacity; more than 4 (8, or the API in two processes) kept the cores busier but not the events/s higher.
 *
 * Knobs: BENCH_ROUNDS (default 5), BENCH_BATCHES (batches per phase per round, default 20), BENCH_CONCURRENCY
 * (requests in flight, default 2 × cores).
 */
import { availableParallelism } from 'node:os';
import type { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { format } from '../libs/battery-code/src';
import type { BenchApp } from './support/bench-app';
import { apiCall, createFirm, JsonText, runStandalone, withBenchApp } from './support/bench-app';
import type { CpuTimes } from './support/cpu';
import { cpuSince, cpuTimes } from './support/cpu';
import { fmt, median } from './support/stats';

const BATCH = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2 * availableParallelism());
const TABLES = ['lifecycle_events', 'battery_event_chain', 'batteries', 'battery_parties'] as const;

function packCode(serial: number): string {
  const r = format({
    manufacturerCode: 'B01',
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

interface Measured {
  /** Events per second. */
  rate: number;
  /** CPU per 1,000 events, in ms (null without /proc). */
  cpu: CpuTimes | null;
  /** Cores kept busy on average (null without /proc). */
  cores: number | null;
}

function measured(events: number, seconds: number, cpu: CpuTimes | null): Measured {
  return {
    rate: events / seconds,
    cpu: cpu && { api: (cpu.api * 1000) / events, postgres: (cpu.postgres * 1000) / events, machine: (cpu.machine * 1000) / events },
    cores: cpu && cpu.machine / 1000 / seconds,
  };
}

/** Posts the batches with CONCURRENCY requests in flight. Every event must be accepted. */
async function post(app: BenchApp, key: string, batches: unknown[][]): Promise<Measured> {
  let next = 0;
  // The clients share the API's process and cores: their JSON.stringify of the bodies is done before the clock
  // starts (it is not the API's work). Everything the API does with a body stays measured.
  const bodies = batches.map((batch) => new JsonText(JSON.stringify({ events: batch, mode: 'atomic' })));
  const cpuBefore = cpuTimes(app.apiPid);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) {
        const i = next++;
        const batch = batches[i];
        const body = await apiCall(app, key, 'POST', '/v1/events', bodies[i]);
        if (body.counts.accepted !== batch.length)
          throw new Error(`batch not accepted: ${JSON.stringify(body.results.find((r: any) => r.status !== 'accepted'))}`);
        const warned = body.results.find((r: any) => r.warnings);
        if (warned) throw new Error(`the benchmark's events should raise no warnings: ${JSON.stringify(warned)}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = batches.length * BATCH;
  return measured(events, seconds, cpuSince(cpuBefore, cpuTimes(app.apiPid)));
}

/** The rows the API wrote since `since`, as COPY text per table, ready to be written again. */
async function rowsSince(pg: Client, since: string): Promise<Record<string, Buffer>> {
  const select: Record<(typeof TABLES)[number], string> = {
    lifecycle_events: `SELECT * FROM lifecycle_events WHERE uploaded_at >= '${since}'`,
    battery_event_chain: `SELECT battery_code, seq, event_id, prev_hash, link_hash FROM battery_event_chain WHERE event_id IN (SELECT id FROM lifecycle_events WHERE uploaded_at >= '${since}')`,
    batteries: `SELECT * FROM batteries WHERE updated_at >= '${since}'`,
    battery_parties: `SELECT * FROM battery_parties WHERE first_event_id IN (SELECT id FROM lifecycle_events WHERE uploaded_at >= '${since}')`,
  };
  const out: Record<string, Buffer> = {};
  for (const table of TABLES) {
    const chunks: Buffer[] = [];
    const stream = pg.query(copyTo(`COPY (${select[table]}) TO STDOUT`));
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    out[table] = Buffer.concat(chunks);
  }
  return out;
}

/** Writes the captured rows into the shadow tables with COPY, in one transaction. */
async function copy(app: BenchApp, pg: Client, rows: Record<string, Buffer>, events: number): Promise<Measured> {
  const cpuBefore = cpuTimes(app.apiPid);
  const started = process.hrtime.bigint();
  await pg.query('BEGIN');
  for (const table of TABLES) {
    const columns = table === 'battery_event_chain' ? '(battery_code, seq, event_id, prev_hash, link_hash)' : '';
    await new Promise<void>((resolve, reject) => {
      const stream = pg.query(copyFrom(`COPY shadow_${table} ${columns} FROM STDIN`));
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(rows[table]);
    });
  }
  await pg.query('COMMIT');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return measured(events, seconds, cpuSince(cpuBefore, cpuTimes(app.apiPid)));
}

export async function run(): Promise<void> {
  await withBenchApp(async (app, pg) => {
    const maker = await createFirm(app, 'Bench Battery Maker', '91350100M000100Y43', ['battery_maker']);
    const vm = await createFirm(app, 'Bench Vehicle Maker', '914403001922038216', ['vehicle_maker']);
    await apiCall(app, app.adminKey, 'POST', '/v1/manufacturer-codes', { code: 'B01', enterpriseId: maker.id, certificateDate: '2020-01-01' });
    // The maker has filed the coding rule of the specification code it registers, as a firm in production has.
    // Without the filing every registration is accepted with a SPECIFICATION_CODE_UNFILED warning, and each
    // registering response grows from about 50 to 216 KB (500 copies of the warning) for the API to build and
    // the load generator, on the same cores, to parse.
    await apiCall(app, maker.key, 'POST', `/v1/enterprises/${maker.id}/coding-rules`, {
      manufacturerCode: 'B01',
      specificationCode: '24',
      validFrom: '2020-01-01',
      productType: 'P',
      batteryType: 'B',
      ratedCapacityAh: 150,
      nominalVoltageV: 350.4,
      ratedEnergyKwh: 52.56,
      traceabilityScheme: 'A: line; 000001: lot',
    });
    for (const table of TABLES) await pg.query(`CREATE TABLE shadow_${table} (LIKE ${table} INCLUDING ALL)`);

    const payload = { nominalCapacityAh: 150, nominalVoltageV: 350.4, ratedEnergyKwh: 52.56, massKg: 380 };
    let serial = 1;
    const api: { produced: Measured[]; delivered: Measured[] } = { produced: [], delivered: [] };
    const copies: Measured[] = [];
    const rounds: { both: number; ratio: number }[] = [];
    // Which server matters: the embedded one's npm binaries are built for size (-Os) and cost 25-40 % more CPU per
    // event than a distribution's build (README, Benchmarks).
    const [{ server_version: serverVersion }] = (await pg.query('SHOW server_version')).rows;
    console.log(
      `ledger ingest: ${app.describe} (server ${serverVersion}); ${ROUNDS} measured rounds (+1 warm-up), each ${BATCHES} batches of ${BATCH} 'produced' events, then ${BATCHES} of 'delivered', ${CONCURRENCY} requests in flight, node ${process.version}`,
    );
    for (let round = 0; round <= ROUNDS; round++) {
      const [{ now: since }] = (await pg.query('SELECT now()::text AS now')).rows;
      const codes = Array.from({ length: BATCHES * BATCH }, () => packCode(serial++));
      const batches = (type: 'produced' | 'delivered') =>
        Array.from({ length: BATCHES }, (_, b) =>
          codes.slice(b * BATCH, (b + 1) * BATCH).map((code) =>
            type === 'produced'
              ? { type, batteryCodes: [code], occurredAt: '2026-01-16T02:00:00Z', payload }
              : {
                  type,
                  batteryCodes: [code],
                  occurredAt: '2026-01-20T02:00:00Z',
                  counterpartyUscc: vm.uscc,
                  payload: { deliveryNoteNo: `DN-${code.slice(-7)}` },
                },
          ),
        );
      const produced = await post(app, maker.key, batches('produced'));
      const delivered = await post(app, maker.key, batches('delivered'));
      // The baseline writes the same rows: both phases' events, their links, the batteries and the parties.
      const rows = await rowsSince(pg, since);
      const copied = await copy(app, pg, rows, 2 * BATCHES * BATCH);
      if (round === 0) continue; // warm-up
      api.produced.push(produced);
      api.delivered.push(delivered);
      copies.push(copied);
      // The round's rate: both phases' events over both phases' time (the COPY baseline writes the same rows).
      const both = 2 / (1 / produced.rate + 1 / delivered.rate);
      rounds.push({ both, ratio: both / copied.rate });
      console.log(
        `  round ${round}: API produced ${fmt(produced.rate)} ev/s, delivered ${fmt(delivered.rate)} ev/s, both ${fmt(both)} ev/s; COPY ${fmt(copied.rate)} ev/s`,
      );
    }
    const rates = (list: Measured[]) => list.map((m) => m.rate);
    const apiAll = median(rounds.map((r) => r.both));
    const ratio = median(rounds.map((r) => r.ratio));
    const copyMedian = median(rates(copies));
    // CPU per 1,000 events on each side, medians over the rounds (a steadier comparison than events/s here).
    const cpu = (list: Measured[]) => {
      const known = list.flatMap((m) => (m.cpu ? [m.cpu] : []));
      if (known.length === 0) return '';
      const api = median(known.map((c) => c.api));
      const pg = median(known.map((c) => c.postgres));
      const cores = median(list.flatMap((m) => (m.cores === null ? [] : [m.cores])));
      return `   CPU per 1,000 events: API ${fmt(api, 1)} ms, PostgreSQL ${fmt(pg, 1)} ms; ${fmt(cores, 2)} cores busy`;
    };
    console.log(`  median API 'produced' (registers batteries)  ${fmt(median(rates(api.produced)))} events/s${cpu(api.produced)}`);
    console.log(`  median API 'delivered' (hand-over)          ${fmt(median(rates(api.delivered)))} events/s${cpu(api.delivered)}`);
    console.log(`  median COPY of the same rows                 ${fmt(copyMedian)} events/s${cpu(copies)}`);
    console.log(`  median API, both phases                      ${fmt(apiAll)} events/s`);
    console.log(
      `  ratio API/COPY ${ratio.toFixed(2)} (median of the rounds; target >= 0.25: ${ratio >= 0.25 ? 'met' : 'NOT met'}); API >= 20,000 events/s: ${apiAll >= 20000 ? 'met' : 'NOT met'} (${fmt(apiAll)})`,
    );
    // The absolute figure follows the host's speed (it moves by up to 1.5x within an hour here); the ratio does not.
    console.log(`  at this ratio, 20,000 events/s needs a COPY rate of ${fmt(20000 / ratio)} events/s; this run's was ${fmt(copyMedian)}`);
    // The embedded server's npm binaries are built for size (-Os): the absolute target is about a server built for
    // speed, such as the machine's own PostgreSQL.
    if (app.embedded && apiAll < 20000)
      console.log(
        '  (embedded server, built with -Os: for the absolute target run with DATABASE_URL set to a distribution-built PostgreSQL, see bench/README.md)',
      );
  });
}

if (require.main === module) runStandalone(run);
