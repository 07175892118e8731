import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { requireAllowed } from '#libs/access';
import { Actor, ApiErrors, CurrentActor, PageQuery } from '#libs/common';
import { CheckpointService } from './checkpoint.service';

class BucketDoc {
  @ApiProperty() count: number;
  @ApiProperty({ description: 'hex SHA-256' }) root: string;
}

class CheckpointDoc {
  @ApiProperty() id: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: 'Every chain link numbered up to this was committed and is covered' }) cutLedgerSeq: string;
  @ApiProperty() batteryCount: number;
  @ApiProperty() linkCount: number;
  @ApiProperty({ description: 'Merkle root (RFC 6962 shape, SHA-256, hex) over every chain head' }) root: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/BucketDoc' }, description: 'Per manufacturer code' })
  buckets: Record<string, BucketDoc>;
  @ApiProperty() algorithm: string;
}

class CheckpointPageDoc {
  @ApiProperty({ type: [CheckpointDoc] }) items: CheckpointDoc[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

class LedgerVerificationDoc {
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: CheckpointDoc, nullable: true }) checkpoint: CheckpointDoc | null;
  @ApiProperty({ nullable: true, description: 'The same digest recomputed from the current data' }) recomputed: object | null;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) mismatches: object[];
  @ApiProperty() message: string;
}

@ApiTags('ledger')
@ApiErrors(401, 403)
@Controller('v1/ledger')
export class CheckpointsController {
  constructor(private readonly checkpoints: CheckpointService) {}

  @Get('checkpoints')
  @ApiOperation({ summary: 'Ledger checkpoints, newest first (admins and regulators)' })
  @ApiOkResponse({ type: CheckpointPageDoc })
  @ApiErrors(422)
  list(@Query() page: PageQuery, @CurrentActor() actor: Actor) {
    return this.checkpoints.list(actor.principal, page.limit, page.cursor);
  }

  @Post('checkpoints')
  @HttpCode(201)
  @ApiOperation({ summary: 'Take a checkpoint now (admin); they are also taken on a schedule' })
  @ApiOkResponse({ type: CheckpointDoc })
  take(@CurrentActor() actor: Actor) {
    requireAllowed(actor.principal, 'checkpoint.create');
    return this.checkpoints.create();
  }

  @Get('verify')
  @ApiOperation({
    summary: 'Check the current data against the latest checkpoint',
    description:
      "Recomputes the Merkle root of the chain heads up to the checkpoint's cut; deleted or altered chains show as a mismatch, located by manufacturer code.",
  })
  @ApiOkResponse({ type: LedgerVerificationDoc })
  verify(@CurrentActor() actor: Actor) {
    return this.checkpoints.verifyLatest(actor.principal);
  }
}
