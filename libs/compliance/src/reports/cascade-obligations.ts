/**
 * Cascade-utilisation obligations of one cascade firm (pure accumulator over the ledger), each finding naming its
 * article of the 2021 measures (梯次利用管理办法, `cascade-measures-2021.txt`): art. 12 (manufacturer code, late
 * uploads), art. 20 and art. 22 from the events. It collects the firm's `cascade_assembled` events, whose sources
 * and products `cascade-records.ts` then checks against the test records (art. 10) and the product and label
 * records (art. 15), with outlet coverage (art. 19). What no module can answer is listed as **not assessed** with
 * the reason, never passed silently.
 */
import type { DeadlineEngine } from '../domain/assess';
import { expectationsOf } from '../domain/expectations';
import type { EnterpriseRole } from '#libs/enterprises';
import type { CascadeRecordsResult, NotAssessed } from './cascade-records';
import type { LedgerEvent, ReportRow } from './timeliness';

export interface CascadeSummary {
  firm: string;
  hasManufacturerCode: boolean;
  findings: Record<string, number>;
  /** Sources of the firm's assemblies in the period (each original battery once per assembly). */
  assembledSources: number;
  /** Products assembled by the firm in the period. */
  assembledProducts: number;
  notAssessed: NotAssessed[];
}

export class CascadeAccumulator {
  private readonly counts: Record<string, number> = {
    'art. 10': 0,
    'art. 12 (manufacturer code)': 0,
    'art. 12 (late uploads)': 0,
    'art. 15': 0,
    'art. 19': 0,
    'art. 20': 0,
    'art. 22': 0,
  };
  /** The firm's cascade_assembled events in the period (an event is in the chain of each source and of the product). */
  private readonly assembled = new Set<string>();
  private sources = 0;
  private notAssessed: NotAssessed[] = [];

  constructor(
    private readonly firm: string,
    private readonly hasManufacturerCode: boolean,
    private readonly engine: DeadlineEngine,
    private readonly period: { from: string; to: string },
    private readonly asOf: Date,
    private readonly rolesOf: (id: string) => readonly EnterpriseRole[],
    private readonly whitelisted: (id: string) => boolean,
    private readonly dateOf: (d: Date) => string,
  ) {
    if (!hasManufacturerCode) this.counts['art. 12 (manufacturer code)'] = 1;
  }

  private inPeriod(d: Date): boolean {
    const day = this.dateOf(d);
    return day >= this.period.from && day <= this.period.to;
  }

  /** The firm-level finding, once, as the first row. */
  firmRows(): ReportRow[] {
    return this.hasManufacturerCode
      ? []
      : [
          {
            section: 'finding',
            data: { article: 'art. 12 (manufacturer code)', finding: 'the cascade firm holds no manufacturer code (厂商代码)', enterpriseId: this.firm },
          },
        ];
  }

  add(batteryCode: string, timeline: readonly LedgerEvent[]): ReportRow[] {
    const rows: ReportRow[] = [];
    const finding = (article: string, text: string, e: LedgerEvent, extra: Record<string, unknown> = {}) => {
      this.counts[article] += 1;
      rows.push({
        section: 'finding',
        data: { article, finding: text, batteryCode, eventId: e.id, type: e.type, occurredAt: e.occurredAt.toISOString(), ...extra },
      });
    };
    timeline.forEach((e) => {
      if (e.reporterId !== this.firm || !this.inPeriod(e.occurredAt)) return;
      if (e.type === 'cascade_assembled') this.assembled.add(e.id);
      if (e.primary) {
        const j = this.engine.judge({
          type: e.type,
          occurredAt: e.occurredAt,
          uploadedAt: e.uploadedAt,
          ledgerRuleSet: e.ledgerRuleSet,
          storedDueAt: e.storedDueAt,
          storedRuleSet: e.storedRuleSet,
        });
        if (j.status === 'late')
          finding('art. 12 (late uploads)', `uploaded late (${j.basis})`, e, {
            dueAt: j.dueAt?.toISOString(),
            uploadedAt: e.uploadedAt.toISOString(),
            lateBy: j.lateBy,
            unit: j.unit,
          });
      }
      if (e.type === 'outlet_handed_over' && e.counterpartyId && !this.whitelisted(e.counterpartyId)) {
        finding('art. 22', 'waste batteries handed over to a party not on the industry whitelist', e, { counterpartyId: e.counterpartyId });
      }
    });
    for (const x of expectationsOf(batteryCode, timeline, this.engine, this.asOf, this.rolesOf)) {
      if (x.expectation !== 'cascade_scrap_not_handed_over' || x.owedBy !== this.firm || !this.inPeriod(x.occurredAt)) continue;
      const trigger = timeline.find((e) => e.id === x.eventId)!;
      if (x.status === 'overdue')
        finding('art. 20', 'a scrapped cascade product was not handed over to a recycler in time', trigger, { dueAt: x.dueAt?.toISOString() });
      else if (x.status === 'fulfilled') {
        const to = timeline.find((e) => e.id === x.fulfilledBy)!;
        const recycler = to.type === 'recycler_received' ? to.reporterId : to.counterpartyId;
        if (recycler && !this.whitelisted(recycler))
          finding('art. 20', 'a scrapped cascade product went to a recycler not on the whitelist', trigger, { counterpartyId: recycler });
      }
    }
    return rows;
  }

  /** The firm's assembly events seen, for the record checks (arts. 10 and 15). */
  assemblies(): string[] {
    return [...this.assembled];
  }

  /** Adds the record checks' counts (their rows are written by the runner). */
  addRecords(records: CascadeRecordsResult): void {
    for (const [article, n] of Object.entries(records.counts)) this.counts[article] += n;
    this.sources = records.sources;
    this.notAssessed = records.notAssessed;
  }

  summary(): CascadeSummary {
    return {
      firm: this.firm,
      hasManufacturerCode: this.hasManufacturerCode,
      findings: { ...this.counts },
      assembledSources: this.sources,
      assembledProducts: this.assembled.size,
      notAssessed: this.notAssessed,
    };
  }
}
