import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import { CodingRulesService } from './coding-rules.service';
import { CodingRuleListQuery, CodingRulePage, CodingRuleView, CreateCodingRuleDto } from './dto';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

@ApiTags('codes')
@ApiErrors(401, 403, 404)
@Controller('v1/enterprises/:id/coding-rules')
export class CodingRulesController {
  constructor(private readonly rules: CodingRulesService) {}

  @Post()
  @ApiOperation({
    summary: 'File a coding rule (编码规则备案) for a specification code (the enterprise itself or an admin)',
    description:
      'Append-only and versioned: a new filing for the same manufacturer and specification code is the next version. ' +
      'The rule in force on a date is the one with the latest `validFrom` not after it (the highest version among equal `validFrom`).',
  })
  @ApiCreatedResponse({ type: CodingRuleView })
  @ApiErrors(422)
  file(@Param('id', uuid) id: string, @Body() dto: CreateCodingRuleDto, @CurrentActor() actor: Actor): Promise<CodingRuleView> {
    return this.rules.file(id, dto, actor);
  }

  @Get()
  @ApiOperation({
    summary: "List an enterprise's coding-rule filings (the enterprise, admins, regulators)",
    description: 'Every version, or with `on` only the rule in force on that date for each manufacturer and specification code.',
  })
  @ApiOkResponse({ type: CodingRulePage })
  @ApiErrors(422)
  list(@Param('id', uuid) id: string, @Query() query: CodingRuleListQuery, @CurrentActor() actor: Actor) {
    return this.rules.list(id, query, actor.principal);
  }
}
