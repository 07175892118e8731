import type { Action } from '#libs/access';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor, OnlyFor } from '#libs/common';
import { CustodyClaimListQuery, CustodyClaimPage, CustodyClaimView, DisputeClaimDto } from './dto';
import { CustodyService } from './custody.service';

const claimId = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@ApiTags('custody claims')
@ApiErrors(401, 403)
@Controller('v1/custody-claims')
export class CustodyController {
  constructor(private readonly custody: CustodyService) {}

  @Get()
  @ApiOperation({ summary: 'Custody claims the caller made or is named in as the sender (regulators: within their region; admins: all)' })
  @ApiOkResponse({ type: CustodyClaimPage })
  @ApiErrors(422)
  list(@Query() query: CustodyClaimListQuery, @CurrentActor() actor: Actor): Promise<CustodyClaimPage> {
    return this.custody.list(query, actor.principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One custody claim' })
  @ApiOkResponse({ type: CustodyClaimView })
  @ApiErrors(404)
  get(@Param('id', claimId) id: string, @CurrentActor() actor: Actor): Promise<CustodyClaimView> {
    return this.custody.get(id, actor.principal);
  }

  @Post(':id/confirm')
  @OnlyFor('custody_claim.decide' satisfies Action)
  @HttpCode(200)
  @ApiOperation({ summary: 'The sender confirms it handed the batteries over: the receipt is recorded in the ledger, as uploaded when claimed' })
  @ApiOkResponse({ type: CustodyClaimView })
  @ApiErrors(404, 409)
  confirm(@Param('id', claimId) id: string, @CurrentActor() actor: Actor): Promise<CustodyClaimView> {
    return this.custody.confirm(id, actor);
  }

  @Post(':id/dispute')
  @OnlyFor('custody_claim.decide' satisfies Action)
  @HttpCode(200)
  @ApiOperation({ summary: 'The sender disputes the claim: nothing changes in the ledger' })
  @ApiOkResponse({ type: CustodyClaimView })
  @ApiErrors(404, 409, 422)
  dispute(@Param('id', claimId) id: string, @Body() body: DisputeClaimDto, @CurrentActor() actor: Actor): Promise<CustodyClaimView> {
    return this.custody.dispute(id, body, actor);
  }
}
