/**
 * Event-query benchmark (issue 18): latency percentiles of a regional regulator's page of 100 events for one
 * prefecture and one month (`GET /v1/events?from=…&to=…&limit=100` with a key limited to 3501, Fuzhou), in a ledger of
 * BENCH_EVENTS events (1,000,000) spread over 2026 and 200 firms in 10 prefectures; 30 % of the events carry a region
 * of their own (the rest count at their reporter's registered region). Baseline in the same run: `GET /health` over
 * the same HTTP connection, sampled alternately. The filler is written with set-based SQL (the ingest benchmark
 * measures writing); the query path is the API's.
 *
 * Run: `npm run bench -- events`. Knobs: BENCH_EVENTS (1000000), BENCH_SAMPLES (1000). Quick check:
 * `BENCH_EVENTS=20000 BENCH_SAMPLES=100 npm run bench -- events`.
 */
import type { Client } from 'pg';
import { apiCall, runStandalone, send, withBenchApp } from './support/bench-app';
import { latencyRow, p99Verdict, timedGet } from './support/latency';
import { fmt } from './support/stats';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);
const COUNTIES = ['350102', '350203', '440305', '330102', '320102', '110101', '310101', '440103', '510104', '420102'];
const FIRMS_PER_PREFECTURE = 20;

async function fill(pg: Client): Promise<void> {
  // 200 firms, 20 per prefecture (the enterprise_regions trigger records their regions).
  await pg.query(
    `INSERT INTO enterprises (name, uscc, roles, region_code)
     SELECT 'Bench firm ' || i, 'B' || lpad(i::text, 17, '0'), ARRAY['battery_maker'], ($1::text[])[1 + (i % ${COUNTIES.length})]
       FROM generate_series(0, ${COUNTIES.length * FIRMS_PER_PREFECTURE - 1}) i`,
    [COUNTIES],
  );
  const firms = (await pg.query<{ id: string }>(`SELECT id FROM enterprises WHERE uscc LIKE 'B%' ORDER BY uscc`)).rows.map((r) => r.id);
  const chunk = 50_000;
  for (let start = 0; start < EVENTS; start += chunk) {
    const end = Math.min(EVENTS, start + chunk) - 1;
    await pg.query(
      `INSERT INTO lifecycle_events (id, type, schema_version, occurred_at, uploaded_at, reporter_enterprise_id, region_code, battery_codes, content_hash, payload)
       SELECT gen_random_uuid(), (ARRAY['produced','delivered','installed','repaired','vehicle_sold'])[1 + i % 5], 1,
              timestamptz '2026-01-01 00:00+08' + (i::float8 / $3) * interval '365 days',
              timestamptz '2026-01-01 00:00+08' + (i::float8 / $3) * interval '365 days' + interval '2 hours',
              ($4::uuid[])[1 + abs(hashint4(i)) % cardinality($4::uuid[])],
              CASE WHEN abs(hashint4(-i)) % 10 < 3 THEN ($5::text[])[1 + abs(hashint4(i + 1000000007)) % cardinality($5::text[])] END,
              ARRAY['Z01CB24A000001G1F' || lpad((i % 10000000)::text, 7, '0')], sha256(convert_to('e' || i, 'UTF8')), '{}'::jsonb
         FROM generate_series($1::int, $2::int) i`,
      [start, end, EVENTS, firms, COUNTIES],
    );
  }
  await pg.query('VACUUM ANALYZE');
}

export async function run(): Promise<void> {
  await withBenchApp(async (app, pg) => {
    const filled = Date.now();
    await fill(pg);
    const [{ n }] = (await pg.query('SELECT count(*)::int AS n FROM lifecycle_events')).rows;
    console.log(`event queries: ${app.describe}; ${fmt(n)} events in ${((Date.now() - filled) / 1000).toFixed(1)} s, node ${process.version}`);
    const regulator = await apiCall(app, app.adminKey, 'POST', '/v1/regulators', { name: '福州市监管', regionPrefix: '3501' });
    const key = (await apiCall(app, app.adminKey, 'POST', `/v1/regulators/${regulator.id}/api-keys`, { name: 'bench' })).key as string;
    const path = '/v1/events?from=2026-03-01&to=2026-04-01&limit=100';
    const page = JSON.parse((await send(app, key, 'GET', path)).text) as { items: { regionCode: string | null }[] };
    const [{ inScope }] = (
      await pg.query(
        `SELECT count(*)::int AS "inScope" FROM lifecycle_events e WHERE e.occurred_at >= '2026-03-01 00:00+08' AND e.occurred_at < '2026-04-01 00:00+08'
            AND (e.region_code LIKE '3501%' OR (e.region_code IS NULL AND e.reporter_enterprise_id IN (SELECT id FROM enterprises WHERE region_code LIKE '3501%')))`,
      )
    ).rows;
    console.log(
      `  the page: ${page.items.length} events (of ${fmt(inScope)} in Fuzhou in March 2026), ${page.items.filter((e) => e.regionCode !== null).length} with a region of their own`,
    );
    for (let i = 0; i < 50; i++) await timedGet(app, key, path); // warm-up
    const eventsMs: number[] = [];
    const healthMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      eventsMs.push(await timedGet(app, key, path));
      healthMs.push(await timedGet(app, key, '/health'));
    }
    console.log(`  ${SAMPLES} samples each, alternating`);
    console.log(latencyRow('GET /v1/events (3501, March, 100 rows)', eventsMs, 44));
    console.log(latencyRow('GET /health (HTTP floor)', healthMs, 44));
    console.log(p99Verdict('events', eventsMs, healthMs));
  });
}

if (require.main === module) runStandalone(run);
