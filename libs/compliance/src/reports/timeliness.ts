/**
 * The upload-timeliness report as an accumulator (pure): it is fed one battery's timeline at a time (the job streams
 * them from the database) and keeps counts and a histogram of delays, never the events, so memory stays flat;
 * the offending events and missing uploads go out as rows through `emit`.
 */
import type { EnterpriseRole } from '#libs/enterprises';
import type { DeadlineEngine, DeadlineStatus } from '../domain/assess';
import type { TimelineEvent } from '../domain/expectations';
import { expectationsOf } from '../domain/expectations';

export interface LedgerEvent extends TimelineEvent {
  uploadedAt: Date;
  /** The event's own region, else its reporter's registered one. */
  region: string | null;
  storedRuleSet: string | null;
  storedDueAt: Date | null;
  /** Whether this battery's chain is the one the event is counted under (its first code): events naming several batteries count once. */
  primary: boolean;
}

export interface ScopeFilter {
  /** Whether an event reported by `reporterId` in `region` is in scope. */
  event(reporterId: string, region: string | null): boolean;
  /** Whether a missing upload owed by `owedBy` (raised by an event in `region`) is in scope. */
  owed(owedBy: string | null, region: string | null): boolean;
}

type Counts = Record<DeadlineStatus | 'missing_overdue' | 'missing_open' | 'missing_pending', number>;
const zero = (): Counts => ({ on_time: 0, late: 0, pending: 0, no_deadline: 0, missing_overdue: 0, missing_open: 0, missing_pending: 0 });

function addCounts(into: Counts, from: Counts): void {
  for (const key of Object.keys(into) as (keyof Counts)[]) into[key] += from[key];
}

export interface TimelinessSummary {
  totals: Counts;
  byNode: Record<string, Counts>;
  byEnterprise: Record<string, Counts>;
  /** Delays of late uploads in working days (null when the calendar cannot count one). */
  delay: { unit: 'working_days'; median: number | null; worst: number | null; uncountable: number };
  batteries: number;
}

/**
 * What a timeliness accumulator has counted: plain data (Maps, numbers) that crosses a worker-thread boundary, so
 * that a report computed in partitions (battery ranges) is merged into one.
 */
export interface TimelinessState {
  totals: Counts;
  byNode: Map<string, Counts>;
  byEnterprise: Map<string, Counts>;
  delays: Map<number, number>;
  uncountable: number;
  batteries: number;
}

export type ReportRow = { section: 'late' | 'pending' | 'missing' | 'non_whitelisted' | 'unaccounted' | 'finding'; data: Record<string, unknown> };

export class TimelinessAccumulator {
  private readonly totals = zero();
  private readonly byNode = new Map<string, Counts>();
  private readonly byEnterprise = new Map<string, Counts>();
  private readonly delays = new Map<number, number>();
  private uncountable = 0;
  private batteries = 0;

  constructor(
    private readonly engine: DeadlineEngine,
    private readonly period: { from: string; to: string },
    private readonly asOf: Date,
    private readonly scope: ScopeFilter,
    private readonly rolesOf: (id: string) => readonly EnterpriseRole[],
    private readonly dateOf: (d: Date) => string,
  ) {}

  private bump(node: string, enterprise: string | null, key: keyof Counts): void {
    this.totals[key] += 1;
    let n = this.byNode.get(node);
    if (!n) this.byNode.set(node, (n = zero()));
    n[key] += 1;
    if (enterprise) {
      let e = this.byEnterprise.get(enterprise);
      if (!e) this.byEnterprise.set(enterprise, (e = zero()));
      e[key] += 1;
    }
  }

  private inPeriod(d: Date): boolean {
    const day = this.dateOf(d);
    return day >= this.period.from && day <= this.period.to;
  }

