import { DEFAULT_TABLES } from '#libs/battery-code';
import { IsIsoDate, MaxDecimalPlaces, PageQuery, RequiredWhen } from '#libs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { BARCODE_FORMATS, BarcodeFormat, Symbology, SYMBOLOGIES } from './barcode';
import { CELL_SHAPES, CellShape, RULE_FORMS, RuleForm } from './coding-rule.entity';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const MAX_DECODE_BATCH = 1000;
/** A longer item cannot be a code even with separators; refusing it bounds the work per request. */
const MAX_INPUT_LENGTH = 200;

const BATTERY_TYPE_LETTERS = DEFAULT_TABLES.batteryTypes.map((b) => b.letter);
const PRODUCT_TYPE_SYMBOLS = DEFAULT_TABLES.productTypes.map((p) => p.symbol);

/** Each element: a string, or an array of exactly two strings (the fragments of a printed code). */
function IsCodeInputs(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isCodeInputs',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => !Array.isArray(value) || value.every((item) => codeInputProblem(item) === null),
        defaultMessage: (args) => {
          const items = Array.isArray(args?.value) ? (args.value as unknown[]) : [];
          const bad = items.map((item, i) => [i, codeInputProblem(item)] as const).filter(([, p]) => p !== null);
          const shown = bad.slice(0, 5).map(([i, p]) => `[${i}] ${p}`);
          return `${args?.property} items must be a string or an array of two strings (${shown.join('; ')}${bad.length > 5 ? `; and ${bad.length - 5} more` : ''})`;
        },
      },
    });
}

function codeInputProblem(item: unknown): string | null {
  if (typeof item === 'string') return item.length > MAX_INPUT_LENGTH ? `longer than ${MAX_INPUT_LENGTH} characters` : null;
  if (Array.isArray(item)) {
    if (item.length !== 2 || !item.every((f) => typeof f === 'string')) return 'an array must hold exactly two strings';
    return (item as string[]).join('').length > MAX_INPUT_LENGTH ? `longer than ${MAX_INPUT_LENGTH} characters` : null;
  }
  return `got ${item === null ? 'null' : typeof item}`;
}

// ---- public decoding ----

export class DecodeRequestDto {
  @ApiProperty({
    description:
      `1 to ${MAX_DECODE_BATCH} codes. Each is a string (spaces, hyphens and lower case are accepted) or the two printed ` +
      'fragments of a label as a two-element array (design part first, production part second).',
    example: ['001CB240000003B3C0221953', ['04qcb7683630', '0jbc40000903'], '001CB240000003B3U0221953'],
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 }] },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DECODE_BATCH)
  @IsCodeInputs()
  codes: (string | [string, string])[];
}

export class BarcodeQuery {
  @ApiPropertyOptional({ enum: SYMBOLOGIES, default: 'code128', description: 'Code 128, QR code or Data Matrix (GB/T 34014 clause 5)' })
  @IsOptional()
  @IsIn(SYMBOLOGIES)
  symbology: Symbology = 'code128';

  @ApiPropertyOptional({ enum: BARCODE_FORMATS, default: 'svg' })
  @IsOptional()
  @IsIn(BARCODE_FORMATS)
  format: BarcodeFormat = 'svg';

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 3, description: 'Pixels (PNG) or units (SVG) per module' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  scale: number = 3;
}

// ---- manufacturer codes ----

export class CreateManufacturerCodeDto {
  @ApiProperty({ example: '001', description: '厂商代码: three characters [0-9A-Z]' })
  @Transform(upper)
  @IsString()
  @Matches(/^[0-9A-Z]{3}$/, { message: 'code must be three characters 0-9 or A-Z' })
  code: string;

  @ApiProperty({ description: 'The enterprise the code is allocated to (a battery maker or a cascade utiliser)' })
  @IsUUID('4')
  enterpriseId: string;

