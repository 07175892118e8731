/**
 * Cascade-utilisation obligations of one cascade firm (pure accumulator), each finding naming its article of the
 * 2021 measures (梯次利用管理办法, `cascade-measures-2021.txt`). What needs another module's data (structured
 * GB/T 34015 test records, label fields, outlet coverage) is listed as **not assessed**, never passed silently.
 */
import type { DeadlineEngine } from '../domain/assess';
import { expectationsOf } from '../domain/expectations';
import type { EnterpriseRole } from '#libs/enterprises';
import type { LedgerEvent, ReportRow } from './timeliness';

export const NOT_ASSESSED = [
  {
    article: '10',
    check: 'residual-capacity test records per GB/T 34015 (structured results)',
    reason: 'no test-record module in this version: only the residual_tested ledger event is checked',
  },
  {
    article: '15',
    check: 'label fields (nominal capacity and voltage, firm, address, origin, trace code, original codes, GTIN)',
    reason: 'no label module in this version',
  },
  {
    article: '19',
    check: 'outlets for scrapped cascade products matched to sales regions, and their disclosure',
    reason: 'no outlet registry in this version',
  },
];

export interface CascadeSummary {
  firm: string;
  hasManufacturerCode: boolean;
  findings: Record<string, number>;
  assembledSources: number;
  notAssessed: typeof NOT_ASSESSED;
}

export class CascadeAccumulator {
  private readonly counts: Record<string, number> = { 'art. 10': 0, 'art. 12 (manufacturer code)': 0, 'art. 12 (late uploads)': 0, 'art. 20': 0, 'art. 22': 0 };
  private assembled = 0;

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
    timeline.forEach((e, i) => {
      if (e.reporterId !== this.firm || !this.inPeriod(e.occurredAt)) return;
      if (e.type === 'cascade_assembled') {
        this.assembled += 1;
        if (!timeline.slice(0, i).some((x) => x.type === 'residual_tested')) finding('art. 10', 'an assembled source has no residual-capacity test', e);
      }
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

  summary(): CascadeSummary {
    return {
      firm: this.firm,
      hasManufacturerCode: this.hasManufacturerCode,
      findings: { ...this.counts },
      assembledSources: this.assembled,
      notAssessed: NOT_ASSESSED,
    };
  }
}
