import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import {
  CreateOutletDto,
  OutletInspectionDto,
  OutletListQuery,
  OutletPage,
  OutletRecordPage,
  OutletRecordsQuery,
  OutletStatusDto,
  OutletView,
  UnregisteredOutletQuery,
  UnregisteredOutletPage,
  UpdateOutletDto,
} from './dto';
import { OutletStockService } from './outlet-stock.service';
import { OutletsService } from './outlets.service';

@ApiTags('outlets')
@ApiErrors(401, 403)
@Controller('v1/outlets')
export class OutletsController {
  constructor(
    private readonly outlets: OutletsService,
    private readonly stock: OutletStockService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a recycling service outlet (回收服务网点)',
    description:
      'An enterprise registers its own; an admin names the owner. The facility rules in force today are checked (422 OUTLET_RULE_VIOLATION names each rule and its source).',
  })
  @ApiCreatedResponse({ type: OutletView })
  @ApiErrors(409, 422)
  create(@Body() dto: CreateOutletDto, @CurrentActor() actor: Actor): Promise<OutletView> {
    return this.outlets.create(dto, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List outlets the caller may see (own and co-built; a regulator its region; an admin all)' })
  @ApiOkResponse({ type: OutletPage })
  @ApiErrors(422)
  list(@Query() query: OutletListQuery, @CurrentActor() actor: Actor) {
    return this.outlets.list(query, actor.principal);
  }

  @Get('unregistered')
  @ApiOperation({ summary: "Outlet ids in recorded outlet events that name no registered outlet of their reporter ('unregistered outlet')" })
  @ApiOkResponse({ type: UnregisteredOutletPage })
  @ApiErrors(422)
  unregistered(@Query() query: UnregisteredOutletQuery, @CurrentActor() actor: Actor) {
    return this.stock.unregistered(actor.principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One outlet with its status history, inspections and current stock (from the ledger)' })
  @ApiOkResponse({ type: OutletView })
  @ApiErrors(404)
  get(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<OutletView> {
    return this.outlets.get(id, actor.principal);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update an outlet (owner and co-builders; admins)', description: 'The facility rules are checked again on the result.' })
  @ApiOkResponse({ type: OutletView })
  @ApiErrors(404, 409, 422)
  update(@Param('id') id: string, @Body() dto: UpdateOutletDto, @CurrentActor() actor: Actor): Promise<OutletView> {
    return this.outlets.update(id, dto, actor);
  }

  @Post(':id/status')
  @ApiOperation({ summary: 'Suspend, reactivate or close an outlet, with a reason (appended to its history; a closed outlet stays closed)' })
  @ApiCreatedResponse({ type: OutletView })
  @ApiErrors(404, 409, 422)
  status(@Param('id') id: string, @Body() dto: OutletStatusDto, @CurrentActor() actor: Actor): Promise<OutletView> {
    return this.outlets.changeStatus(id, dto, actor);
  }

  @Post(':id/inspections')
  @ApiOperation({ summary: 'Record a safety inspection (owner, co-builders, regulators of the region, admins)' })
  @ApiCreatedResponse({ type: OutletView })
  @ApiErrors(404, 422)
  inspect(@Param('id') id: string, @Body() dto: OutletInspectionDto, @CurrentActor() actor: Actor): Promise<OutletView> {
    return this.outlets.addInspection(id, dto, actor);
  }

  @Get(':id/records')
  @ApiOperation({ summary: 'Every battery in and out of the outlet (code, type, from, to, VIN), from the ledger, oldest first' })
  @ApiOkResponse({ type: OutletRecordPage })
  @ApiErrors(404, 422)
  async records(@Param('id') id: string, @Query() query: OutletRecordsQuery, @CurrentActor() actor: Actor) {
    const row = await this.outlets.findVisible(this.outlets.manager, id, actor.principal);
    return this.stock.records(row, query);
  }
}
