import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CODE_PARAM, CurrentActor, Page } from '#libs/common';
import { BatteriesService } from './batteries.service';
import { BatteryDetailView, BatteryListQuery, BatteryPage, BatteryView, TraceView } from './dto';

@ApiTags('batteries')
@ApiErrors(401)
@Controller('v1/batteries')
export class BatteriesController {
  constructor(private readonly batteries: BatteriesService) {}

  @Get()
  @ApiOperation({
    summary: 'Search the batteries visible to the caller (cursor-paginated, by code)',
    description: 'Enterprises see the batteries they produced, hold, have held, received or reported about; regulators those with an event in their region.',
  })
  @ApiOkResponse({ type: BatteryPage })
  @ApiErrors(422)
  list(@Query() query: BatteryListQuery, @CurrentActor() actor: Actor): Promise<Page<BatteryView>> {
    return this.batteries.list(query, actor.principal);
  }

  @Get(':code')
  @ApiOperation({ summary: 'One battery: decoded code, attributes, current status, holder, vehicle and composition' })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: BatteryDetailView })
  @ApiErrors(404, 422)
  get(@Param('code') code: string, @CurrentActor() actor: Actor): Promise<BatteryDetailView> {
    return this.batteries.get(code, actor.principal);
  }

  @Get(':code/trace')
  @ApiOperation({
    summary: 'Genealogy up (module → pack → vehicle; original → cascade product) and down, and the event timeline of the battery and its relatives',
  })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: TraceView })
  @ApiErrors(404, 422)
  trace(@Param('code') code: string, @CurrentActor() actor: Actor): Promise<TraceView> {
    return this.batteries.trace(code, actor.principal);
  }
}
