import { Injectable } from '@nestjs/common';
import type { DeadlineAssessment, DeadlineAssessor, DeadlineInput } from '#libs/lifecycle';
import { ComplianceCalendar } from './calendar.service';

/**
 * DEADLINE_ASSESSOR: every new event gets the rule set (`cn-2018@1`), its due time and whether it was uploaded in
 * time, judged in memory (calendar and tables are loaded; no query). A node with no deadline known, and one whose
 * due date the calendar cannot count yet (pending), get the rule set and nulls; reads tell the two apart and judge
 * pending ones again once the year is covered.
 */
@Injectable()
export class ComplianceDeadlineAssessor implements DeadlineAssessor {
  constructor(private readonly calendar: ComplianceCalendar) {}

  assess(events: readonly DeadlineInput[]): DeadlineAssessment[] {
    const engine = this.calendar.engine();
    return events.map((e) => engine.assessForStorage(e.type, e.occurredAt, e.uploadedAt, e.ledgerRuleSet));
  }
}
