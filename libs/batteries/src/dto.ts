import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { IsIsoDate, PageQuery } from '#libs/common';
import { BATTERY_STATUSES, BatteryStatus } from './status';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class BatteryListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: BATTERY_STATUSES, description: "The battery's own recorded status ('assembled': inside a module or pack)" })
  @IsOptional()
  @IsIn(BATTERY_STATUSES)
  status?: BatteryStatus;

  @ApiPropertyOptional({ description: 'Current holder: enterprise id or USCC (batteries inside another have none; search their top-level battery)' })
  @IsOptional()
  @Transform(upper)
  @IsString()
  @Matches(/^([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}|[0-9A-Z]{18})$/, {
    message: 'holder must be an enterprise id (UUID) or a USCC (18 characters)',
  })
  holder?: string;

  @ApiPropertyOptional({ example: '001', description: 'Manufacturer code (positions 1-3 of the battery code)' })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[0-9A-Z]{3}$/, { message: 'manufacturer must be a 3-character manufacturer code' })
  manufacturer?: string;

  @ApiPropertyOptional({ example: '2026-01-01', description: 'Production date (from the code) on or after' })
  @IsOptional()
  @Transform(trim)
  @IsIsoDate()
  producedFrom?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Production date (from the code) on or before' })
  @IsOptional()
  @Transform(trim)
  @IsIsoDate()
  producedTo?: string;

  @ApiPropertyOptional({ example: '35', description: 'GB/T 2260 prefix (2, 4 or 6 digits): batteries with an event in that region' })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[0-9]{2}([0-9]{2}([0-9]{2})?)?$/, { message: 'region must be 2, 4 or 6 digits of a GB/T 2260 code' })
  region?: string;

  @ApiPropertyOptional({ enum: ['pack', 'module', 'cell'] })
  @IsOptional()
  @IsIn(['pack', 'module', 'cell'])
  productType?: 'pack' | 'module' | 'cell';
}

// ---- responses ----

export class EnterpriseRef {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) uscc: string | null;
}

export class LastEventRef {
  @ApiProperty() id: string;
  @ApiProperty() type: string;
  @ApiProperty() occurredAt: string;
}

export class ChainHeadView {
  @ApiProperty({ description: 'Number of links in the battery’s hash chain' }) seq: number;
  @ApiProperty({ description: 'Hex SHA-256 of the last link' }) head: string;
}

export class BatteryView {
  @ApiProperty({ example: '001PB240000003B3C0221953' }) code: string;
  @ApiProperty({ enum: ['original', 'cascade'] }) form: string;
  @ApiProperty({ enum: ['pack', 'module', 'cell'] }) productType: string;
  @ApiProperty({ example: 'B', description: 'Battery-type letter (position 5)' }) batteryType: string;
  @ApiProperty({ example: '001' }) manufacturerCode: string;
  @ApiProperty({ example: '24' }) specificationCode: string;
  @ApiProperty({ nullable: true, type: String }) traceabilityCode: string | null;
  @ApiProperty({ example: '2021-03-12' }) productionDate: string;
  @ApiProperty({ example: '0221953' }) serial: string;
  @ApiProperty({ nullable: true, type: String }) cascadeLevel: string | null;
  @ApiProperty({ nullable: true, type: Number }) nominalCapacityAh: number | null;
  @ApiProperty({ nullable: true, type: Number }) nominalVoltageV: number | null;
  @ApiProperty({ nullable: true, type: Number }) ratedEnergyKwh: number | null;
  @ApiProperty({ nullable: true, type: Number }) massKg: number | null;
  @ApiProperty({ type: EnterpriseRef }) producer: EnterpriseRef;
  @ApiProperty({
    enum: BATTERY_STATUSES,
    description: 'Current status; for a battery inside another, that of its top-level battery',
  })
  status: string;
  @ApiProperty({ enum: BATTERY_STATUSES, description: 'The battery’s own recorded status (differs from `status` only inside another battery)' })
  ownStatus: string;
  @ApiProperty({ type: EnterpriseRef, nullable: true, description: 'Current holder (that of the top-level battery)' }) holder: EnterpriseRef | null;
  @ApiProperty({ type: EnterpriseRef, nullable: true, description: 'Receiver named by a hand-over it has not yet reported' })
  pendingHandoverTo: EnterpriseRef | null;
  @ApiProperty({ nullable: true, type: String, description: 'The vehicle it is in (through its top-level battery)' }) vin: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The battery it is inside (module, pack or cascade product)' }) insideOf: string | null;
  @ApiProperty({ description: 'The top-level battery it is inside, or itself' }) topLevelCode: string;
  @ApiProperty({ type: [String], example: ['350102'], description: 'GB/T 2260 regions its events happened in' }) regions: string[];
  @ApiProperty({ type: LastEventRef }) lastEvent: LastEventRef;
  @ApiProperty({ type: ChainHeadView }) chain: ChainHeadView;
  @ApiProperty() registeredAt: string;
  @ApiProperty() updatedAt: string;
}

export class CompositionNode {
  @ApiProperty() code: string;
  @ApiProperty({ enum: ['pack', 'module', 'cell'] }) productType: string;
  @ApiProperty({ description: 'When the link started (business time)' }) since: string;
  @ApiProperty({ type: () => [CompositionNode] }) components: CompositionNode[];
}

export class BatteryDetailView extends BatteryView {
  @ApiProperty({ type: [CompositionNode], description: 'What it is made of now (modules, and their cells)' }) components: CompositionNode[];
  @ApiProperty({ type: [String], description: 'Cascade products: the original codes retained' }) originalCodes: string[];
}

