import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { IsIsoDate, PageQuery } from '#libs/common';
import { validateRegionCode } from '#libs/regions';
import { OUTLET_STATUSES, OUTLET_TYPES, OutletStatus, OutletType } from './domain/rules';

/** A 6-digit GB/T 2260 code of the regions dataset (a retired code with a successor is accepted). */
export function IsRegionCode(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isRegionCode',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && validateRegionCode(value).ok,
        defaultMessage: (args) => {
          const v = args?.value;
          if (typeof v !== 'string') return `${args?.property} must be a string`;
          const r = validateRegionCode(v);
          return r.ok ? '' : r.reason;
        },
      },
    });
  };
}

/** A GB/T 2260 prefix: 2 digits (province), 4 (prefecture) or 6 (county). */
export function IsRegionPrefix(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isRegionPrefix',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && /^[0-9]{2}([0-9]{2}([0-9]{2})?)?$/.test(value) && validateRegionCode(value.padEnd(6, '0')).ok,
        defaultMessage: (args) =>
          `${args?.property} must be a GB/T 2260 province (2 digits), prefecture (4) or county (6) code of the dataset; got '${String(args?.value)}'`,
      },
    });
  };
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class OutletContactDto {
  @ApiPropertyOptional({ example: '张伟' }) @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ example: '+86 591 8765 4321' }) @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @ApiPropertyOptional({ example: 'outlets@example.cn' }) @IsOptional() @IsEmail() email?: string;
}

export class CoordinatesDto {
  @ApiProperty({ example: 26.0745, description: 'WGS-84 latitude' }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-90) @Max(90) lat: number;
  @ApiProperty({ example: 119.2965, description: 'WGS-84 longitude' }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-180) @Max(180) lng: number;
}

export const PARTNER_RELATIONS = ['co_built', 'entrusted'] as const;
export type PartnerRelation = (typeof PARTNER_RELATIONS)[number];

export class OutletPartnerDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() enterpriseId: string;
  @ApiProperty({ enum: PARTNER_RELATIONS, description: 'co_built (共建) or entrusted (委托)' }) @IsIn(PARTNER_RELATIONS) relation: PartnerRelation;
}

export class CreateOutletDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The owner; an enterprise key registers its own outlets (defaults to itself), an admin names it' })
  @IsOptional()
  @IsUUID()
  ownerEnterpriseId?: string;

  @ApiPropertyOptional({ example: 'NET-35-001', description: "The owner's own identifier (unique per owner); ledger events may name the outlet by it" })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  code?: string;

  @ApiProperty({ example: '福州鼓楼回收服务网点' }) @Transform(trim) @IsString() @Length(1, 300) name: string;
  @ApiProperty({ enum: OUTLET_TYPES, description: 'collection (收集型) or centralised_storage (集中贮存型)' }) @IsIn(OUTLET_TYPES) type: OutletType;
  @ApiProperty({ example: '福建省福州市鼓楼区五四路1号' }) @Transform(trim) @IsString() @Length(1, 500) address: string;

  @ApiProperty({ example: '350102', description: 'GB/T 2260 administrative-division code (6 digits); a retired code is read as its successor' })
  @IsRegionCode()
  regionCode: string;

  @ApiPropertyOptional({ type: CoordinatesDto }) @IsOptional() @ValidateNested() @Type(() => CoordinatesDto) coordinates?: CoordinatesDto;

  @ApiProperty({ example: 20, description: 'Storage area, m²' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10_000_000)
  storageAreaM2: number;
  @ApiProperty({ example: 4, description: 'Storage capacity, t' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10_000_000)
  capacityT: number;

  @ApiPropertyOptional({ type: OutletContactDto }) @IsOptional() @ValidateNested() @Type(() => OutletContactDto) contact?: OutletContactDto;

  @ApiProperty({ example: '2025-06-01', description: 'Opening date (the outlet is active from then)' }) @IsIsoDate() openedOn: string;

  @ApiPropertyOptional({ example: 'https://www.example.cn/recycling/outlets', description: 'Where the owner publishes the outlet' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  publicationUrl?: string;

  @ApiPropertyOptional({ type: [OutletPartnerDto], description: 'Enterprises that co-build the outlet or are entrusted with it' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OutletPartnerDto)
  partners?: OutletPartnerDto[];
}

/** Every field of the registry but the owner and the status (status changes go through POST …/status). */
export class UpdateOutletDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) code?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 300) name?: string;
  @ApiPropertyOptional({ enum: OUTLET_TYPES }) @IsOptional() @IsIn(OUTLET_TYPES) type?: OutletType;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 500) address?: string;
  @ApiPropertyOptional({ example: '350102' }) @IsOptional() @IsRegionCode() regionCode?: string;
  @ApiPropertyOptional({ type: CoordinatesDto }) @IsOptional() @ValidateNested() @Type(() => CoordinatesDto) coordinates?: CoordinatesDto;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10_000_000) storageAreaM2?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10_000_000) capacityT?: number;
  @ApiPropertyOptional({ type: OutletContactDto }) @IsOptional() @ValidateNested() @Type(() => OutletContactDto) contact?: OutletContactDto;
  @ApiPropertyOptional() @IsOptional() @IsIsoDate() openedOn?: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }) @MaxLength(2000) publicationUrl?: string;
  @ApiPropertyOptional({ type: [OutletPartnerDto], description: 'Replaces the list of partners' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OutletPartnerDto)
  partners?: OutletPartnerDto[];
}

