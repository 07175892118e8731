import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import { CreateManufacturerCodeDto, ManufacturerCodeListQuery, ManufacturerCodePage, ManufacturerCodeView } from './dto';
import { ManufacturerCodesService } from './manufacturer-codes.service';

@ApiTags('codes')
@ApiErrors(401, 403)
@Controller('v1/manufacturer-codes')
export class ManufacturerCodesController {
  constructor(private readonly codes: ManufacturerCodesService) {}

  @Post()
  @ApiOperation({
    summary: 'Record a manufacturer-code (厂商代码) assignment (admin)',
    description: 'The enterprise must be a battery maker or a cascade utiliser.',
  })
  @ApiCreatedResponse({ type: ManufacturerCodeView })
  @ApiErrors(409, 422)
  create(@Body() dto: CreateManufacturerCodeDto, @CurrentActor() actor: Actor): Promise<ManufacturerCodeView> {
    return this.codes.assign(dto, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List manufacturer codes (admins and regulators: all; an enterprise: its own), ordered by code' })
  @ApiOkResponse({ type: ManufacturerCodePage })
  @ApiErrors(422)
  list(@Query() query: ManufacturerCodeListQuery, @CurrentActor() actor: Actor) {
    return this.codes.list(query, actor.principal);
  }
}
