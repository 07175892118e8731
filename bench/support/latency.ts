/**
 * What the latency benchmarks (trace, events, outlets) share: one timed request at a time, the percentile rows,
 * and the verdict against the HTTP floor (`GET /health`, sampled alternately in the same run).
 */
import type { BenchApp } from './bench-app';
import { send } from './bench-app';
import { percentile } from './stats';

/**
 * One GET, timed in milliseconds: the whole round trip of one request over a kept-alive socket. Anything but 200
 * stops the benchmark (a fast error page would flatter the figures).
 */
export async function timedGet(app: BenchApp, key: string, path: string): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await send(app, key, 'GET', path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** `  <name, padded to width> p50 … ms  p95 … ms  p99 … ms`. */
export function latencyRow(name: string, ms: number[], width: number): string {
  return `  ${name.padEnd(width)} p50 ${percentile(ms, 50).toFixed(2)} ms  p95 ${percentile(ms, 95).toFixed(2)} ms  p99 ${percentile(ms, 99).toFixed(2)} ms`;
}

/** `  <label> p50 / health p50: …x; target p99 <= 20 ms: met|NOT met (… ms)`: the line each latency target is read from. */
export function p99Verdict(label: string, ms: number[], healthMs: number[], targetMs = 20): string {
  const p99 = percentile(ms, 99);
  const toFloor = percentile(ms, 50) / percentile(healthMs, 50);
  return `  ${label} p50 / health p50: ${toFloor.toFixed(1)}x; target p99 <= ${targetMs} ms: ${p99 <= targetMs ? 'met' : 'NOT met'} (${p99.toFixed(2)} ms)`;
}
