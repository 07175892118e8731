import { Global, Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { EVENT_DEADLINES } from '#libs/batteries';
import { DEADLINE_ASSESSOR } from '#libs/lifecycle';
import { ComplianceCalendar } from './calendar.service';
import { ComplianceDeadlineAssessor } from './deadline-assessor';
import { EventDeadlines } from './event-deadlines';

/**
 * The working-day calendar, DEADLINE_ASSESSOR for the ledger and EVENT_DEADLINES for the trace (global, so that the ledger finds the hook
 * wherever it is built: the API and the worker). Import it once per app.
 */
@Global()
@Module({
  imports: [AuditModule],
  providers: [
    ComplianceCalendar,
    ComplianceDeadlineAssessor,
    EventDeadlines,
    { provide: DEADLINE_ASSESSOR, useExisting: ComplianceDeadlineAssessor },
    { provide: EVENT_DEADLINES, useExisting: EventDeadlines },
  ],
  exports: [ComplianceCalendar, EventDeadlines, DEADLINE_ASSESSOR, EVENT_DEADLINES],
})
export class ComplianceDeadlinesModule {}
