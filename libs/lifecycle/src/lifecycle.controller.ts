import type { Action } from '#libs/access';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CODE_PARAM, CurrentActor, OnlyFor } from '#libs/common';
import { chinaDate } from './domain/field-spec';
import { ENVELOPE_FIELDS, latestPayload, RULE_SETS, ruleSetFor } from './domain/event-types';
import {
  ChainVerificationView,
  DryRunQuery,
  EventTypesQuery,
  EventTypesView,
  IngestEventsDto,
  IngestResponseView,
  RegisterBatteriesDto,
  RegistrationView,
} from './dto';
import { ShallowDtoPipe } from './envelope.pipe';
import { IngestResponse, LedgerService } from './ledger.service';
import { RegistrationSizeGuard } from './registration-size.guard';
import { RegistrationService } from './registration.service';
import type { ChainVerification } from './domain/canonical';

@ApiTags('events')
@ApiErrors(401, 403)
@Controller('v1')
export class EventsController {
  constructor(private readonly ledger: LedgerService) {}

  @Post('events')
  @OnlyFor('ledger.write' satisfies Action)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report lifecycle events (up to 500, processed together; enterprise keys only)',
    description:
      'Each event is accepted, a duplicate (same clientEventId or same content as an earlier event of yours: the original id is returned), ' +
      'or rejected with reasons naming the field and the rule broken. `mode: atomic` records all or nothing; `partial` (default) the valid ones. ' +
      '`?dryRun=true` checks everything, the state machine included, and records nothing. The response is 200 whatever the outcome; see `status`.',
  })
  @ApiBody({ type: IngestEventsDto })
  @ApiOkResponse({ type: IngestResponseView })
  @ApiErrors(413, 422)
  ingest(@Body(new ShallowDtoPipe(IngestEventsDto)) body: IngestEnvelope, @Query() query: DryRunQuery, @CurrentActor() actor: Actor): Promise<IngestResponse> {
    return this.ledger.ingest(body.events, { mode: body.mode ?? 'partial', dryRun: query.dryRun ?? false }, actor);
  }

  @Get('event-types')
  @ApiOperation({ summary: 'The event types of the rule set in force on a business date: roles, statuses, custody, payload fields' })
  @ApiOkResponse({ type: EventTypesView })
  @ApiErrors(422)
  eventTypes(@Query() query: EventTypesQuery): EventTypesView {
    const set = ruleSetFor(query.date ?? chinaDate(Date.now()));
    const ref = (s: typeof set) => ({ id: s.id, title: s.title, validFrom: s.validFrom, validUntil: s.validUntil });
    return {
      ruleSet: ref(set),
      ruleSets: RULE_SETS.map(ref),
      envelope: ENVELOPE_FIELDS.map((f) => ({ ...f })),
      types: Object.values(set.types).map((t) => {
        const schema = latestPayload(t);
        return { ...t, schemaVersion: schema.version, payload: schema.fields.map((f) => ({ ...f })) };
      }),
    };
  }
}

/** The body of POST /v1/events as the handler receives it (validated by ShallowDtoPipe with IngestEventsDto). */
interface IngestEnvelope {
  events: unknown[];
  mode?: 'atomic' | 'partial';
}

@ApiTags('batteries')
@ApiErrors(401, 403)
@Controller('v1/batteries')
export class RegistrationController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly ledger: LedgerService,
  ) {}

  @Post()
  @OnlyFor('ledger.write' satisfies Action)
  @UseGuards(RegistrationSizeGuard)
  @ApiOperation({
    summary: 'Register batteries (a pack with its modules and cells, and batches of those): records their produced events',
    description:
      'All or nothing. Registering the same battery again with the same attributes is answered as a duplicate with the original event; ' +
      'a different registration of an existing code is 409. Manufacturer codes must not be another enterprise’s; an unfiled specification code is a warning or an error by configuration.',
  })
  @ApiCreatedResponse({ type: RegistrationView })
  @ApiErrors(409, 413, 422)
  register(@Body() body: RegisterBatteriesDto, @Query() query: DryRunQuery, @CurrentActor() actor: Actor): Promise<RegistrationView> {
    return this.registration.register(body, query.dryRun ?? false, actor);
  }

  @Get(':code/verify')
  @ApiOperation({ summary: 'Recompute the battery’s hash chain from the stored events and name the first broken link' })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: ChainVerificationView })
  @ApiErrors(404, 422)
  verify(@Param('code') code: string, @CurrentActor() actor: Actor): Promise<ChainVerification> {
    return this.ledger.verifyBattery(code, actor.principal);
  }
}
