import type { Action } from '#libs/access';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor, OnlyFor } from '#libs/common';
import { ComplianceCalendar } from './calendar.service';
import { CalendarCoverageView, CalendarYearDto, CalendarYearParams, CalendarYearView } from './dto';

@ApiTags('compliance')
@ApiErrors(401)
@Controller('v1/calendar')
export class CalendarController {
  constructor(private readonly calendar: ComplianceCalendar) {}

  @Get('years')
  @ApiOperation({ summary: 'The years the working-day calendar covers (any key)' })
  @ApiOkResponse({ type: CalendarCoverageView })
  coverage(): CalendarCoverageView {
    return { years: this.calendar.coverage() };
  }

  @Put('years/:year')
  @OnlyFor('calendar.write' satisfies Action)
  @ApiOperation({
    summary: 'Add or revise a year’s official holiday schedule (admin)',
    description: 'Append-only: a new revision of the year is recorded and audited; due dates pending on that year are then resolved in traces and reports.',
  })
  @ApiOkResponse({ type: CalendarYearView })
  @ApiErrors(403, 422)
  put(@Param() params: CalendarYearParams, @Body() dto: CalendarYearDto, @CurrentActor() actor: Actor): Promise<CalendarYearView> {
    return this.calendar.putYear(Number(params.year), dto, actor);
  }
}
