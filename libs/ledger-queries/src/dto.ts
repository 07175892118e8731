import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQuery } from '#libs/common';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** An instant with an offset, or a date (00:00 Beijing time). Checked to exist in the service. */
export const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const INSTANT_MESSAGE = (name: string) => `${name} must be a date (YYYY-MM-DD, Beijing time) or a date-time with an offset (2026-03-01T08:00:00+08:00)`;
const ENTERPRISE = /^([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}|[0-9A-Z]{18})$/;
const REGION = /^[0-9]{2}([0-9]{2}([0-9]{2})?)?$/;

export class EventListQuery extends PageQuery {
  @ApiPropertyOptional({
    example: '3501',
    description: "GB/T 2260 prefix (2, 4 or 6 digits): the event's region, else its reporter's registered region when it was uploaded",
  })
  @IsOptional()
  @Transform(trim)
  @Matches(REGION, { message: 'region must be 2, 4 or 6 digits of a GB/T 2260 code' })
  region?: string;

  @ApiPropertyOptional({ example: 'vehicle_sold', description: 'Event type' })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[a-z_]{1,40}$/, { message: 'type must be an event type name (see GET /v1/event-types)' })
  type?: string;

  @ApiPropertyOptional({ description: 'Reporting enterprise: id or USCC' })
  @IsOptional()
  @Transform(upper)
  @Matches(ENTERPRISE, { message: 'reporter must be an enterprise id (UUID) or a USCC (18 characters)' })
  reporter?: string;

  @ApiPropertyOptional({ description: 'Enterprise named as counterparty: id or USCC' })
  @IsOptional()
  @Transform(upper)
  @Matches(ENTERPRISE, { message: 'counterparty must be an enterprise id (UUID) or a USCC (18 characters)' })
  counterparty?: string;

  @ApiPropertyOptional({ example: '2026-03-01', description: 'Business time (occurredAt) at or after' })
  @IsOptional()
  @Transform(trim)
  @Matches(INSTANT, { message: INSTANT_MESSAGE('from') })
  from?: string;

  @ApiPropertyOptional({ example: '2026-04-01', description: 'Business time before (exclusive)' })
  @IsOptional()
  @Transform(trim)
  @Matches(INSTANT, { message: INSTANT_MESSAGE('to') })
  to?: string;

  @ApiPropertyOptional({ description: 'Upload time at or after' })
  @IsOptional()
  @Transform(trim)
  @Matches(INSTANT, { message: INSTANT_MESSAGE('uploadedFrom') })
  uploadedFrom?: string;

  @ApiPropertyOptional({ description: 'Upload time before (exclusive)' })
  @IsOptional()
  @Transform(trim)
  @Matches(INSTANT, { message: INSTANT_MESSAGE('uploadedTo') })
  uploadedTo?: string;

  @ApiPropertyOptional({ description: 'Events in the hash chain of this battery (GB/T 34014 code)' })
  @IsOptional()
  @Matches(/^[\s\S]{1,64}$/, { message: 'code must be a battery code' })
  code?: string;

  @ApiPropertyOptional({ description: 'Events naming this vehicle (VIN)' })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[0-9A-HJ-NPR-Z]{17}$/, { message: 'vin must be 17 characters (no I, O or Q)' })
  vin?: string;

  @ApiPropertyOptional({ enum: ['occurredAt', 'uploadedAt'], default: 'occurredAt', description: 'Order by business time or by upload time' })
  @IsOptional()
  @IsIn(['occurredAt', 'uploadedAt'])
  by: 'occurredAt' | 'uploadedAt' = 'occurredAt';

  @ApiPropertyOptional({ enum: ['desc', 'asc'], default: 'desc', description: 'Newest (desc) or oldest (asc) first' })
  @IsOptional()
  @IsIn(['desc', 'asc'])
  order: 'desc' | 'asc' = 'desc';

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'csv: every matching row as a streamed download (no page limit)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}

