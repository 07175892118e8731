import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from '#libs/common';

export const CLAIM_STATUSES = ['pending', 'confirmed', 'disputed'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export class CustodyClaimListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CLAIM_STATUSES, description: 'Only claims in this state' })
  @IsOptional()
  @IsIn(CLAIM_STATUSES)
  status?: ClaimStatus;

  @ApiPropertyOptional({ enum: ['claimant', 'sender'], description: 'An enterprise: only the claims it made (claimant) or those naming it as the sender' })
  @IsOptional()
  @IsIn(['claimant', 'sender'])
  role?: 'claimant' | 'sender';
}

export class DisputeClaimDto {
  @ApiPropertyOptional({ example: '我司未向该企业移交此电池', description: 'Why the sender disputes the claim (shown to the claimant and regulators)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 2000)
  reason?: string;
}

export class ClaimPartyView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() uscc: string;
}

export class CustodyClaimView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CLAIM_STATUSES }) status: ClaimStatus;
  @ApiProperty({ description: 'The receipt event type (outlet_received, cascade_received, recycler_received)' }) type: string;
  @ApiProperty({ type: [String] }) batteryCodes: string[];
  @ApiProperty({ description: 'When the claimant says it received the batteries (business time)' }) occurredAt: string;
  @ApiProperty({ description: 'When the claim was reported: the receipt, once confirmed, counts as uploaded then (deadlines)' }) claimedAt: string;
  @ApiProperty({ type: ClaimPartyView, description: 'The enterprise that reported the receipt' }) claimant: ClaimPartyView;
  @ApiProperty({ type: ClaimPartyView, description: 'The enterprise it names as the sender, which confirms or disputes' }) sender: ClaimPartyView;
  @ApiProperty({ type: Object, description: 'The receipt as reported' }) event: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'disputed: the sender’s reason' }) disputeReason: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'confirmed: the receipt recorded in the ledger' }) eventId: string | null;
}

export class CustodyClaimPage {
  @ApiProperty({ type: [CustodyClaimView] }) items: CustodyClaimView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
