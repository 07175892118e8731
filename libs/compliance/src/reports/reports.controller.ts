import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import { CreateReportDto, DownloadQuery, ReportListQuery, ReportPage, ReportView } from './dto';
import { ReportsService } from './reports.service';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('compliance')
@ApiErrors(401)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Request a compliance report (computed in the background)',
    description:
      'The answer is 202 with the report (`Location: /v1/reports/{id}`). The same type, scope and period against the same data, deadline tables, ' +
      'calendar and day give the same report (asking twice is safe); `regenerate: true` computes a new generation. Enterprises request reports ' +
      'about themselves; regulators within their region; administrators any.',
  })
  @ApiAcceptedResponse({ type: ReportView, headers: { Location: { description: 'The report: /v1/reports/{id}', schema: { type: 'string' } } } })
  @ApiErrors(403, 422)
  async create(@Body() dto: CreateReportDto, @Res({ passthrough: true }) res: Response, @CurrentActor() actor: Actor): Promise<ReportView> {
    const { view } = await this.reports.request(dto, actor);
    res.setHeader('Location', `/v1/reports/${view.id}`);
    return view;
  }

  @Get()
  @ApiOperation({ summary: 'Reports the caller may see, newest first' })
  @ApiOkResponse({ type: ReportPage })
  @ApiErrors(422)
  list(@Query() query: ReportListQuery, @CurrentActor() actor: Actor) {
    return this.reports.list(query, actor.principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A report: status, progress, timings, what it was computed against, and its summary' })
  @ApiOkResponse({ type: ReportView })
  @ApiErrors(404)
  get(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<ReportView> {
    return this.reports.get(id, actor.principal);
  }

  @Get(':id/download')
  @ApiOperation({
    summary:
      'Download a finished report: json (summary and findings), csv (findings), xlsx (summary and findings sheets) or pdf (Chinese and English; the first 2,000 findings)',
  })
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/pdf')
  @ApiOkResponse({ description: 'The file', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(404, 409, 422)
  async download(@Param('id', uuid) id: string, @Query() query: DownloadQuery, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const file = await this.reports.download(id, query.format, actor.principal);
    return new StreamableFile(file.stream, { type: file.type, disposition: `attachment; filename="${file.filename}"` });
  }
}

@ApiTags('compliance')
@ApiErrors(401, 403)
@Controller('v1/report-schedules')
export class ReportSchedulesController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiOperation({ summary: 'Scheduled reports (admins and regulators): the monthly schedule, its cron (REPORT_SCHEDULE_CRON, Beijing time) and next run' })
  async list(@CurrentActor() actor: Actor) {
    return { items: await this.reports.schedules(actor.principal) };
  }
}
