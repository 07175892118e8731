import type { Action } from '#libs/access';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, ApiErrors, CurrentActor, OnlyFor, validationFailed } from '#libs/common';
import {
  CreateGradingRuleSetDto,
  GradingRuleSetView,
  MAX_TESTS_PER_BATCH,
  RecordResidualTestsDoc,
  RecordResidualTestsQuery,
  ResidualTestBatchView,
  ResidualTestFullBatchView,
  ResidualTestDto,
  ResidualTestPage,
  ResidualTestQuery,
  ResidualTestView,
} from './dto';
import { TestingErrors } from './errors';
import { GradingRulesService } from './grading-rules.service';
import { ResidualTestsService, TestBatchResponse } from './residual-tests.service';
import type { TestResultSummary } from './views';

const GRADING_NOTE =
  'Grades: `vehicle_reuse`, `cascade` (with the application fields it qualifies for), `recycle`, or `ungraded` when the rated capacity is unknown. ' +
  'The thresholds are a versioned rule set (GET /v1/residual-grading-rules); the built-in defaults are **industry practice, not standard text**: ' +
  'GB/T 34015 sets no thresholds. Each test stores the rule-set version that graded it.';

@ApiTags('residual tests')
@ApiErrors(401, 403)
@ApiExtraModels(RecordResidualTestsDoc, ResidualTestDto, ResidualTestBatchView, ResidualTestFullBatchView)
@Controller('v1/residual-tests')
export class ResidualTestsController {
  constructor(private readonly tests: ResidualTestsService) {}

  @Post()
  @OnlyFor('residual_test.record' satisfies Action)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record residual-capacity tests (GB/T 34015): one test, or `{ "tests": [...] }` of up to 500 (enterprise keys)',
    description:
      'Each test is validated, its derived values computed (mean capacity, cycle spread, SOH_C, SOH_E, resistance increase), graded, and its ' +
      '`residual_tested` event appended to the ledger in the same transaction (the firm must hold the battery). A batch answers 200 with one ' +
      'result per test (accepted, duplicate by clientTestId, rejected with reasons), as POST /v1/events does: by default the test id, event ' +
      'id, grade, SOH_C and retest flag (`ResidualTestBatchView`); with `?view=full` each result carries the whole record instead ' +
      '(`ResidualTestFullBatchView`). One test alone answers 201 with the record or 422 ' +
      `RESIDUAL_TEST_REJECTED. ${GRADING_NOTE}`,
  })
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(RecordResidualTestsDoc) }, { $ref: getSchemaPath(ResidualTestDto) }] } })
  @ApiOkResponse({
    description: 'A batch: summaries by default, whole records with `?view=full`',
    schema: { oneOf: [{ $ref: getSchemaPath(ResidualTestBatchView) }, { $ref: getSchemaPath(ResidualTestFullBatchView) }] },
  })
  @ApiCreatedResponse({ type: ResidualTestView, description: 'One test' })
  @ApiErrors(413, 422)
  async record(
    @Body() body: RecordBody,
    @Query() query: RecordResidualTestsQuery,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TestBatchResponse | TestBatchResponse<TestResultSummary> | ResidualTestView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validationFailed([{ path: '', reason: 'the body must be a JSON object' }]);
    if ('tests' in body) {
      const keys = Object.keys(body).filter((k) => k !== 'tests');
      if (keys.length > 0) throw validationFailed(keys.map((k) => ({ path: k, reason: `property ${k} should not exist` })));
      if (!Array.isArray(body.tests) || body.tests.length === 0)
        throw validationFailed([{ path: 'tests', reason: `must be an array of 1 to ${MAX_TESTS_PER_BATCH} tests` }]);
      if (body.tests.length > MAX_TESTS_PER_BATCH) throw TestingErrors.tooMany(body.tests.length, MAX_TESTS_PER_BATCH);
      return query.view === 'full' ? this.tests.record(body.tests, actor) : this.tests.recordSummarised(body.tests, actor);
    }
    const one = await this.tests.record([body], actor, { pathOf: () => '' });
    const r = one.results[0];
    if (r.status === 'rejected') throw TestingErrors.rejected((r.reasons ?? []).map((d) => ({ ...d, path: String(d.path ?? '').replace(/^\./, '') })));
    res.status(201);
    return r.test!;
  }

  @Get()
  @ApiOperation({ summary: 'List residual tests, newest first (an enterprise: its own; regulators within their region; admins: all)' })
  @ApiOkResponse({ type: ResidualTestPage })
  @ApiErrors(422)
  list(@Query() query: ResidualTestQuery, @CurrentActor() actor: Actor) {
    return this.tests.list(query, actor.principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One residual test with its derived values and grade' })
  @ApiOkResponse({ type: ResidualTestView })
  @ApiErrors(404)
  get(@Param('id') id: string, @CurrentActor() actor: Actor) {
    return this.tests.get(id, actor.principal);
  }
}

@ApiTags('residual tests')
@ApiErrors(401, 403)
@Controller('v1/residual-grading-rules')
export class GradingRulesController {
  constructor(private readonly rules: GradingRulesService) {}

  @Get()
  @ApiOperation({ summary: 'Every grading rule-set version, newest first; `current` grades new tests', description: GRADING_NOTE })
  @ApiOkResponse({ type: [GradingRuleSetView] })
  list() {
    return this.rules.list();
  }

  @Post()
  @OnlyFor('grading_rules.write' satisfies Action)
  @ApiOperation({ summary: 'Add a grading rule-set version (admin; audited); it grades every test recorded from now on' })
  @ApiCreatedResponse({ type: GradingRuleSetView })
  @ApiErrors(422)
  create(@Body() dto: CreateGradingRuleSetDto, @CurrentActor() actor: Actor) {
    return this.rules.create(dto, actor);
  }
}

/** The body of POST /v1/residual-tests: a batch, or one test (validated item by item by the service). */
type RecordBody = { tests?: unknown } & Record<string, unknown>;