  @ApiProperty({ example: '2018-03-01', description: 'Date of the 厂商代码证 (not in the future)' })
  @IsIsoDate()
  certificateDate: string;

  @ApiPropertyOptional({ example: 'BMC2018-0001', description: 'Certificate number, if known' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  certificateNumber?: string;
}

export class ManufacturerCodeListQuery extends PageQuery {
  @ApiPropertyOptional({ description: "Only this enterprise's codes (an enterprise key sees only its own anyway)" })
  @IsOptional()
  @IsUUID('4')
  enterpriseId?: string;
}

export class ManufacturerCodeView {
  @ApiProperty({ example: '001' }) code: string;
  @ApiProperty() enterpriseId: string;
  @ApiProperty({ example: '宁德时代新能源科技股份有限公司' }) enterpriseName: string;
  @ApiProperty({ example: '2018-03-01' }) certificateDate: string;
  @ApiProperty({ nullable: true, type: String }) certificateNumber: string | null;
  @ApiProperty() createdAt: string;
}

export class ManufacturerCodePage {
  @ApiProperty({ type: [ManufacturerCodeView] }) items: ManufacturerCodeView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

// ---- coding-rule filings ----

export class DimensionsDto {
  @ApiPropertyOptional({ example: 174 }) @IsOptional() @IsNumber() @MaxDecimalPlaces(3) @IsPositive() lengthMm?: number;
  @ApiPropertyOptional({ example: 72 }) @IsOptional() @IsNumber() @MaxDecimalPlaces(3) @IsPositive() widthMm?: number;
  @ApiPropertyOptional({ example: 207 }) @IsOptional() @IsNumber() @MaxDecimalPlaces(3) @IsPositive() heightMm?: number;
  @ApiPropertyOptional({ description: 'Cylindrical cells' }) @IsOptional() @IsNumber() @MaxDecimalPlaces(3) @IsPositive() diameterMm?: number;
}

export class KeyMaterialsDto {
  @ApiPropertyOptional({ example: 'LiFePO4' }) @IsOptional() @IsString() @MaxLength(200) cathode?: string;
  @ApiPropertyOptional({ example: 'graphite' }) @IsOptional() @IsString() @MaxLength(200) anode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) separator?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) electrolyte?: string;
}

const isCascade = (o: { form?: RuleForm }) => o.form === 'cascade';
const isOriginal = (o: { form?: RuleForm }) => o.form !== 'cascade';

/**
 * One coding-rule filing. `form: 'original'` (default) files a specification code of new products:
 * rated capacity, nominal voltage and the traceability-code scheme are required. `form: 'cascade'`
 * files a specification code of cascade products (梯次利用): the series/parallel configuration and
 * the re-rated capacity are required and there is no traceability scheme (cascade codes have none).
 */
export class CreateCodingRuleDto {
  @ApiProperty({ example: '001', description: 'A manufacturer code held by this enterprise' })
  @Transform(upper)
  @IsString()
  @Matches(/^[0-9A-Z]{3}$/, { message: 'manufacturerCode must be three characters 0-9 or A-Z' })
  manufacturerCode: string;

  @ApiProperty({ example: '24', description: '规格代码 (positions 6–7)' })
  @Transform(upper)
  @IsString()
  @Matches(/^[0-9A-Z]{2}$/, { message: 'specificationCode must be two characters 0-9 or A-Z' })
  specificationCode: string;

  @ApiProperty({ example: '2021-01-01', description: 'The rule applies to products made on or after this date' })
  @IsIsoDate()
  validFrom: string;

  @ApiPropertyOptional({ enum: RULE_FORMS, default: 'original' })
  @IsOptional()
  @IsIn(RULE_FORMS)
  form: RuleForm = 'original';

  @ApiPropertyOptional({ enum: PRODUCT_TYPE_SYMBOLS, description: 'P / M / C, when the specification code is for one product level' })
  @IsOptional()
  @Transform(upper)
  @IsIn(PRODUCT_TYPE_SYMBOLS)
  productType?: string;

