import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsBatteryCode, NormaliseBatteryCode } from '#libs/codes';
import { ErrorDetailDoc } from '#libs/common';
import { EVENT_TYPES, latestPayload, MAX_EVENTS_PER_BATCH, RULE_SETS } from './domain/event-types';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value);

/**
 * The payload fields of each event type in the newest rule set, in each type's own words (a field several types share,
 * such as `reason`, means something else in each); GET /v1/event-types gives every rule set.
 */
function payloadFieldsByType(): string {
  const set = RULE_SETS[RULE_SETS.length - 1];
  const lines = Object.values(set.types).map((rules) => {
    const fields = latestPayload(rules).fields.map((f) => `\`${f.name}\`${f.required ? ' (required)' : ''}: ${f.description}`);
    return `- **${rules.type}**: ${fields.length > 0 ? fields.join('; ') : 'no fields'}`;
  });
  return `The fields of the event type (GET /v1/event-types?date= for the rule set of a date). In rule set ${set.id}:\n${lines.join('\n')}`;
}

/** Documents one item of `events` (each item is validated by the ledger's own table-driven validator, not here). */
export class EventInputDoc {
  @ApiProperty({ enum: EVENT_TYPES, example: 'delivered' }) type: string;
  @ApiProperty({ type: [String], example: ['001PB240000003B3C0221953'] }) batteryCodes: string[];
  @ApiProperty({ example: '2026-05-01T10:00:00+08:00', description: 'Business time; Beijing time when no offset is given' }) occurredAt: string;
  @ApiPropertyOptional({ example: 'erp-2026-000123', maxLength: 100 }) clientEventId?: string;
  @ApiPropertyOptional({ example: '91350100M000100Y43', description: 'The other party of a hand-over (统一社会信用代码)' }) counterpartyUscc?: string;
  @ApiPropertyOptional({ example: '350102' }) regionCode?: string;
  @ApiPropertyOptional({ example: 'LFV2A21KXG4010001' }) vin?: string;
  @ApiPropertyOptional({ description: 'correction events: the event corrected' }) correctionOf?: string;
  @ApiPropertyOptional({ minimum: 1 }) schemaVersion?: number;
  @ApiPropertyOptional({ type: Object, description: payloadFieldsByType(), example: { deliveryNoteNo: 'DN-1' } }) payload?: Record<string, unknown>;
}

export class IngestEventsDto {
  @ApiProperty({
    type: [EventInputDoc],
    description: `1 to ${MAX_EVENTS_PER_BATCH} events, processed together and in order (later events see the effect of earlier ones)`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EVENTS_PER_BATCH)
  events: unknown[];

  @ApiPropertyOptional({ enum: ['atomic', 'partial'], default: 'partial', description: 'atomic: all or nothing; partial: the valid events are recorded' })
  @IsOptional()
  @IsIn(['atomic', 'partial'])
  mode?: 'atomic' | 'partial';
}

export class DryRunQuery {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Validate everything (the state machine included) and write nothing' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

export class EventTypesQuery {
  @ApiPropertyOptional({ example: '2026-05-01', description: 'Business date whose rule set to show (default: today)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date?: string;
}

// ---- responses ----

export class IngestCountsView {
  @ApiProperty() total: number;
  @ApiProperty() accepted: number;
  @ApiProperty() duplicate: number;
  @ApiProperty() rejected: number;
}

export class RuleDetailDoc extends ErrorDetailDoc {
  @ApiProperty({ example: 'STATE_TRANSITION', description: 'The rule broken (LedgerRule)' }) rule: string;
}

export class IngestResultView {
  @ApiProperty() index: number;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'] }) status: string;
  @ApiPropertyOptional({ description: 'accepted: the new event (absent in a dry run and for a custody claim); duplicate: the event it repeats' })
  eventId?: string;
  @ApiPropertyOptional({
    description:
      'accepted as a custody claim (a receipt reported by the receiver alone; absent in a dry run): it takes effect when the sender confirms it (GET /v1/custody-claims/:id)',
  })
  claimId?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) clientEventId?: string | null;
  @ApiPropertyOptional({ enum: ['clientEventId', 'contentHash', 'registration'] }) duplicateOf?: string;
  @ApiPropertyOptional({ type: [RuleDetailDoc] }) reasons?: RuleDetailDoc[];
  @ApiPropertyOptional({ type: [ErrorDetailDoc], description: 'Findings that did not prevent recording (e.g. an unfiled specification code)' })
  warnings?: ErrorDetailDoc[];
}

export class IngestResponseView {
  @ApiProperty({ enum: ['ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED'], description: 'As EPCIS capture: ACCEPTED when nothing was rejected' }) status: string;
  @ApiProperty({ enum: ['atomic', 'partial'] }) mode: string;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ type: IngestCountsView }) counts: IngestCountsView;
  @ApiProperty({ type: [IngestResultView] }) results: IngestResultView[];
}

// ---- registration (POST /v1/batteries) ----

export class RegisterPartDto {
  @ApiProperty({ example: '001MB240000003B3C0221953', description: 'GB/T 34014 code (24 characters)' })
  @NormaliseBatteryCode()
  @IsBatteryCode({ form: 'original' })
  code: string;

  @ApiProperty({ example: 50, description: 'Nominal capacity, Ah' }) @IsNumber() @IsPositive() @Max(1_000_000) nominalCapacityAh: number;
  @ApiProperty({ example: 44.8, description: 'Nominal voltage, V' }) @IsNumber() @IsPositive() @Max(10_000) nominalVoltageV: number;
  @ApiPropertyOptional({ example: 2.24, description: 'Rated energy, kWh' }) @IsOptional() @IsNumber() @IsPositive() @Max(100_000) ratedEnergyKwh?: number;
  @ApiPropertyOptional({ example: 30, description: 'Mass, kg' }) @IsOptional() @IsNumber() @IsPositive() @Max(100_000) massKg?: number;