  /** One battery's events in chain order; returns the rows to write. */
  add(batteryCode: string, timeline: readonly LedgerEvent[]): ReportRow[] {
    this.batteries += 1;
    const rows: ReportRow[] = [];
    for (const e of timeline) {
      if (!e.primary || e.type === 'correction' || !this.inPeriod(e.occurredAt) || !this.scope.event(e.reporterId, e.region)) continue;
      const j = this.engine.judge({
        type: e.type,
        occurredAt: e.occurredAt,
        uploadedAt: e.uploadedAt,
        ledgerRuleSet: e.ledgerRuleSet,
        storedDueAt: e.storedDueAt,
        storedRuleSet: e.storedRuleSet,
      });
      this.bump(e.type, e.reporterId, j.status);
      if (j.status === 'late') {
        const wd = this.engine.calendar.workingDaysBetween(j.dueAt!, e.uploadedAt);
        if (wd === null) this.uncountable += 1;
        else this.delays.set(Math.max(1, wd), (this.delays.get(Math.max(1, wd)) ?? 0) + 1);
      }
      if (j.status === 'late' || j.status === 'pending') {
        rows.push({
          section: j.status,
          data: {
            eventId: e.id,
            type: e.type,
            batteryCode,
            reporterId: e.reporterId,
            occurredAt: e.occurredAt.toISOString(),
            uploadedAt: e.uploadedAt.toISOString(),
            dueAt: j.dueAt?.toISOString() ?? null,
            lateBy: j.lateBy,
            unit: j.unit,
            ruleSet: j.ruleSet,
            basis: j.basis,
          },
        });
      }
    }
    for (const x of expectationsOf(batteryCode, timeline, this.engine, this.asOf, this.rolesOf)) {
      if (x.status === 'fulfilled') continue;
      const trigger = timeline.find((e) => e.id === x.eventId)!;
      if (!this.inPeriod(x.occurredAt) || !this.scope.owed(x.owedBy, trigger.region)) continue;
      const key = x.status === 'overdue' ? 'missing_overdue' : x.status === 'open' ? 'missing_open' : 'missing_pending';
      this.bump(x.expectation, x.owedBy, key);
      if (x.status !== 'open') {
        rows.push({
          section: 'missing',
          data: {
            expectation: x.expectation,
            description: x.description,
            basis: x.basis,
            batteryCode,
            eventId: x.eventId,
            eventType: x.eventType,
            occurredAt: x.occurredAt.toISOString(),
            dueAt: x.dueAt?.toISOString() ?? null,
            owedBy: x.owedBy,
            status: x.status,
          },
        });
      }
    }
    return rows;
  }

  state(): TimelinessState {
    return {
      totals: this.totals,
      byNode: this.byNode,
      byEnterprise: this.byEnterprise,
      delays: this.delays,
      uncountable: this.uncountable,
      batteries: this.batteries,
    };
  }

  /** Adds another partition's counts (its batteries are disjoint from this one's). */
  merge(other: TimelinessState): void {
    addCounts(this.totals, other.totals);
    for (const [into, from] of [
      [this.byNode, other.byNode],
      [this.byEnterprise, other.byEnterprise],
    ] as const) {
      for (const [key, counts] of from) {
        const mine = into.get(key);
        if (mine) addCounts(mine, counts);
        else into.set(key, { ...counts });
      }
    }
    for (const [days, n] of other.delays) this.delays.set(days, (this.delays.get(days) ?? 0) + n);
    this.uncountable += other.uncountable;
    this.batteries += other.batteries;
  }

  summary(): TimelinessSummary {
    const sorted = [...this.delays.entries()].sort(([a], [b]) => a - b);
    const n = sorted.reduce((s, [, c]) => s + c, 0);
    let median: number | null = null;
    if (n > 0) {
      // The lower median of the histogram.
      let seen = 0;
      for (const [d, c] of sorted) {
        seen += c;
        if (seen >= Math.ceil(n / 2)) {
          median = d;
          break;
        }
      }
    }
    return {
      totals: { ...this.totals },
      byNode: Object.fromEntries([...this.byNode.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
      byEnterprise: Object.fromEntries([...this.byEnterprise.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
      delay: { unit: 'working_days', median, worst: sorted.length ? sorted[sorted.length - 1][0] : null, uncountable: this.uncountable },
      batteries: this.batteries,
    };
  }
}
