/**
 * Outlet benchmark: latency percentiles of the public outlet list by region (`GET /v1/public/outlets?region=`) and
 * of the nearest search (`GET /v1/public/outlets/nearest`) over 100,000 outlets, each against `GET /health` on the
 * same connection in the same run (sampled alternately); and the time of `GET /v1/enterprises/:id/outlet-coverage`
 * for a vehicle maker with 1,000,000 sold vehicles. Outlets and sales are written with set-based SQL (the registry's
 * and the ledger's write paths are not what is measured); the public rate limit is lifted for the one load client.
 *
 * Run: `npm run bench -- outlets`. Knobs: BENCH_OUTLETS (100000), BENCH_SOLD (1000000), BENCH_SAMPLES (1000),
 * BENCH_COVERAGE_SAMPLES (5). Small: `BENCH_OUTLETS=2000 BENCH_SOLD=20000 BENCH_SAMPLES=100 npm run bench -- outlets`.
 */
import type { Client } from 'pg';
import { regionsOfLevel } from '../libs/regions/src';
import { apiCall, createFirm, runStandalone, send, withBenchApp } from './support/bench-app';
import { latencyRow, p99Verdict, timedGet } from './support/latency';
import { fmt, percentile } from './support/stats';

const OUTLETS = Number(process.env.BENCH_OUTLETS ?? 100_000);
const SOLD = Number(process.env.BENCH_SOLD ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);
const COVERAGE_SAMPLES = Number(process.env.BENCH_COVERAGE_SAMPLES ?? 5);

/** Counties of the mainland (the dataset's level-3 codes), the regions outlets and sales are spread over. */
const COUNTIES = regionsOfLevel('county')
  .filter((c) => !['71', '81', '82'].includes(c.slice(0, 2)))
  .sort();