export class OutletStatusDto {
  @ApiProperty({ enum: OUTLET_STATUSES }) @IsIn(OUTLET_STATUSES) status: OutletStatus;
  @ApiProperty({ example: '消防设施整改' }) @Transform(trim) @IsString() @Length(1, 2000) reason: string;
  @ApiPropertyOptional({ example: '2026-05-01', description: 'From when (default: today, Beijing time)' }) @IsOptional() @IsIsoDate() effectiveOn?: string;
}

export const INSPECTION_RESULTS = ['passed', 'rectification_required', 'failed'] as const;
export type InspectionResult = (typeof INSPECTION_RESULTS)[number];

export class OutletInspectionDto {
  @ApiProperty({ example: '2026-05-10' }) @IsIsoDate() inspectedOn: string;
  @ApiProperty({ enum: INSPECTION_RESULTS }) @IsIn(INSPECTION_RESULTS) result: InspectionResult;
  @ApiProperty({ example: '福州市消防救援支队 李明' }) @Transform(trim) @IsString() @Length(1, 300) inspector: string;
  @ApiPropertyOptional({ example: '灭火器过期，已更换' }) @IsOptional() @IsString() @MaxLength(5000) findings?: string;
}

export class OutletListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Outlets this enterprise owns or co-builds' }) @IsOptional() @IsUUID() enterpriseId?: string;
  @ApiPropertyOptional({ example: '35', description: 'GB/T 2260 prefix' }) @IsOptional() @IsRegionPrefix() region?: string;
  @ApiPropertyOptional({ enum: OUTLET_TYPES }) @IsOptional() @IsIn(OUTLET_TYPES) type?: OutletType;
  @ApiPropertyOptional({ enum: OUTLET_STATUSES }) @IsOptional() @IsIn(OUTLET_STATUSES) status?: OutletStatus;
}

export class PublicOutletQuery extends PageQuery {
  @ApiPropertyOptional({ example: '3501', description: 'GB/T 2260 prefix: province (2), prefecture (4) or county (6)' })
  @IsOptional()
  @IsRegionPrefix()
  region?: string;
  @ApiPropertyOptional({ enum: OUTLET_TYPES }) @IsOptional() @IsIn(OUTLET_TYPES) type?: OutletType;
  @ApiPropertyOptional({ example: '鼓楼', description: 'Words in the name, address or owner name' }) @IsOptional() @IsString() @Length(1, 100) q?: string;
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

export class NearestOutletQuery {
  @ApiProperty({ example: 26.0745 }) @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-90) @Max(90) lat: number;
  @ApiProperty({ example: 119.2965 }) @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-180) @Max(180) lng: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 0 })
  @Min(1)
  @Max(50)
  limit: number = 10;
  @ApiPropertyOptional({ enum: OUTLET_TYPES }) @IsOptional() @IsIn(OUTLET_TYPES) type?: OutletType;
}

