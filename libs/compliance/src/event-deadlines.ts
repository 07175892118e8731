import { Injectable } from '@nestjs/common';
import type { EventDeadlineJudge, TraceDeadlineView } from '#libs/batteries';
import { RULE_SETS } from '#libs/lifecycle';
import { ComplianceCalendar } from './calendar.service';
import type { DeadlineJudgement } from './domain/assess';
import { beijingDateOf, ledgerRuleSetChooser } from './domain/ledger-days';

/** The Beijing date of an instant (re-exported: the trace and the reports ask it here). */
export { beijingDateOf };

/** The ledger rule set of a business time (the ledger's choice: by the Beijing date), memoised by day. */
export const ledgerRuleSetOf: (occurredAt: Date) => string = ledgerRuleSetChooser(RULE_SETS);

/**
 * Judges stored events at read time (trace, reports): the stored due time stands when it was made under the same
 * table version; events from before the assessor, and pending ones, are judged with today's calendar.
 */
@Injectable()
export class EventDeadlines implements EventDeadlineJudge {
  constructor(private readonly calendar: ComplianceCalendar) {}

  judge(e: { type: string; occurredAt: Date; uploadedAt: Date; ruleSet: string | null; dueAt: Date | null }): DeadlineJudgement {
    return this.calendar.engine().judge({
      type: e.type,
      occurredAt: e.occurredAt,
      uploadedAt: e.uploadedAt,
      ledgerRuleSet: ledgerRuleSetOf(e.occurredAt),
      storedDueAt: e.dueAt,
      storedRuleSet: e.ruleSet,
    });
  }

  judgeForTrace(e: { type: string; occurredAt: Date; uploadedAt: Date; ruleSet: string | null; dueAt: Date | null }): TraceDeadlineView {
    const j = this.judge(e);
    return {
      status: j.status,
      ruleSet: j.ruleSet,
      dueAt: j.dueAt?.toISOString() ?? null,
      uploadedAt: e.uploadedAt.toISOString(),
      lateBy: j.lateBy,
      unit: j.unit,
      basis: j.basis,
    };
  }
}
