import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import { CoverageService } from './coverage.service';
import { CoverageQuery, CoverageView } from './dto';

@ApiTags('outlets')
@ApiErrors(401, 403)
@Controller('v1/enterprises')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  @Get(':id/outlet-coverage')
  @ApiOperation({
    summary: 'Outlet coverage against sales: per duty, every region sold into and whether an active outlet covers it (gaps first)',
    description:
      'Vehicle makers: prefectures of their vehicle_sold events; battery makers: provinces (2026 measures) where packs with their manufacturer codes were sold in vehicles; cascade utilisers: prefectures their products were shipped to. The rule set is chosen by `on`.',
  })
  @ApiOkResponse({ type: CoverageView })
  @ApiErrors(404, 422)
  get(@Param('id') id: string, @Query() query: CoverageQuery, @CurrentActor() actor: Actor): Promise<CoverageView> {
    return this.coverage.coverage(id, query, actor.principal);
  }
}