  @ApiPropertyOptional({ type: () => [RegisterPartDto], description: 'What is built into it: modules of a pack, cells of a module (or of a pack)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_EVENTS_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => RegisterPartDto)
  components?: RegisterPartDto[];
}

export class RegisterBatteryDto extends RegisterPartDto {
  @ApiPropertyOptional({ example: '2026-05-01T08:00:00+08:00', description: 'When it was produced (default: now); also applies to its components' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  producedAt?: string;

  @ApiPropertyOptional({ example: '350102', description: 'GB/T 2260 region of production (default: the enterprise’s)' })
  @IsOptional()
  @IsString()
  regionCode?: string;
}

export class RegisterBatteriesDto {
  @ApiProperty({ type: [RegisterBatteryDto], description: `Batteries with their components; at most ${MAX_EVENTS_PER_BATCH} batteries in all` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EVENTS_PER_BATCH)
  @ValidateNested({ each: true })
  @Type(() => RegisterBatteryDto)
  batteries: RegisterBatteryDto[];
}

export class RegisteredBatteryView {
  @ApiProperty() code: string;
  @ApiProperty({ example: 'batteries[0].components[1]' }) path: string;
  @ApiProperty({ enum: ['accepted', 'duplicate'], description: 'duplicate: already registered identically (the original event id is returned)' })
  status: string;
  @ApiPropertyOptional({ description: "The 'produced' event (absent in a dry run)" }) eventId?: string;
  @ApiPropertyOptional({ type: [ErrorDetailDoc] }) warnings?: ErrorDetailDoc[];
}

export class RegistrationView {
  @ApiProperty({ enum: ['ACCEPTED'] }) status: string;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ type: IngestCountsView }) counts: IngestCountsView;
  @ApiProperty({ type: [RegisteredBatteryView], description: 'Parents before their components' }) batteries: RegisteredBatteryView[];
}

// ---- verification ----

export class BrokenLinkView {
  @ApiProperty() seq: number;
  @ApiProperty({ nullable: true, type: String }) eventId: string | null;
  @ApiProperty({
    enum: ['missing_link', 'prev_hash_mismatch', 'content_hash_mismatch', 'link_hash_mismatch', 'event_missing', 'event_not_about_battery', 'head_mismatch'],
  })
  problem: string;
  @ApiProperty({ nullable: true, type: String }) expected: string | null;
  @ApiProperty({ nullable: true, type: String }) found: string | null;
  @ApiProperty() message: string;
}

export class ChainVerificationView {
  @ApiProperty() batteryCode: string;
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'Links verified' }) length: number;
  @ApiProperty({ nullable: true, type: String, description: 'Hex of the last verified link hash' }) head: string | null;
  @ApiProperty({ type: BrokenLinkView, nullable: true }) firstBroken: BrokenLinkView | null;
}

// ---- the table ----

export class FieldSpecView {
  @ApiProperty() name: string;
  @ApiProperty() kind: string;
  @ApiProperty() required: boolean;
  @ApiProperty() description: string;
  @ApiPropertyOptional({ type: [String] }) enum?: readonly string[];
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiPropertyOptional() unit?: string;
}

export class EventTypeView {
  @ApiProperty({ enum: EVENT_TYPES }) type: string;
  @ApiProperty() description: string;
  @ApiProperty() basis: string;
  @ApiProperty({ description: 'An upload node of this rule set' }) node: boolean;
  @ApiProperty({ type: [String] }) roles: readonly string[];
  @ApiProperty({ type: [String], description: 'Battery statuses it may follow' }) from: readonly string[];
  @ApiProperty({ nullable: true, type: String }) to: string | null;
  @ApiProperty({ enum: ['holder', 'receiver', 'any'] }) reporter: string;
  @ApiProperty({ enum: ['none', 'handover', 'take'] }) custody: string;
  @ApiPropertyOptional({
    type: Object,
    example: { to: 'removed' },
    description: 'A hand-over that may name no receiver: the status the batteries then have, in the reporter’s own stock',
  })
  withoutCounterparty?: object;
  @ApiProperty({ type: Object, example: { presence: 'required', roles: ['vehicle_maker'] } }) counterparty: object;
  @ApiProperty({ type: Object, example: { presence: 'required', effect: 'set' } }) vin: object;
  @ApiProperty({ enum: ['required', 'optional', 'forbidden'] }) region: string;
  @ApiPropertyOptional({ type: [String] }) levels?: readonly string[];
  @ApiPropertyOptional({ type: [String] }) forms?: readonly string[];
  @ApiPropertyOptional() special?: string;
  @ApiProperty() schemaVersion: number;
  @ApiProperty({ type: [FieldSpecView] }) payload: FieldSpecView[];
}

export class RuleSetRef {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) validFrom: string | null;
  @ApiProperty({ nullable: true, type: String }) validUntil: string | null;
}

export class EventTypesView {
  @ApiProperty({ type: RuleSetRef }) ruleSet: RuleSetRef;
  @ApiProperty({ type: [RuleSetRef] }) ruleSets: RuleSetRef[];
  @ApiProperty({ type: [FieldSpecView], description: 'Envelope fields of every event' }) envelope: FieldSpecView[];
  @ApiProperty({ type: [EventTypeView] }) types: EventTypeView[];
}