export class OutletRecordsQuery extends PageQuery {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'From this business date (Beijing time), inclusive' }) @IsOptional() @IsIsoDate() from?: string;
  @ApiPropertyOptional({ example: '2026-12-31', description: 'To this business date, inclusive' }) @IsOptional() @IsIsoDate() to?: string;
}

export class CoverageQuery {
  @ApiPropertyOptional({ example: '2026-06-30', description: 'The date assessed (default: today, Beijing time); chooses the rule set' })
  @IsOptional()
  @IsIsoDate()
  on?: string;
}

export class UnregisteredOutletQuery extends PageQuery {}

// ---- views ------------------------------------------------------------------------------------------

export class RegionView {
  @ApiProperty({ example: '350102' }) code: string;
  @ApiProperty({ example: '福建省 福州市 鼓楼区' }) fullName: string;
  @ApiProperty({ example: '福建省' }) provinceName: string;
  @ApiPropertyOptional({ example: '福州市', nullable: true }) prefectureName: string | null;
  @ApiPropertyOptional({ description: 'The code as submitted, when it was a retired code read as its successor' }) submittedCode?: string;
}

export class EnterpriseRefView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class PartnerView extends EnterpriseRefView {
  @ApiProperty({ enum: PARTNER_RELATIONS }) relation: PartnerRelation;
}

export class StockView {
  @ApiProperty({ description: 'Batteries in stock (those named by the receipts; their parts are not counted again)' }) count: number;
  @ApiProperty({ description: 'Mass in stock, t (of the batteries whose mass is registered)' }) massT: number;
  @ApiProperty({ description: 'Rated energy in stock, kWh (of the batteries whose energy is registered)' }) energyKwh: number;
  @ApiProperty({ description: 'Batteries in stock without a registered mass' }) withoutMass: number;
  @ApiProperty({ description: 'Batteries in stock without a registered energy' }) withoutEnergy: number;
  @ApiProperty({ description: 'The most the outlet may hold, t' }) limitT: number;
  @ApiProperty() overLimit: boolean;
  @ApiProperty({ description: 'Receipts that took the stock beyond the limit (flags kept for compliance reports)' }) overLimitFlags: number;
}

export class StatusChangeView {
  @ApiPropertyOptional({ enum: OUTLET_STATUSES, nullable: true }) from: OutletStatus | null;
  @ApiProperty({ enum: OUTLET_STATUSES }) to: OutletStatus;
  @ApiProperty() effectiveOn: string;
  @ApiProperty() reason: string;
  @ApiProperty() recordedAt: string;
}

export class InspectionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() inspectedOn: string;
  @ApiProperty({ enum: INSPECTION_RESULTS }) result: InspectionResult;
  @ApiProperty() inspector: string;
  @ApiPropertyOptional({ nullable: true }) findings: string | null;
  @ApiProperty() recordedAt: string;
}

export class OutletView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiPropertyOptional({ nullable: true }) code: string | null;
  @ApiProperty({ type: EnterpriseRefView }) owner: EnterpriseRefView;
  @ApiProperty({ type: [PartnerView] }) partners: PartnerView[];
  @ApiProperty() name: string;
  @ApiProperty({ enum: OUTLET_TYPES }) type: OutletType;
  @ApiProperty() address: string;
  @ApiProperty({ type: RegionView }) region: RegionView;
  @ApiPropertyOptional({ type: CoordinatesDto, nullable: true }) coordinates: CoordinatesDto | null;
  @ApiProperty() storageAreaM2: number;
  @ApiProperty() capacityT: number;
  @ApiProperty({ type: OutletContactDto }) contact: OutletContactDto;
  @ApiProperty() openedOn: string;
  @ApiProperty({ enum: OUTLET_STATUSES }) status: OutletStatus;
  @ApiProperty() statusSince: string;
  @ApiPropertyOptional({ nullable: true }) publicationUrl: string | null;
  @ApiProperty({ description: 'The outlet rule set the record was last checked under' }) ruleSet: string;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiPropertyOptional({ type: [StatusChangeView] }) statusHistory?: StatusChangeView[];
  @ApiPropertyOptional({ type: [InspectionView] }) inspections?: InspectionView[];
  @ApiPropertyOptional({ type: StockView }) stock?: StockView;
}

