import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, Public } from '#libs/common';
import { NearestOutletQuery, NearestOutletsView, PublicOutletPage, PublicOutletQuery } from './dto';
import { PublicOutletsRateLimitGuard } from './public-rate-limit';
import { PublicOutletsService } from './public-outlets.service';

/** Overrides the document's global bearer requirement: these routes need no key. */
const NO_KEY: [] = [];

/** Public disclosure of active outlets: no API key, rate-limited per client. */
@ApiTags('outlets')
@Public()
@UseGuards(PublicOutletsRateLimitGuard)
@ApiErrors(429)
@Controller('v1/public/outlets')
export class PublicOutletsController {
  constructor(private readonly outlets: PublicOutletsService) {}

  @Get()
  @ApiOperation({
    summary: 'Active outlets by region, type and words; paginated, or all of them as CSV (?format=csv)',
    description: 'CSV: UTF-8 with a BOM, at most 100,000 rows; cells starting with = + - @ are prefixed with an apostrophe.',
    security: NO_KEY,
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: PublicOutletPage })
  @ApiErrors(422)
  async list(@Query() query: PublicOutletQuery, @Res({ passthrough: true }) res: Response) {
    if (query.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="outlets${query.region ? `-${query.region}` : ''}.csv"`);
      return this.outlets.csv(query);
    }
    return this.outlets.list(query);
  }

  @Get('nearest')
  @ApiOperation({ summary: 'The nearest active outlets to a point (WGS-84), by great-circle distance, with the distance in km', security: NO_KEY })
  @ApiOkResponse({ type: NearestOutletsView })
  @ApiErrors(422)
  async nearest(@Query() query: NearestOutletQuery): Promise<NearestOutletsView> {
    return { items: await this.outlets.nearest(query) };
  }
}
