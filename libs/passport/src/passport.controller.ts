import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import { PassportView } from './dto';
import { PassportService } from './passport.service';

@ApiTags('batteries')
@ApiErrors(401, 403)
@Controller('v1/batteries')
export class PassportController {
  constructor(private readonly passports: PassportService) {}

  @Get(':code/passport')
  @ApiOperation({
    summary: 'Battery passport following the Battery Pass 1.2 data model (original and cascade codes; visibility as the trace)',
    description:
      'General product information (status Original / Repurposed / Waste), performance and durability (remaining capacity, capacity fade, ' +
      'SOCE from SOH_E, resistance increase, each with its lastUpdate, from the latest residual test), circularity with the predecessor ' +
      'passports of a cascade product (or the successor of an original). Fields the model requires that the registry does not hold are ' +
      'left out and listed in `gaps`; every field present conforms to the model’s JSON Schemas (CC-BY-4.0, Battery Pass consortium).',
  })
  @ApiParam({ name: 'code', description: 'GB/T 34014 code (24 characters, or 19 for a cascade product)' })
  @ApiOkResponse({ type: PassportView })
  @ApiErrors(404, 422)
  passport(@Param('code') code: string, @CurrentActor() actor: Actor) {
    return this.passports.passport(code, actor.principal);
  }
}
