/**
 * Report benchmark: the upload-timeliness report (scope all, two years) as a BullMQ job over a generated ledger of
 * batteries with realistic lifecycles (made, delivered, installed, scrapped across National Day 2025 and Spring
 * Festival 2026, removed and handed to a recycler, received, recycled; uploads 0–40 days after the fact, so some
 * are late; some removals never received and some scrapped vehicles never dismantled, so some uploads are missing).
 * Two sizes show how the cost grows. Baseline in the same run: one sequential read of the same rows (the chain
 * joined to the events, in battery order), the floor of any report that reads every event.
 *
 * Run: `npm run bench -- reports`. Knobs: BENCH_REPORT_BATTERIES (sizes, comma-separated; default 100000,1000000;
 * e.g. 2000,20000 for a quick check). The dataset is written with set-based SQL (bypassing the API). With
 * DATABASE_URL, BENCH_KEEP_DB=1 keeps the database and BENCH_REUSE_DB=<name> runs on it again, generating only
 * what it lacks (a size smaller than it holds is skipped).
 * The jobs run in a worker process of its own (the built apps/worker, started as `npm run start:worker` does), the
 * API running no workers (RUN_WORKERS_IN_API=false): the RSS target is the worker's.
 * Reported: job time (request to done), rows per second, the worker process's peak RSS during each report (VmHWM,
 * reset before each one), and the ratio to the baseline read. Targets (issue 17): 1M batteries ≤ 60 s, peak RSS of
 * the worker ≤ 300 MB; flow audit of a province ≤ 60 s.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import type { BenchApp } from './support/bench-app';
import { apiCall, createFirm, startBenchApp } from './support/bench-app';
import { cpuSince, cpuTimes } from './support/cpu';
import { fmt } from './support/stats';

const SIZES = (process.env.BENCH_REPORT_BATTERIES ?? '100000,1000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
  .sort((a, b) => a - b);

/** Peak resident set of a process (VmHWM), MB. */
function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Resident set now (VmRSS), MB. */
function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Resets a process's peak RSS to its current RSS (Linux ≥ 4.0: `5` to clear_refs), so each report has its own peak. */
function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux, or not allowed: the peak is then the process's lifetime peak.
  }
}

/** Batteries `from`..`to` (serials) with their lifecycles: 3 to 7 events each, by serial modulo 10. */
async function generate(pg: Client, from: number, to: number, f: Record<string, string>): Promise<void> {
  const chunk = 20_000;
  for (let start = from; start <= to; start += chunk) {
    const end = Math.min(to, start + chunk - 1);
    await pg.query(
      `WITH b AS (
         SELECT i, 'R01PB24A000001G1F' || lpad(i::text, 7, '0') AS code,
                timestamptz '2025-09-20 10:00+08' + ((i::bigint * 7919) % 190) * interval '1 day' AS t0,
                CASE WHEN i % 10 < 6 THEN 7 WHEN i % 10 < 8 THEN 5 WHEN i % 10 = 8 THEN 4 ELSE 3 END AS n
           FROM generate_series($1::int, $2::int) i
       ), steps AS (
         SELECT b.*, s.seq, s.type, s.reporter, s.counterparty, b.t0 + s.days * interval '1 day' AS occurred
           FROM b CROSS JOIN LATERAL (VALUES
             (1, 'produced', $3::uuid, NULL::uuid, -60), (2, 'delivered', $3, $4::uuid, -59), (3, 'installed', $4, NULL, -50),
             (4, 'vehicle_scrapped', $5, NULL, 0), (5, 'removed', $5, $6::uuid, 10), (6, 'recycler_received', $6, $5, 12), (7, 'recycled', $6, NULL, 40)
           ) AS s(seq, type, reporter, counterparty, days)
          WHERE s.seq <= b.n
       ), ev AS (
         INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, uploaded_at, reporter_enterprise_id, counterparty_enterprise_id, region_code, battery_codes, content_hash, payload)
         SELECT gen_random_uuid(), type, 1, occurred, occurred + ((i * 31 + seq * 17) % 40) * interval '1 day', reporter, counterparty, '350102', ARRAY[code],
                sha256(convert_to(code || '/' || seq, 'UTF8')), jsonb_build_object('n', seq)
           FROM steps
         RETURNING id, battery_codes[1] AS code, (payload->>'n')::int AS seq, reporter_enterprise_id AS reporter
       ), links AS (
         INSERT INTO battery_event_chain (battery_code, seq, event_id, prev_hash, link_hash)
         SELECT code, seq, id, sha256(convert_to(code || (seq - 1), 'UTF8')), sha256(convert_to(code || seq, 'UTF8')) FROM ev
         RETURNING battery_code, seq, event_id, link_hash
       ), parties AS (
         INSERT INTO battery_parties (battery_code, enterprise_id, first_event_id, first_at)
         SELECT DISTINCT ON (code, reporter) code, reporter, id, now() FROM ev ORDER BY code, reporter, seq
       )
       INSERT INTO batteries (code, form, manufacturer_code, product_type, battery_type, specification_code, traceability_code,
                              production_date, serial, producer_enterprise_id, produced_event_id, status, holder_enterprise_id,
                              region_keys, last_event_id, last_event_type, last_event_at, chain_seq, chain_head)
       SELECT l.battery_code, 'original', 'R01', 'pack', 'B', '24', 'A000001', date '2026-01-15', right(l.battery_code, 7), $3, l.event_id,
              'produced', $3, '{35,3501,350102}', l.event_id, 'produced', now(), l.seq, l.link_hash
         FROM links l JOIN b ON b.code = l.battery_code WHERE l.seq = b.n`,
      [start, end, f.maker, f.vm, f.dismantler, f.recycler],
    );
  }
  await pg.query('VACUUM ANALYZE');
}