  @ApiProperty({ enum: BATTERY_TYPE_LETTERS, example: 'B', description: 'Battery-type letter (position 5) used with this specification code' })
  @Transform(upper)
  @IsIn(BATTERY_TYPE_LETTERS)
  batteryType: string;

  @ApiPropertyOptional({ enum: CELL_SHAPES }) @IsOptional() @IsIn(CELL_SHAPES) shape?: CellShape;

  @ApiPropertyOptional({ type: DimensionsDto }) @IsOptional() @ValidateNested() @Type(() => DimensionsDto) dimensions?: DimensionsDto;

  @ApiPropertyOptional({ example: 280, description: 'Rated capacity in Ah (required for original products)' })
  @ValidateIf((o: CreateCodingRuleDto) => isOriginal(o) || o.ratedCapacityAh !== undefined)
  @RequiredWhen(isOriginal, 'original products')
  @IsNumber()
  @MaxDecimalPlaces(4)
  @IsPositive()
  ratedCapacityAh?: number;

  @ApiPropertyOptional({ example: 3.2, description: 'Nominal voltage in V (required for original products)' })
  @ValidateIf((o: CreateCodingRuleDto) => isOriginal(o) || o.nominalVoltageV !== undefined)
  @RequiredWhen(isOriginal, 'original products')
  @IsNumber()
  @MaxDecimalPlaces(4)
  @IsPositive()
  nominalVoltageV?: number;

  @ApiPropertyOptional({ example: 0.896, description: 'Rated energy in kWh' })
  @IsOptional()
  @IsNumber()
  @MaxDecimalPlaces(4)
  @IsPositive()
  ratedEnergyKwh?: number;

  @ApiPropertyOptional({ example: 16, description: 'Cascade products: cells in series (required for cascade)' })
  @ValidateIf((o: CreateCodingRuleDto) => isCascade(o) || o.seriesCount !== undefined)
  @RequiredWhen(isCascade, 'cascade products')
  @IsInt()
  @Min(1)
  @Max(10_000)
  seriesCount?: number;

  @ApiPropertyOptional({ example: 1, description: 'Cascade products: cells in parallel (required for cascade)' })
  @ValidateIf((o: CreateCodingRuleDto) => isCascade(o) || o.parallelCount !== undefined)
  @RequiredWhen(isCascade, 'cascade products')
  @IsInt()
  @Min(1)
  @Max(10_000)
  parallelCount?: number;

  @ApiPropertyOptional({ example: 224, description: 'Cascade products: the newly rated capacity in Ah (required for cascade)' })
  @ValidateIf((o: CreateCodingRuleDto) => isCascade(o) || o.reratedCapacityAh !== undefined)
  @RequiredWhen(isCascade, 'cascade products')
  @IsNumber()
  @MaxDecimalPlaces(4)
  @IsPositive()
  reratedCapacityAh?: number;

  @ApiPropertyOptional({ type: KeyMaterialsDto, description: 'Cells: the four key materials (四大关键材料)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => KeyMaterialsDto)
  keyMaterials?: KeyMaterialsDto;

  @ApiPropertyOptional({
    example: '8: plant (0-9); 9-13: line and shift; 14: J = Jingmen',
    description: 'How the traceability code (positions 8–14) is composed (required for original products; cascade codes have none)',
  })
  @ValidateIf((o: CreateCodingRuleDto) => isOriginal(o) || o.traceabilityScheme !== undefined)
  @RequiredWhen(isOriginal, 'original products')
  @Transform(trim)
  @IsString()
  @Length(1, 4000)
  traceabilityScheme?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) notes?: string;
}

export class CodingRuleListQuery extends PageQuery {
  @ApiPropertyOptional({ example: '24' })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[0-9A-Z]{2}$/, { message: 'specificationCode must be two characters 0-9 or A-Z' })
  specificationCode?: string;

