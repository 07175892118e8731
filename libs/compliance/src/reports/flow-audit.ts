/**
 * The regulator flow audit as an accumulator (pure): for the batteries retired (`removed`) in the period and region,
 * where each one went — mass balance by count, kWh and kg (where known) — into cascade use, recycling, an outlet,
 * still in transit (a receipt not yet due), or **unaccounted** (the trail went cold past its deadline); hand-overs
 * to parties not on the industry whitelist; and per-enterprise late and missing uploads (from the timeliness
 * accumulator run over the same stream).
 */
import type { DeadlineEngine } from '../domain/assess';
import { expectationsOf } from '../domain/expectations';
import type { EnterpriseRole } from '#libs/enterprises';
import type { LedgerEvent, ReportRow } from './timeliness';

export type Destination = 'cascade' | 'recycling' | 'outlet' | 'in_transit' | 'unaccounted' | 'held_by_dismantler';

const CASCADE = new Set(['cascade_received', 'residual_tested', 'cascade_assembled', 'cascade_shipped', 'cascade_scrapped']);
const RECYCLING = new Set(['recycler_received', 'recycled']);

export interface FlowSummary {
  retired: { count: number; kwh: number; kg: number };
  destinations: Record<Destination, { count: number; kwh: number; kg: number }>;
  /** Hand-overs (removed, outlet_handed_over) in the region and period to a party not on the whitelist. */
  nonWhitelistedHandovers: number;
}

/**
 * A bucket's batteries, and their energy and mass in thousandths of a kWh and a kg, as integers: sums of integers
 * do not depend on the order they are added in, so a report computed in partitions sums to exactly what one pass
 * does (floating-point sums could differ in the last bits, and then in the third decimal once rounded).
 */
type Bucket = { count: number; kwhMilli: number; kgMilli: number };
const zero = (): Bucket => ({ count: 0, kwhMilli: 0, kgMilli: 0 });
const milli = (x: number | null) => (x === null ? 0 : Math.round(x * 1000));

/** What a flow accumulator has counted (plain data: see TimelinessState). */
export interface FlowState {
  retired: Bucket;
  destinations: Record<Destination, Bucket>;
  nonWhitelisted: number;
}

export class FlowAccumulator {
  private readonly retired = zero();
  private readonly destinations: Record<Destination, Bucket> = {
    cascade: zero(),
    recycling: zero(),
    outlet: zero(),
    in_transit: zero(),
    unaccounted: zero(),
    held_by_dismantler: zero(),
  };
  private nonWhitelisted = 0;

  constructor(
    private readonly engine: DeadlineEngine,
    private readonly period: { from: string; to: string },
    private readonly asOf: Date,
    private readonly inRegion: (region: string | null) => boolean,
    private readonly rolesOf: (id: string) => readonly EnterpriseRole[],
    private readonly whitelisted: (id: string) => boolean,
    private readonly dateOf: (d: Date) => string,
  ) {}

  private inPeriod(d: Date): boolean {
    const day = this.dateOf(d);
    return day >= this.period.from && day <= this.period.to;
  }

  add(batteryCode: string, timeline: readonly LedgerEvent[], size: { kwh: number | null; kg: number | null }): ReportRow[] {
    const rows: ReportRow[] = [];
    for (const e of timeline) {
      if (
        (e.type === 'removed' || e.type === 'outlet_handed_over') &&
        e.counterpartyId &&
        this.inPeriod(e.occurredAt) &&
        this.inRegion(e.region) &&
        !this.whitelisted(e.counterpartyId)
      ) {
        this.nonWhitelisted += 1;
        rows.push({
          section: 'non_whitelisted',
          data: {
            batteryCode,
            eventId: e.id,
            type: e.type,
            reporterId: e.reporterId,
            counterpartyId: e.counterpartyId,
            occurredAt: e.occurredAt.toISOString(),
          },
        });
      }
    }
    const i = timeline.findIndex((e) => e.type === 'removed');
    if (i < 0) return rows;
    const retirement = timeline[i];
    if (!this.inPeriod(retirement.occurredAt) || !this.inRegion(retirement.region)) return rows;
    const after = timeline.slice(i + 1);
    let where: Destination;
    if (after.some((e) => RECYCLING.has(e.type))) where = 'recycling';
    else if (after.some((e) => CASCADE.has(e.type))) where = 'cascade';
    else if (after.some((e) => e.type === 'outlet_received')) where = 'outlet';
    else {
      const open = expectationsOf(batteryCode, timeline, this.engine, this.asOf, this.rolesOf).filter((x) => x.status !== 'fulfilled');
      where = open.some((x) => x.status === 'overdue') ? 'unaccounted' : retirement.counterpartyId ? 'in_transit' : 'held_by_dismantler';
      if (where === 'unaccounted')
        rows.push({
          section: 'unaccounted',
          data: {
            batteryCode,
            eventId: retirement.id,
            occurredAt: retirement.occurredAt.toISOString(),
            owedBy: open.find((x) => x.status === 'overdue')!.owedBy,
          },
        });
    }
    for (const bucket of [this.retired, this.destinations[where]]) {
      bucket.count += 1;
      bucket.kwhMilli += milli(size.kwh);
      bucket.kgMilli += milli(size.kg);
    }
    return rows;
  }

  state(): FlowState {
    return { retired: this.retired, destinations: this.destinations, nonWhitelisted: this.nonWhitelisted };
  }

  /** Adds another partition's counts (its batteries are disjoint from this one's). */
  merge(other: FlowState): void {
    const add = (into: Bucket, from: Bucket) => {
      into.count += from.count;
      into.kwhMilli += from.kwhMilli;
      into.kgMilli += from.kgMilli;
    };
    add(this.retired, other.retired);
    for (const key of Object.keys(this.destinations) as Destination[]) add(this.destinations[key], other.destinations[key]);
    this.nonWhitelisted += other.nonWhitelisted;
  }

  summary(): FlowSummary {
    const round = (b: Bucket) => ({
      count: b.count,
      kwh: b.kwhMilli / 1000,
      kg: b.kgMilli / 1000,
    });
    return {
      retired: round(this.retired),
      destinations: Object.fromEntries(Object.entries(this.destinations).map(([k, v]) => [k, round(v)])) as FlowSummary['destinations'],
      nonWhitelistedHandovers: this.nonWhitelisted,
    };
  }
}
