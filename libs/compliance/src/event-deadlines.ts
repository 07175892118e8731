import { Injectable } from '@nestjs/common';
import type { EventDeadlineJudge, TraceDeadlineView } from '#libs/batteries';
import { chinaDate, ruleSetFor } from '#libs/lifecycle';
import { ComplianceCalendar } from './calendar.service';
import type { DeadlineJudgement } from './domain/assess';

const ruleSetByDay = new Map<number, string>();
const dateByDay = new Map<number, string>();

/** The Beijing date (YYYY-MM-DD) of an instant, memoised by day (reports ask for millions of events over few days). */
export function beijingDateOf(at: Date): string {
  const day = Math.floor((at.getTime() + 28_800_000) / 86_400_000);
  let date = dateByDay.get(day);
  if (date === undefined) {
    if (dateByDay.size > 50_000) dateByDay.clear();
    dateByDay.set(day, (date = chinaDate(at.getTime())));
  }
  return date;
}

/** The ledger rule set of a business time (the ledger's choice: by the Beijing date), memoised by day. */
export function ledgerRuleSetOf(occurredAt: Date): string {
  const day = Math.floor((occurredAt.getTime() + 28_800_000) / 86_400_000);
  let id = ruleSetByDay.get(day);
  if (id === undefined) {
    if (ruleSetByDay.size > 50_000) ruleSetByDay.clear();
    ruleSetByDay.set(day, (id = ruleSetFor(beijingDateOf(occurredAt)).id));
  }
  return id;
}

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