/**
 * CPU spent during a report: the worker process (all its threads), PostgreSQL (less the backends that ended before
 * the second reading: a report thread's own connections), and the machine (every core, the API's polling too). On
 * two cores the machine's figure against 2 × the wall time says whether the report is bound by CPU.
 */
function cpuLine(cpu: ReturnType<typeof cpuSince>): string {
  if (!cpu) return 'CPU n/a';
  return `CPU: worker ${fmt(cpu.api / 1000, 1)} s, PostgreSQL ≥ ${fmt(cpu.postgres / 1000, 1)} s, machine ${fmt(cpu.machine / 1000, 1)} s`;
}

async function waitForReport(app: BenchApp, id: string): Promise<any> {
  for (;;) {
    const r = await apiCall(app, app.adminKey, 'GET', `/v1/reports/${id}`);
    if (r.status === 'done' || r.status === 'failed') return r;
    await new Promise((done) => setTimeout(done, 200));
  }
}

export async function run(): Promise<void> {
  const app = await startBenchApp({ separateWorker: true });
  const worker = app.workerPid!;
  console.log(`  ${app.describe}; worker RSS at rest ${fmt(rssMb(worker) ?? 0)} MB`);
  const pg = new Client({ connectionString: app.databaseUrl });
  await pg.connect();
  const figures: { size: number; seconds: number; rss: number | null; baseline: number; rows: number; flowSeconds: number; flowRss: number | null }[] = [];
  try {
    // A reused database (BENCH_REUSE_DB) already holds the firms and the first `made` batteries.
    let made = Number((await pg.query('SELECT count(*) AS n FROM batteries')).rows[0].n);
    const firm = async (name: string, uscc: string, roles: string[]): Promise<string> =>
      made > 0 ? (await pg.query('SELECT id FROM enterprises WHERE uscc = $1', [uscc])).rows[0].id : (await createFirm(app, name, uscc, roles)).id;
    const f = {
      maker: await firm('Report Battery Maker', '91350100M000100Y43', ['battery_maker']),
      vm: await firm('Report Vehicle Maker', '914403001922038216', ['vehicle_maker']),
      dismantler: await firm('Report Dismantler', '91110000802100433B', ['dismantler']),
      recycler: await firm('Report Recycler', '91440300708461136T', ['recycler']),
    };
    for (const size of SIZES) {
      if (made > size) {
        console.log(`  ${fmt(size)} batteries: skipped (the reused database holds ${fmt(made)})`);
        continue;
      }
      if (made < size) {
        const t0 = Date.now();
        await generate(pg, made + 1, size, f);
        console.log(
          `  ${fmt(size)} batteries generated in ${fmt((Date.now() - t0) / 1000, 1)} s${made > 0 ? ` (on top of the ${fmt(made)} already there)` : ''}`,
        );
        made = size;
      } else console.log(`  ${fmt(size)} batteries: the reused database's`);
      const b0 = Date.now();
      await pg.query(
        `SELECT count(*), max(e.uploaded_at) FROM (SELECT l.battery_code, e.uploaded_at FROM battery_event_chain l JOIN lifecycle_events e ON e.id = l.event_id ORDER BY l.battery_code, l.seq) e`,
      );
      const baseline = (Date.now() - b0) / 1000;
      resetPeakRss(worker);
      let cpu0 = cpuTimes(worker);
      const r0 = Date.now();
      const asked = await apiCall(app, app.adminKey, 'POST', '/v1/reports', {
        type: 'timeliness',
        scope: 'all',
        period: '2025-01-01/2026-12-31',
        regenerate: true,
      });
      const done = await waitForReport(app, asked.id);
      const seconds = (Date.now() - r0) / 1000;
      if (done.status !== 'done') throw new Error(`report failed: ${done.error}`);
      const rss = peakRssMb(worker);
      const cpu = cpuSince(cpu0, cpuTimes(worker));
      const t = done.summary.totals;
      console.log(
        `  timeliness, ${fmt(size)} batteries: ${fmt(seconds, 1)} s (${fmt(size / seconds)} batteries/s), peak RSS of the worker ${rss === null ? 'n/a' : `${fmt(rss)} MB`}; ` +
          `baseline read ${fmt(baseline, 1)} s (ratio ${fmt(seconds / baseline, 1)}); on time ${fmt(t.on_time)}, late ${fmt(t.late)}, missing ${fmt(t.missing_overdue)}, no deadline ${fmt(t.no_deadline)}; ${fmt(done.rowCount)} findings; ${cpuLine(cpu)}`,
      );
      resetPeakRss(worker);
      cpu0 = cpuTimes(worker);
      const f0 = Date.now();
      const flow = await waitForReport(
        app,
        (await apiCall(app, app.adminKey, 'POST', '/v1/reports', { type: 'flow_audit', scope: 'region:35', period: '2025-01-01/2026-12-31', regenerate: true }))
          .id,
      );
      const flowSeconds = (Date.now() - f0) / 1000;
      if (flow.status !== 'done') throw new Error(`flow audit failed: ${flow.error}`);
      const flowRss = peakRssMb(worker);
      const flowCpu = cpuSince(cpu0, cpuTimes(worker));
      figures.push({ size, seconds, rss, baseline, rows: done.rowCount, flowSeconds, flowRss });
      console.log(
        `  flow audit of province 35, ${fmt(size)} batteries: ${fmt(flowSeconds, 1)} s, peak RSS of the worker ${flowRss === null ? 'n/a' : `${fmt(flowRss)} MB`}; ` +
          `retired ${fmt(flow.summary.flow.retired.count)}, unaccounted ${fmt(flow.summary.flow.destinations.unaccounted.count)}; ${cpuLine(flowCpu)}`,
      );
    }
    const mb = (x: number | null) => (x === null ? 'n/a' : `${fmt(x)} MB`);
    if (figures.length >= 2) {
      const [a, b] = [figures[0], figures[figures.length - 1]];
      console.log(
        `  growth ${fmt(b.size / a.size)}× batteries → timeliness ${fmt(b.seconds / a.seconds, 1)}× time, RSS ${mb(a.rss)} → ${mb(b.rss)}; ` +
          `flow audit ${fmt(b.flowSeconds / a.flowSeconds, 1)}× time, RSS ${mb(a.flowRss)} → ${mb(b.flowRss)}`,
      );
    }
    const big = figures.find((x) => x.size >= 1_000_000);
    if (big)
      console.log(
        `  targets (1M): timeliness ≤ 60 s: ${big.seconds <= 60 ? 'met' : 'NOT met'}; peak RSS of the worker ≤ 300 MB: ${big.rss !== null && big.rss <= 300 ? 'met' : 'NOT met'}; ` +
          `flow audit ≤ 60 s: ${big.flowSeconds <= 60 ? 'met' : 'NOT met'}`,
      );
  } finally {
    await pg.end();
    await app.close();
  }
}
