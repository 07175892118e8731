import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { IsBatteryCode, NormaliseBatteryCode } from '#libs/codes';
import { PageQuery } from '#libs/common';
import { MAX_CODES_PER_EVENT } from '#libs/lifecycle';
import { IsGtin } from './is-gtin.validator';

export const REUSE_LEVELS = ['pack', 'module', 'cell'] as const;

export class CreateCascadeProductDto {
  @ApiProperty({
    type: [String],
    example: ['001MB240000003B3C0221953'],
    description: `The original batteries (24-character codes) the product is built from, 1 to ${MAX_CODES_PER_EVENT}; each held and tested by the firm`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CODES_PER_EVENT)
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toUpperCase().replace(/[\s-]/g, '') : v)) : value,
  )
  @IsString({ each: true })
  sourceCodes: string[];

  @ApiProperty({ enum: REUSE_LEVELS, description: 'Level of reuse (梯次利用层级): whole packs, modules or cells (art. 6 prefers pack or module)' })
  @IsIn(REUSE_LEVELS)
  reuseLevel: 'pack' | 'module' | 'cell';

  @ApiProperty({ example: 'energy_storage', description: 'Application field; every source needs a test grade that allows it (GET /v1/residual-grading-rules)' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{1,49}$/, { message: 'applicationField must be lower-case letters, digits and underscores' })
  applicationField: string;

  @ApiProperty({ example: 280, description: 'Nominal capacity, Ah (标称容量)' }) @IsNumber() @IsPositive() @Max(1_000_000) nominalCapacityAh: number;
  @ApiProperty({ example: 51.2, description: 'Nominal voltage, V (标称电压)' }) @IsNumber() @IsPositive() @Max(10_000) nominalVoltageV: number;
  @ApiPropertyOptional({ example: 14.3, description: 'Rated energy, kWh' }) @IsOptional() @IsNumber() @IsPositive() @Max(100_000) ratedEnergyKwh?: number;
  @ApiPropertyOptional({ example: 95, description: 'Mass, kg (the passport’s batteryMass)' })
  @IsOptional()
  @IsNumber()
  @IsPositive()
  @Max(100_000)
  massKg?: number;

  @ApiPropertyOptional({ example: '6901234567892', description: 'GTIN (商品条码), GS1 check digit validated; required on the label before shipping' })
  @IsOptional()
  @IsGtin()
  gtin?: string;

  @ApiProperty({ example: 36, description: 'Warranty period, months (art. 11)' }) @IsInt() @Min(1) @Max(600) warrantyMonths: number;
  @ApiPropertyOptional({ example: 'CQC-2026-0001', maxLength: 200, description: 'Voluntary certification (art. 18), if any' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  certification?: string;

  @ApiPropertyOptional({ example: '福建省福州市', maxLength: 200, description: 'Place of origin (产品产地); default: the firm’s registered region' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  placeOfOrigin?: string;

  @ApiPropertyOptional({
    example: 'C01MB0126201000001RM',
    description: 'A cascade code (19 characters) you allocated yourself; without it one is minted under your manufacturer code',
  })
  @IsOptional()
  @NormaliseBatteryCode()
  @IsBatteryCode({ form: 'cascade' })
  cascadeCode?: string;

  @ApiPropertyOptional({ example: 'C01', description: 'Minting: which of your manufacturer codes (default: your first)' })
  @IsOptional()
  @Matches(/^[0-9A-Z]{3}$/, { message: 'manufacturerCode must be 3 characters 0-9 A-Z' })
  manufacturerCode?: string;

  @ApiPropertyOptional({ example: '01', description: 'Minting: your filed specification code for the product (required when the code is minted)' })
  @IsOptional()
  @Matches(/^[0-9A-Z]{2}$/, { message: 'specificationCode must be 2 characters 0-9 A-Z' })
  specificationCode?: string;

  @ApiPropertyOptional({ example: '2026-03-02T10:00:00+08:00', description: 'When it was assembled (default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  assembledAt?: string;

  @ApiPropertyOptional({ example: 'BOM-2026-0001', maxLength: 100, description: 'Your id for this product: sending it again answers with the same product' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  clientProductId?: string;
}

export class CascadeProductQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'energy_storage' }) @IsOptional() @IsString() @MaxLength(50) application?: string;
  @ApiPropertyOptional({ enum: REUSE_LEVELS }) @IsOptional() @IsIn(REUSE_LEVELS) reuseLevel?: string;
  @ApiPropertyOptional({ description: 'A source (original) code: the product it went into' })
  @IsOptional()
  @NormaliseBatteryCode()
  @IsBatteryCode({ form: 'original' })
  source?: string;
}

export class LabelQuery {
  @ApiPropertyOptional({ enum: ['json', 'svg', 'pdf'], default: 'json' }) @IsOptional() @IsIn(['json', 'svg', 'pdf']) format?: 'json' | 'svg' | 'pdf';
}

// ---- responses ----

export class LabelView {
  @ApiProperty({ nullable: true, type: Number }) nominalCapacityAh: number | null;
  @ApiProperty({ nullable: true, type: Number }) nominalVoltageV: number | null;
  @ApiProperty({ nullable: true, type: String }) firmName: string | null;
  @ApiProperty({ nullable: true, type: String }) firmAddress: string | null;
  @ApiProperty({ nullable: true, type: String }) placeOfOrigin: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The GB/T 34014 cascade code (溯源编码)' }) traceCode: string | null;
  @ApiProperty({ type: [String], description: 'The retained original codes (原动力蓄电池编码)' }) originalCodes: string[];
  @ApiProperty({ nullable: true, type: String }) gtin: string | null;
}

export class LabelDocumentView {
  @ApiProperty() code: string;
  @ApiProperty({ type: LabelView }) fields: LabelView;
  @ApiProperty({ type: [String], description: 'Required fields (art. 15) that are missing: the product cannot ship until none is' }) missing: string[];
  @ApiProperty() complete: boolean;
  @ApiProperty({ example: { nominalCapacityAh: '标称容量' }, description: 'The printed captions' }) captions: Record<string, string>;
  @ApiProperty({ nullable: true, type: Number }) warrantyMonths: number | null;
  @ApiProperty({ nullable: true, type: String }) certification: string | null;
}

export class SourceView {
  @ApiProperty() code: string;
  @ApiProperty({ enum: ['pack', 'module', 'cell'] }) productType: string;
  @ApiProperty() testId: string;
  @ApiProperty() grade: string;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['unknown'] }] }) sohCPercent: number | 'unknown';
  @ApiProperty() testedAt: string;
}

export class CascadeProductView {
  @ApiProperty({ example: 'C01MB0126201000001RM' }) code: string;
  @ApiProperty({ enum: ['minted', 'supplied'] }) codeSource: string;
  @ApiProperty() enterpriseId: string;
  @ApiProperty({ nullable: true, type: String }) clientProductId: string | null;
  @ApiProperty({ enum: REUSE_LEVELS }) reuseLevel: string;
  @ApiProperty() applicationField: string;
  @ApiProperty() nominalCapacityAh: number;
  @ApiProperty() nominalVoltageV: number;
  @ApiProperty({ nullable: true, type: Number }) ratedEnergyKwh: number | null;
  @ApiProperty({ nullable: true, type: String }) gtin: string | null;
  @ApiProperty() warrantyMonths: number;
  @ApiProperty({ nullable: true, type: String }) certification: string | null;
  @ApiProperty() assembledAt: string;
  @ApiProperty({ description: 'The cascade_assembled event' }) eventId: string;
  @ApiProperty({ type: [SourceView] }) sources: SourceView[];
  @ApiProperty({ type: LabelDocumentView }) label: LabelDocumentView;
  @ApiProperty({ description: 'Status in the ledger (cascade_stock, cascade_in_use, waste, …)' }) status: string;
  @ApiProperty({ nullable: true, type: String }) holderId: string | null;
  @ApiPropertyOptional({ type: Object, isArray: true, description: 'Findings that did not prevent recording (e.g. an unfiled specification code)' })
  warnings?: unknown[];
}

export class CascadeProductPage {
  @ApiProperty({ type: [CascadeProductView] }) items: CascadeProductView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
