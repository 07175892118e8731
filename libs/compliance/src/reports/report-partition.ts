/**
 * One partition of a timeliness report or flow audit: the scope's batteries in a range of codes, streamed and judged,
 * their rows written, their counts returned as plain data for the job to merge. A battery's whole timeline is in one
 * partition, so the merged counts are those of one pass; the ranges are in code order, and each partition's rows are
 * numbered from its own base, so the rows read in seq order are in battery order as one pass writes them.
 * Runs in the job's thread (the first partition, and every small report) and in worker threads (report-thread.ts).
 */
import type { DeadlineEngine } from '../domain/assess';
import type { ClientBase as PgClient } from 'pg';
import { beijingDateOf } from '../domain/ledger-days';
import type { FlowState } from './flow-audit';
import { FlowAccumulator } from './flow-audit';
import type { ReportScope } from './params';
import type { BatterySize, CodeRange, EnterpriseFacts, InsertRows } from './report-stream';
import { eventsInScope, planForWholeResult, RowWriter, streamTimelines } from './report-stream';
import type { LedgerEvent, ScopeFilter, TimelinessState } from './timeliness';
import { TimelinessAccumulator } from './timeliness';

export interface PartitionSpec {
  reportId: string;
  type: 'timeliness' | 'flow_audit';
  scope: ReportScope;
  period: { from: string; to: string };
  asOf: Date;
  watermark: string;
  range: CodeRange;
  /** The partition's rows are numbered from `seqBase + 1`. */
  seqBase: number;
  /** Whether the read is planned for the whole result (a large scope: planForWholeResult). */
  wholeResult: boolean;
}

export interface PartitionContext {
  engine: DeadlineEngine;
  enterprises: ReadonlyMap<string, EnterpriseFacts>;
  ledgerRuleSetOf: (occurredAt: Date) => string;
}

export interface PartitionResult {
  batteries: number;
  /** How long the partition took, from its cursor's declaration to its last row written. */
  seconds: number;
  rows: number;
  timeliness: TimelinessState;
  flow: FlowState | null;
}

export function scopeFilter(scope: ReportScope): ScopeFilter {
  if (scope.kind === 'enterprise') return { event: (rep) => rep === scope.enterpriseId, owed: (owedBy) => owedBy === scope.enterpriseId };
  if (scope.kind === 'region') {
    const inRegion = (region: string | null) => region !== null && region.startsWith(scope.prefix);
    return { event: (_rep, region) => inRegion(region), owed: (_o, region) => inRegion(region) };
  }
  return { event: () => true, owed: () => true };
}

/** The accumulators of a timeliness report or flow audit (a flow audit also counts late and missing uploads). */
export function reportAccumulators(
  spec: Pick<PartitionSpec, 'type' | 'scope' | 'period' | 'asOf'>,
  ctx: PartitionContext,
): { timeliness: TimelinessAccumulator; flow: FlowAccumulator | null } {
  const rolesOf = (id: string) => ctx.enterprises.get(id)?.roles ?? [];
  const timeliness = new TimelinessAccumulator(ctx.engine, spec.period, spec.asOf, scopeFilter(spec.scope), rolesOf, beijingDateOf);
  const region = spec.scope.kind === 'region' ? spec.scope.prefix : null;
  const flow =
    spec.type === 'flow_audit'
      ? new FlowAccumulator(
          ctx.engine,
          spec.period,
          spec.asOf,
          (r) => region === null || (r !== null && r.startsWith(region)),
          rolesOf,
          (id) => ctx.enterprises.get(id)?.whitelisted ?? false,
          beijingDateOf,
        )
      : null;
  return { timeliness, flow };
}

/**
 * Computes a partition on `reader` (inside the transaction whose snapshot the report reads), writing its rows with
 * `insert`; `onProgress` hears the batteries done after each page.
 */
export async function computePartition(
  spec: PartitionSpec,
  ctx: PartitionContext,
  reader: PgClient,
  insert: InsertRows,
  onProgress: (batteries: number) => Promise<void> | void,
): Promise<PartitionResult> {
  const started = performance.now();
  const { timeliness, flow } = reportAccumulators(spec, ctx);
  const writer = new RowWriter(insert, spec.seqBase);
  // A flow audit lists where retired batteries went; its per-enterprise late and missing counts come from the
  // timeliness accumulator's summary (its rows are the timeliness report's, not repeated here).
  const onBattery = flow
    ? (code: string, timeline: LedgerEvent[], size: BatterySize) => {
        timeliness.add(code, timeline);
        writer.push(flow.add(code, timeline, size));
      }
    : (code: string, timeline: LedgerEvent[]) => writer.push(timeliness.add(code, timeline));
  if (spec.wholeResult) await planForWholeResult(reader);
  const query = eventsInScope(spec.scope, spec.watermark, flow !== null, spec.range);
  const batteries = await streamTimelines(reader, 'report_partition', query, ctx, onBattery, writer, onProgress);
  return { batteries, seconds: (performance.now() - started) / 1000, rows: writer.written, timeliness: timeliness.state(), flow: flow?.state() ?? null };
}
