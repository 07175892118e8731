import { Module } from '@nestjs/common';
import { CalendarController } from './calendar.controller';

/** The compliance API (calendar years; reports). Needs ComplianceDeadlinesModule in the app. */
@Module({ controllers: [CalendarController] })
export class ComplianceModule {}