  @ApiPropertyOptional({ example: '001' })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[0-9A-Z]{3}$/, { message: 'manufacturerCode must be three characters 0-9 or A-Z' })
  manufacturerCode?: string;

  @ApiPropertyOptional({ example: '2021-03-12', description: 'Only the rules in force on this date (one per manufacturer and specification code)' })
  @IsOptional()
  @IsIsoDate()
  on?: string;
}

export class CodingRuleView {
  @ApiProperty() id: string;
  @ApiProperty() enterpriseId: string;
  @ApiProperty({ example: '001' }) manufacturerCode: string;
  @ApiProperty({ example: '24' }) specificationCode: string;
  @ApiProperty({ example: 1, description: '1, 2, 3 … per manufacturer and specification code, in filing order' }) version: number;
  @ApiProperty({ example: '2021-01-01' }) validFrom: string;
  @ApiProperty({ enum: RULE_FORMS }) form: RuleForm;
  @ApiProperty({ nullable: true, type: String }) productType: string | null;
  @ApiProperty() batteryType: string;
  @ApiProperty({ nullable: true, enum: CELL_SHAPES }) shape: CellShape | null;
  @ApiProperty({ type: DimensionsDto }) dimensions: { lengthMm: number | null; widthMm: number | null; heightMm: number | null; diameterMm: number | null };
  @ApiProperty({ nullable: true, type: Number }) ratedCapacityAh: number | null;
  @ApiProperty({ nullable: true, type: Number }) nominalVoltageV: number | null;
  @ApiProperty({ nullable: true, type: Number }) ratedEnergyKwh: number | null;
  @ApiProperty({ nullable: true, type: Number }) seriesCount: number | null;
  @ApiProperty({ nullable: true, type: Number }) parallelCount: number | null;
  @ApiProperty({ nullable: true, type: Number }) reratedCapacityAh: number | null;
  @ApiProperty({ nullable: true, type: KeyMaterialsDto }) keyMaterials: KeyMaterialsDto | null;
  @ApiProperty({ nullable: true, type: String }) traceabilityScheme: string | null;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty() filedAt: string;
}

export class CodingRulePage {
  @ApiProperty({ type: [CodingRuleView] }) items: CodingRuleView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

// ---- decoded codes (responses) ----

export class ProductTypeDoc {
  @ApiProperty({ example: 'C' }) symbol: string;
  @ApiProperty({ enum: ['pack', 'module', 'cell'] }) name: string;
  @ApiProperty({ example: '单体' }) nameZh: string;
  @ApiProperty({ enum: ['confirmed', 'unconfirmed'] }) confidence: string;
}

export class BatteryTypeDoc {
  @ApiProperty({ example: 'B' }) letter: string;
  @ApiProperty({ example: 'lithium iron phosphate (LFP)' }) meaning: string;
  @ApiProperty({ example: '磷酸铁锂' }) meaningZh: string;
  @ApiProperty({ enum: ['confirmed', 'unconfirmed'], description: 'Whether the meaning of the letter is confirmed' }) confidence: string;
}

export class DecodedCodeView {
  @ApiProperty({ example: '001CB240000003B3C0221953', description: 'The normalised code' }) code: string;
  @ApiProperty({ enum: ['original', 'cascade'] }) form: string;
  @ApiProperty({ example: '001' }) manufacturerCode: string;
  @ApiProperty({ type: ProductTypeDoc }) productType: ProductTypeDoc;
  @ApiProperty({ type: BatteryTypeDoc }) batteryType: BatteryTypeDoc;
  @ApiProperty({ example: '24' }) specificationCode: string;
  @ApiProperty({ example: '0000003', nullable: true, type: String, description: 'null in a cascade code' }) traceabilityCode: string | null;
  @ApiProperty({ example: '2021-03-12' }) productionDate: string;
  @ApiProperty({ example: '0221953' }) serial: string;
  @ApiProperty({ nullable: true, type: String, description: 'Cascade codes: the final character, raw (meaning unconfirmed)' }) cascadeLevel: string | null;
  @ApiProperty({ example: 'gbt34014-2017/2026-11' }) tablesVersion: string;
}

export class CodeErrorDoc {
  @ApiProperty({ example: 'codes[2]' }) path: string;
  @ApiProperty({ example: "position 17 (day): 'U' is not a day symbol" }) reason: string;
  @ApiProperty({ enum: ['INVALID_LENGTH', 'INVALID_CHARACTER', 'IMPOSSIBLE_DATE', 'FUTURE_DATE', 'INVALID_VALUE'] }) code: string;
  @ApiProperty({ example: 'day' }) segment: string;
  @ApiProperty({ example: 17, description: '1-based position in the normalised code' }) position: number;
  @ApiProperty({ type: [Number], example: [17] }) positions: number[];
  @ApiProperty({ example: 'U' }) found: string;
  @ApiProperty({ example: '1-9, A-H, J-N, P, R-T, V-Y, 0' }) allowed: string;
}

export class DecodeResultView {
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'The item as given' })
  input: string | string[];
  @ApiProperty() ok: boolean;
  @ApiPropertyOptional({ type: DecodedCodeView }) code?: DecodedCodeView;
  @ApiPropertyOptional({ description: 'Invalid items: the normalised input, to which error positions refer' }) normalised?: string;
  @ApiPropertyOptional({ type: [CodeErrorDoc] }) errors?: CodeErrorDoc[];
}