/** A deterministic spread in [0, 1) (the load must be the same in every run). */
const spread = (i: number, salt: number) => {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

async function fillOutlets(pg: Client, vmId: string, otherId: string): Promise<void> {
  const chunk = 20_000;
  for (let start = 1; start <= OUTLETS; start += chunk) {
    const end = Math.min(OUTLETS, start + chunk - 1);
    // 1 in 20 outlets is the vehicle maker's; 1 in 25 is suspended; lat 20–42, lng 100–122 (mainland China's box).
    await pg.query(
      `INSERT INTO outlets (owner_enterprise_id, code, name, type, address, region_code, region_code_submitted, lat, lng, storage_area_m2,
                            capacity_t, contact_phone, opened_on, status, status_since, rule_set)
       SELECT CASE WHEN i % 20 = 0 THEN $1::uuid ELSE $2::uuid END, 'B-' || i, '回收服务网点 ' || i,
              CASE WHEN i % 10 = 0 THEN 'centralised_storage' ELSE 'collection' END, '某路' || i || '号',
              r.code, r.code, 20 + (abs(hashint4(i)) % 2200000) / 100000.0, 100 + (abs(hashint4(i + 7)) % 2200000) / 100000.0,
              20, CASE WHEN i % 10 = 0 THEN 40 ELSE 4 END, '0591-' || i, date '2025-01-01',
              CASE WHEN i % 25 = 0 THEN 'suspended' ELSE 'active' END, date '2025-01-01', 'cn-2026-outlets'
         FROM generate_series($3::int, $4::int) i
         JOIN LATERAL (SELECT ($5::text[])[1 + abs(hashint4(i * 31)) % cardinality($5::text[])] AS code) r ON true`,
      [vmId, otherId, start, end, COUNTIES],
    );
  }
}

async function fillSales(pg: Client, vmId: string): Promise<void> {
  const chunk = 100_000;
  for (let start = 1; start <= SOLD; start += chunk) {
    const end = Math.min(SOLD, start + chunk - 1);
    await pg.query(
      `INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, reporter_enterprise_id, region_code, vin, battery_codes, content_hash, payload)
       SELECT gen_random_uuid(), 'vehicle_sold', 1, timestamptz '2026-01-01' + (i % 200) * interval '1 day', $1,
              ($4::text[])[1 + abs(hashint4(i)) % cardinality($4::text[])], NULL, ARRAY['V01PB24A000001G1F' || lpad(i::text, 7, '0')],
              sha256(convert_to('sold/' || i, 'UTF8')), '{}'
         FROM generate_series($2::int, $3::int) i`,
      [vmId, start, end, COUNTIES],
    );
  }
}

export async function run(): Promise<void> {
  // One load client: the public rate limit (per client IP) is lifted for the run.
  process.env.PUBLIC_RATE_LIMIT_PER_MINUTE = '1000000';
  await withBenchApp(async (app, pg) => {
    const vm = await createFirm(app, 'Outlet Bench Vehicle Maker', '914403001922038216', ['vehicle_maker']);
    const other = await createFirm(app, 'Outlet Bench Dealer', '911100001000079554', ['dealer']);
    const started = Date.now();
    await fillOutlets(pg, vm.id, other.id);
    const outletsAt = Date.now();
    await fillSales(pg, vm.id);
    await pg.query('VACUUM ANALYZE');
    const [{ n }] = (await pg.query(`SELECT count(*)::int AS n FROM outlets WHERE status = 'active'`)).rows;
    console.log(
      `outlets: ${app.describe}; ${fmt(OUTLETS)} outlets (${fmt(n)} active) in ${((outletsAt - started) / 1000).toFixed(1)} s, ` +
        `${fmt(SOLD)} vehicle_sold events in ${((Date.now() - outletsAt) / 1000).toFixed(1)} s; node ${process.version}`,
    );

    const prefectures = [...new Set(COUNTIES.map((c) => c.slice(0, 4)))];
    const listPath = (i: number) => `/v1/public/outlets?region=${prefectures[Math.floor(spread(i, 1) * prefectures.length)]}&limit=50`;
    const nearestPath = (i: number) =>
      `/v1/public/outlets/nearest?lat=${(22 + spread(i, 2) * 18).toFixed(4)}&lng=${(102 + spread(i, 3) * 18).toFixed(4)}&limit=10`;
    const timed = (key: string, path: string) => timedGet(app, key, path);
    for (let i = 0; i < 50; i++) {
      await timed('', listPath(i));
      await timed('', nearestPath(i));
    }
    const listMs: number[] = [];
    const nearestMs: number[] = [];
    const healthMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      listMs.push(await timed('', listPath(1000 + i)));
      healthMs.push(await timed('', '/health'));
      nearestMs.push(await timed('', nearestPath(1000 + i)));
      healthMs.push(await timed('', '/health'));
    }
    const sample = await apiCall(app, '', 'GET', nearestPath(7));
    console.log(
      `  ${SAMPLES} samples each, alternating with /health; a nearest answer holds ${sample.items.length} outlets, the farthest at ${sample.items.at(-1)?.distanceKm} km`,
    );
    console.log(latencyRow('GET /v1/public/outlets?region=<prefecture>', listMs, 40));
    console.log(latencyRow('GET /v1/public/outlets/nearest (10)', nearestMs, 40));
    console.log(latencyRow('GET /health (HTTP floor)', healthMs, 40));
    console.log(p99Verdict('region list:', listMs, healthMs));
    console.log(p99Verdict('nearest:', nearestMs, healthMs));

    const coverageMs: number[] = [];
    let gaps = 0;
    for (let i = 0; i < COVERAGE_SAMPLES; i++) {
      const t0 = process.hrtime.bigint();
      const res = await send(app, vm.key, 'GET', `/v1/enterprises/${vm.id}/outlet-coverage?on=2026-12-01`);
      if (res.status !== 200) throw new Error(`coverage: ${res.status} ${res.text.slice(0, 300)}`);
      coverageMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      gaps = JSON.parse(res.text).duties[0].gaps;
    }
    const worst = Math.max(...coverageMs);
    console.log(
      `  GET /v1/enterprises/:id/outlet-coverage (${fmt(SOLD)} sold vehicles, ${gaps} gaps): median ${percentile(coverageMs, 50).toFixed(0)} ms, ` +
        `worst ${worst.toFixed(0)} ms of ${COVERAGE_SAMPLES}; target <= 2 s: ${worst <= 2000 ? 'met' : 'NOT met'}`,
    );
  });
}

if (require.main === module) runStandalone(run);