export class BatteryPage {
  @ApiProperty({ type: [BatteryView] }) items: BatteryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class GenealogyLink {
  @ApiProperty({ description: 'The containing battery: module, pack or cascade product' }) parentCode: string;
  @ApiProperty() childCode: string;
  @ApiProperty({ enum: ['component', 'origin'], description: 'component: a part built in; origin: an original regrouped into a cascade product' }) kind: string;
  @ApiProperty() since: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the part was taken out' }) until: string | null;
}

export class TraceDeadlineView {
  @ApiProperty({
    enum: ['on_time', 'late', 'pending', 'no_deadline'],
    description: 'pending: the working-day calendar does not cover a day the deadline counts through yet',
  })
  status: 'on_time' | 'late' | 'pending' | 'no_deadline';
  @ApiProperty({ nullable: true, type: String, description: 'Deadline table and version, e.g. cn-2018@1' }) ruleSet: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'End of the last day allowed (Beijing time)' }) dueAt: string | null;
  @ApiProperty({ description: 'Server time of the upload' }) uploadedAt: string;
  @ApiProperty({ nullable: true, type: Number, description: 'How late, in `unit` (late only)' }) lateBy: number | null;
  @ApiProperty({ nullable: true, enum: ['working_days', 'calendar_days'] }) unit: 'working_days' | 'calendar_days' | null;
  @ApiProperty({ nullable: true, type: String, description: 'The article the deadline comes from' }) basis: string | null;
}

export class TraceEventView {
  @ApiProperty() id: string;
  @ApiProperty() type: string;
  @ApiProperty() schemaVersion: number;
  @ApiProperty({ description: 'Business time' }) occurredAt: string;
  @ApiProperty({ description: 'Server time of the upload' }) uploadedAt: string;
  @ApiProperty({ type: EnterpriseRef }) reporter: EnterpriseRef;
  @ApiProperty({ type: EnterpriseRef, nullable: true }) counterparty: EnterpriseRef | null;
  @ApiProperty({ nullable: true, type: String }) regionCode: string | null;
  @ApiProperty({ nullable: true, type: String }) vin: string | null;
  @ApiProperty({ type: [String] }) batteryCodes: string[];
  @ApiProperty({ type: Object }) payload: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) correctionOf: string | null;
  @ApiProperty({ nullable: true, type: String }) clientEventId: string | null;
  @ApiProperty({ description: 'Hex SHA-256 of the canonical content' }) contentHash: string;
  @ApiProperty({ nullable: true, type: String }) dueAt: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) onTime: boolean | null;
  @ApiProperty({
    type: TraceDeadlineView,
    nullable: true,
    description: 'The upload deadline judged now (also for events recorded before deadlines were assessed)',
  })
  deadline: TraceDeadlineView | null;
}

export class TraceVehicle {
  @ApiProperty() vin: string;
  @ApiProperty({ description: 'The pack that is in it' }) packCode: string;
}

/**
 * A relative in a trace: its identity and state. Enterprises are named as everywhere else in the API,
 * `{ id, name, uscc }`; the full BatteryView of each is at GET /v1/batteries/:code.
 */
export class TraceRelativeView {
  @ApiProperty() code: string;
  @ApiProperty({ enum: ['original', 'cascade'] }) form: string;
  @ApiProperty({ enum: ['pack', 'module', 'cell'] }) productType: string;
  @ApiProperty({ example: 'B' }) batteryType: string;
  @ApiProperty({ example: '2021-03-12' }) productionDate: string;
  @ApiProperty({ nullable: true, type: Number }) nominalCapacityAh: number | null;
  @ApiProperty({ nullable: true, type: Number }) nominalVoltageV: number | null;
  @ApiProperty({ type: EnterpriseRef }) producer: EnterpriseRef;
  @ApiProperty({ enum: BATTERY_STATUSES, description: 'Current status (that of its top-level battery)' }) status: string;
  @ApiProperty({ enum: BATTERY_STATUSES, description: 'Its own recorded status' }) ownStatus: string;
  @ApiProperty({ type: EnterpriseRef, nullable: true, description: 'Current holder (that of its top-level battery)' }) holder: EnterpriseRef | null;
  @ApiProperty({ nullable: true, type: String }) insideOf: string | null;
  @ApiProperty() topLevelCode: string;
  @ApiProperty({ type: LastEventRef }) lastEvent: LastEventRef;
  @ApiProperty({ description: 'Length of its hash chain' }) chainSeq: number;
}

export class TraceView {
  @ApiProperty({ type: BatteryView }) battery: BatteryView;
  @ApiProperty({ type: [GenealogyLink], description: 'Up: what it is (or was) inside, to the top (module → pack; original → cascade product)' })
  up: GenealogyLink[];
  @ApiProperty({ type: [GenealogyLink], description: 'Down: what is (or was) inside it (pack → modules → cells; cascade product → originals)' })
  down: GenealogyLink[];
  @ApiProperty({
    type: [GenealogyLink],
    description: 'Where the originals of a cascade product below it came from (the modules and packs they were taken out of)',
  })
  originsFrom: GenealogyLink[];
  @ApiProperty({ type: TraceVehicle, nullable: true, description: 'The vehicle its top-level battery is in' }) vehicle: TraceVehicle | null;
  @ApiProperty({ type: [TraceRelativeView], description: 'Every other battery of the genealogy, with its state' }) relatives: TraceRelativeView[];
  @ApiProperty({ type: [TraceEventView], description: 'Every event of the battery and its relatives, in business-time order' }) events: TraceEventView[];
}
