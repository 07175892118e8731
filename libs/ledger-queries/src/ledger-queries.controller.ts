import { Controller, Get, Param, ParseUUIDPipe, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import { AuditLogService } from './audit-log.service';
import { AuditLogQuery, AuditPageDoc, EventDetailDoc, EventListQuery, EventPageDoc } from './dto';
import { EventsQueryService } from './events.service';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('events')
@ApiErrors(401, 403)
@Controller('v1/events')
export class EventsQueryController {
  constructor(private readonly events: EventsQueryService) {}

  @Get()
  @ApiOperation({
    summary: 'Events the caller may see, filtered (cursor-paginated; ?format=csv streams every match)',
    description:
      "Enterprises: events they reported or are named in. Regulators limited to a region: events in it (the event's regionCode, else its reporter's registered region when uploaded). Admins and national regulators: all.",
  })
  @ApiOkResponse({ type: EventPageDoc })
  @ApiProduces('application/json', 'text/csv')
  @ApiErrors(422)
  async list(@Query() query: EventListQuery, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    if (query.format === 'csv') {
      const csv = await this.events.csv(query, actor.principal);
      res.setHeader('Cache-Control', 'no-store');
      return new StreamableFile(csv, { type: 'text/csv; charset=utf-8', disposition: 'attachment; filename="events.csv"' });
    }
    return this.events.list(query, actor.principal);
  }

  @Get(':id')
  @ApiOperation({ summary: "One event with its chain links (position in each battery's hash chain) and content hash" })
  @ApiOkResponse({ type: EventDetailDoc })
  @ApiErrors(404)
  get(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.events.get(id, actor.principal);
  }
}

@ApiTags('audit')
@ApiErrors(401, 403)
@Controller('v1/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @ApiOperation({
    summary: 'The audit log, newest first (cursor-paginated; ?format=csv streams every match)',
    description:
      'Admins: all. Enterprises: entries written with their keys or about their record. Regulators limited to a region: those of the enterprises registered there (now or before).',
  })
  @ApiOkResponse({ type: AuditPageDoc })
  @ApiProduces('application/json', 'text/csv')
  @ApiErrors(422)
  async list(@Query() query: AuditLogQuery, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    if (query.format === 'csv') {
      const csv = await this.audit.csv(query, actor.principal);
      res.setHeader('Cache-Control', 'no-store');
      return new StreamableFile(csv, { type: 'text/csv; charset=utf-8', disposition: 'attachment; filename="audit-log.csv"' });
    }
    return this.audit.list(query, actor.principal);
  }
}