export class AuditLogQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'The API key that acted (its id), or a kind of actor: admin, enterprise, regulator' })
  @IsOptional()
  @Transform(trim)
  @Matches(/^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|admin|enterprise|regulator)$/, {
    message: 'actor must be an API key id (UUID) or one of admin, enterprise, regulator',
  })
  actor?: string;

  @ApiPropertyOptional({ description: 'Entries by this enterprise (its keys) or about its record: id or USCC' })
  @IsOptional()
  @Transform(upper)
  @Matches(ENTERPRISE, { message: 'enterprise must be an enterprise id (UUID) or a USCC (18 characters)' })
  enterprise?: string;

  @ApiPropertyOptional({ example: 'enterprise.updated', description: "An action, or a prefix ending in '.' (e.g. 'upload.')" })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[a-z_]{1,40}(\.[a-z_]{0,40})*$/, { message: 'action must be an action name such as enterprise.updated, or a prefix ending in .' })
  action?: string;

  @ApiPropertyOptional({ example: 'upload', description: "Entity type, or 'type:id' for one entity" })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[a-z_]{1,40}(:[0-9A-Za-z-]{1,64})?$/, { message: "entity must be an entity type (e.g. upload) or 'type:id'" })
  entity?: string;

  @ApiPropertyOptional({ description: 'At or after' })
  @IsOptional()
  @Transform(trim)
  @Matches(INSTANT, { message: INSTANT_MESSAGE('from') })
  from?: string;

  @ApiPropertyOptional({ description: 'Before (exclusive)' })
  @IsOptional()
  @Transform(trim)
  @Matches(INSTANT, { message: INSTANT_MESSAGE('to') })
  to?: string;

  @ApiPropertyOptional({ description: 'The X-Request-Id of the request that wrote the entries' })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'requestId must be printable ASCII, up to 200 characters' })
  requestId?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}

// ---- responses ----

export class PartyRefDoc {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) uscc: string | null;
}

export class EventRowDoc {
  @ApiProperty() id: string;
  @ApiProperty() type: string;
  @ApiProperty() schemaVersion: number;
  @ApiProperty() occurredAt: string;
  @ApiProperty() uploadedAt: string;
  @ApiProperty({ type: PartyRefDoc }) reporter: PartyRefDoc;
  @ApiProperty({ type: PartyRefDoc, nullable: true }) counterparty: PartyRefDoc | null;
  @ApiProperty({ nullable: true, type: String }) regionCode: string | null;
  @ApiProperty({ nullable: true, type: String }) vin: string | null;
  @ApiProperty({ type: [String] }) batteryCodes: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) correctionOf: string | null;
  @ApiProperty({ nullable: true, type: String }) clientEventId: string | null;
  @ApiProperty({ description: 'hex SHA-256 of the canonical content' }) contentHash: string;
  @ApiProperty({ nullable: true, type: String }) dueAt: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) onTime: boolean | null;
}

export class EventPageDoc {
  @ApiProperty({ type: [EventRowDoc] }) items: EventRowDoc[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

export class ChainLinkDoc {
  @ApiProperty() batteryCode: string;
  @ApiProperty({ description: "The event's position in that battery's hash chain (1 = first)" }) seq: number;
  @ApiProperty({ description: 'hex SHA-256 of the previous link' }) prevHash: string;
  @ApiProperty({ description: 'hex SHA-256(prev_hash || content_hash || code || seq)' }) linkHash: string;
}

export class EventDetailDoc extends EventRowDoc {
  @ApiProperty({ type: [ChainLinkDoc], description: 'One link per battery whose chain the event is in' }) chain: ChainLinkDoc[];
}

export class AuditActorDoc {
  @ApiProperty({ enum: ['admin', 'enterprise', 'regulator'] }) kind: string;
  @ApiProperty({ nullable: true, type: String, description: 'The API key id (never the key)' }) keyId: string | null;
  @ApiProperty({ type: PartyRefDoc, nullable: true }) enterprise: PartyRefDoc | null;
  @ApiProperty({ nullable: true, type: String }) regulatorId: string | null;
}

export class AuditEntryDoc {
  @ApiProperty() id: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty({ type: AuditActorDoc }) actor: AuditActorDoc;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty() action: string;
  @ApiProperty() entityType: string;
  @ApiProperty() entityId: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What was written (secrets are never recorded; any field named like one shows as [redacted])',
  })
  data: Record<string, unknown>;
}

export class AuditPageDoc {
  @ApiProperty({ type: [AuditEntryDoc] }) items: AuditEntryDoc[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}