export class DecodeBatchView {
  @ApiProperty() count: number;
  @ApiProperty() valid: number;
  @ApiProperty() invalid: number;
  @ApiProperty({ type: [DecodeResultView], description: 'One result per item, in request order' }) results: DecodeResultView[];
}

// ---- public encoding ----

/**
 * The fields of a code. Each part is checked by the codec, as a decoded code is, so a wrong part is answered with the
 * same position-level error (`INVALID_BATTERY_CODE`, one detail per position, `path` naming the field).
 */
export class EncodeRequestDto {
  @ApiPropertyOptional({
    enum: ['original', 'cascade'],
    default: 'original',
    description: 'original: 24 characters; cascade: 19 (a cascade-utilisation product)',
  })
  @IsOptional()
  @IsIn(['original', 'cascade'])
  form?: 'original' | 'cascade';

  @ApiProperty({ example: '001', description: "Positions 1-3, 厂商代码 (in a cascade code: the cascade-use firm's code)" })
  @Allow()
  manufacturerCode: string;

  @ApiProperty({ example: 'C', description: `Position 4, product type: ${PRODUCT_TYPE_SYMBOLS.join(', ')}` })
  @Allow()
  productType: string;

  @ApiProperty({ example: 'B', description: `Position 5, battery type: ${BATTERY_TYPE_LETTERS.join(', ')}` })
  @Allow()
  batteryType: string;

  @ApiProperty({ example: '24', description: 'Positions 6-7, 规格代码' })
  @Allow()
  specificationCode: string;

  @ApiPropertyOptional({ example: '0000003', description: 'Positions 8-14, 追溯信息代码: original codes only (a cascade code has none)' })
  @Allow()
  traceabilityCode?: string;

  @ApiProperty({ example: '2021-03-12', description: 'Production date YYYY-MM-DD (not after today)' })
  @Allow()
  productionDate: string;

  @ApiProperty({
    oneOf: [
      { type: 'string', example: '0221953' },
      { type: 'integer', example: 221953 },
    ],
    description: 'Seven digits, or a number 0-9999999',
  })
  @Allow()
  serial: string | number;

  @ApiPropertyOptional({ example: 'M', description: 'Cascade codes only: the final character (P, M or C; meaning unconfirmed)' })
  @Allow()
  cascadeLevel?: string;
}