export class OutletPage {
  @ApiProperty({ type: [OutletView] }) items: OutletView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class PublicOutletView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: OUTLET_TYPES }) type: OutletType;
  @ApiProperty() ownerName: string;
  @ApiProperty() address: string;
  @ApiProperty({ type: RegionView }) region: RegionView;
  @ApiPropertyOptional({ type: CoordinatesDto, nullable: true }) coordinates: CoordinatesDto | null;
  @ApiProperty({ type: OutletContactDto }) contact: OutletContactDto;
  @ApiPropertyOptional({ nullable: true }) publicationUrl: string | null;
  @ApiPropertyOptional({ description: 'Nearest search only: great-circle distance, km' }) distanceKm?: number;
}

export class PublicOutletPage {
  @ApiProperty({ type: [PublicOutletView] }) items: PublicOutletView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class NearestOutletsView {
  @ApiProperty({ type: [PublicOutletView] }) items: PublicOutletView[];
}

export class OutletRecordView {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ enum: ['in', 'out'] }) direction: 'in' | 'out';
  @ApiProperty() occurredAt: string;
  @ApiProperty() batteryCode: string;
  @ApiPropertyOptional({ nullable: true, description: 'Battery type (GB/T 34014 letter) and product level' }) batteryType: string | null;
  @ApiPropertyOptional({ nullable: true }) productType: string | null;
  @ApiPropertyOptional({ type: EnterpriseRefView, nullable: true, description: 'Who handed it in (in) or the outlet (out)' }) from: EnterpriseRefView | null;
  @ApiPropertyOptional({ type: EnterpriseRefView, nullable: true, description: 'The outlet (in) or who received it (out)' }) to: EnterpriseRefView | null;
  @ApiPropertyOptional({ nullable: true, description: 'The vehicle it came from, when known' }) vin: string | null;
}

export class OutletRecordPage {
  @ApiProperty({ type: [OutletRecordView] }) items: OutletRecordView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class UnregisteredOutletView {
  @ApiProperty({ example: 'NET-35-001' }) outletId: string;
  @ApiProperty({ example: 'unregistered outlet' }) label: string;
  @ApiProperty({ type: EnterpriseRefView }) reporter: EnterpriseRefView;
  @ApiProperty() events: number;
  @ApiProperty() firstAt: string;
  @ApiProperty() lastAt: string;
}

export class UnregisteredOutletPage {
  @ApiProperty({ type: [UnregisteredOutletView] }) items: UnregisteredOutletView[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class CoverageRegionView {
  @ApiProperty({ example: '3501', description: '2 digits (province) or 4 (prefecture)' }) regionKey: string;
  @ApiProperty({ example: '福建省 福州市' }) regionName: string;
  @ApiProperty({ description: 'Sales counted there (vehicles, packs or cascade products)' }) sales: number;
  @ApiProperty({ description: 'Active own or co-built outlets there on the date' }) outlets: number;
  @ApiProperty() covered: boolean;
  @ApiProperty({ description: 'Whether the rule set requires an outlet there' }) required: boolean;
}

export class CoverageDutyView {
  @ApiProperty({ enum: ['vehicle_maker', 'battery_maker', 'cascade_utiliser'] }) role: string;
  @ApiProperty() ruleSet: string;
  @ApiPropertyOptional({ enum: ['province', 'prefecture'], nullable: true }) level: string | null;
  @ApiProperty() basis: string;
  @ApiProperty() salesSource: string;
  @ApiProperty() regions: number;
  @ApiProperty() gaps: number;
  @ApiProperty({ type: [CoverageRegionView], description: 'Gaps first, then by sales' }) items: CoverageRegionView[];
}

export class CoverageView {
  @ApiProperty({ format: 'uuid' }) enterpriseId: string;
  @ApiProperty() on: string;
  @ApiProperty({ type: [CoverageDutyView] }) duties: CoverageDutyView[];
}
