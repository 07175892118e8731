/**
 * Judging events against the deadline tables with the working-day calendar (pure). Used at ingest (through
 * DEADLINE_ASSESSOR, stored with the event) and at read time (trace, reports) for events recorded before the
 * assessor existed and for due dates that were pending on the calendar: the stored assessment is used when it has
 * a due date, otherwise the event is judged again with today's calendar.
 */
import type { WorkingCalendar } from '#libs/calendar';
import type { DeadlineRule, DeadlineRuleSet, DeadlineUnit } from './deadline-rules';
import { DEADLINE_RULE_SETS, deadlineRuleSetFor, ruleSetKey } from './deadline-rules';

/**
 * - `on_time` / `late`: the due time is known and the upload was before / after it;
 * - `pending`: the rule has a deadline but the calendar does not cover a day it counts through (calendar not
 *   available): said so until an operator adds the year;
 * - `no_deadline`: no deadline is known for the node in its rule set.
 */
export type DeadlineStatus = 'on_time' | 'late' | 'pending' | 'no_deadline';

export interface DeadlineJudgement {
  /** `cn-2018@1`; null when no table follows the event's ledger rule set. */
  ruleSet: string | null;
  status: DeadlineStatus;
  dueAt: Date | null;
  /** How late, in the rule's unit (at least 1 when late); null unless late, or when the calendar cannot say. */
  lateBy: number | null;
  unit: DeadlineUnit | null;
  responsible: readonly string[];
  basis: string | null;
}

export interface EventToJudge {
  type: string;
  occurredAt: Date;
  uploadedAt: Date;
  /** The ledger rule set chosen by the business date. */
  ledgerRuleSet: string;
  /** What was stored at ingest (null for events from before, or pending then). */
  storedDueAt?: Date | null;
  storedRuleSet?: string | null;
}

/** What the ledger stores per event (`lifecycle_events.rule_set`, `due_at`, `on_time`). */
export interface StoredAssessment {
  ruleSet: string | null;
  dueAt: Date | null;
  onTime: boolean | null;
}

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3_600_000;

export class DeadlineEngine {
  /** ledger rule set → type → its table key and rule, looked up once. */
  private readonly rules = new Map<string, Map<string, { ruleSet: string | null; rule: DeadlineRule | null }>>();
  /** (start day, amount, unit) as one number → the due time (a shared Date, never mutated) or null (pending). */
  private readonly dues = new Map<number, Date | null>();

  constructor(
    readonly calendar: WorkingCalendar,
    readonly sets: readonly DeadlineRuleSet[] = DEADLINE_RULE_SETS,
  ) {}

  /** The table key and rule for a type under a ledger rule set, looked up once. */
  private entryFor(ledgerRuleSet: string, type: string): { ruleSet: string | null; rule: DeadlineRule | null } {
    let byType = this.rules.get(ledgerRuleSet);
    if (!byType) this.rules.set(ledgerRuleSet, (byType = new Map()));
    let entry = byType.get(type);
    if (!entry) {
      const { set, rule } = this.ruleFor(ledgerRuleSet, type);
      byType.set(type, (entry = { ruleSet: set ? ruleSetKey(set) : null, rule }));
    }
    return entry;
  }

  /**
   * The ingest path (DEADLINE_ASSESSOR): only what is stored, with both look-ups memoised, so that a 500-event
   * batch costs a few Map hits per event rather than a calendar walk.
   */
  assessForStorage(type: string, occurredAt: Date, uploadedAt: Date, ledgerRuleSet: string): StoredAssessment {
    const entry = this.entryFor(ledgerRuleSet, type);
    const rule = entry.rule;
    if (!rule) return { ruleSet: entry.ruleSet, dueAt: null, onTime: null };
    const due = this.dueAt(rule.amount, rule.unit, occurredAt);
    if (due === null) return { ruleSet: entry.ruleSet, dueAt: null, onTime: null };
    return { ruleSet: entry.ruleSet, dueAt: due, onTime: uploadedAt.getTime() <= due.getTime() };
  }

  ruleFor(ledgerRuleSet: string, type: string): { set: DeadlineRuleSet | null; rule: DeadlineRule | null } {
    const set = deadlineRuleSetFor(ledgerRuleSet, this.sets);
    return { set, rule: (set?.rules as Record<string, DeadlineRule | undefined> | undefined)?.[type] ?? null };
  }

  /**
   * The due time of a node from its business time; null: calendar not available. Memoised by (Beijing day,
   * amount, unit): the Date returned is shared and must not be mutated (a report asks for millions, over few days).
   */
  dueAt(amount: number, unit: DeadlineUnit, from: Date): Date | null {
    const day = Math.floor((from.getTime() + BEIJING_MS) / DAY_MS);
    const key = day * 4096 + (amount % 2048) * 2 + (unit === 'calendar_days' ? 1 : 0);
    let due = this.dues.get(key);
    if (due === undefined || amount >= 2048) {
      due = unit === 'calendar_days' ? this.calendar.addCalendarDays(from, amount) : this.calendar.addWorkingDays(from, amount);
      if (this.dues.size > 100_000) this.dues.clear();
      if (amount < 2048) this.dues.set(key, due);
    }
    return due;
  }

  /** How late an upload at `at` is against `due`, in the unit (at least 1); null: the calendar cannot say. */
  lateBy(due: Date, at: Date, unit: DeadlineUnit): number | null {
    if (at.getTime() <= due.getTime()) return 0;
    const n = unit === 'calendar_days' ? Math.floor((at.getTime() - due.getTime() - 1) / 86_400_000) + 1 : this.calendar.workingDaysBetween(due, at);
    // Uploaded on the weekend after the due day: late, though no working day has passed.
    return n === null ? null : Math.max(1, n);
  }

  /** `withLateBy: false` skips counting how late (the ingest path stores only whether it was on time). */
  judge(e: EventToJudge, withLateBy = true): DeadlineJudgement {
    const { ruleSet, rule } = this.entryFor(e.ledgerRuleSet, e.type);
    if (!rule) return { ruleSet, status: 'no_deadline', dueAt: null, lateBy: null, unit: null, responsible: [], basis: null };
    // A stored due time made under this same table version stands (an operator's calendar change later does not
    // rewrite history silently); otherwise judge now.
    const due = e.storedDueAt && e.storedRuleSet === ruleSet ? e.storedDueAt : this.dueAt(rule.amount, rule.unit, e.occurredAt);
    if (!due) return { ruleSet, status: 'pending', dueAt: null, lateBy: null, unit: rule.unit, responsible: rule.responsible, basis: rule.basis };
    const late = e.uploadedAt.getTime() > due.getTime();
    return {
      ruleSet,
      status: late ? 'late' : 'on_time',
      dueAt: due,
      lateBy: late && withLateBy ? this.lateBy(due, e.uploadedAt, rule.unit) : null,
      unit: rule.unit,
      responsible: rule.responsible,
      basis: rule.basis,
    };
  }
}
