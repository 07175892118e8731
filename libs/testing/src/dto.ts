import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsBatteryCode, NormaliseBatteryCode } from '#libs/codes';
import { ErrorDetailDoc, IsIsoDate, PageQuery } from '#libs/common';
import { GRADES } from './domain/grading';
import { TEST_STANDARDS } from './domain/validate-test';

/** Standards a test may follow: GB/T 34015-2017, which is to become Part 1 of the series (the 2025 revision, selectable). */
export { TEST_STANDARDS };
export const DEFAULT_TEST_STANDARD = 'GB/T 34015-2017';
export const MAX_TESTS_PER_BATCH = 500;

export class DischargeCycleDto {
  @ApiProperty({ example: 101.2, description: 'Discharged capacity at 1 I5 down to the cut-off voltage, Ah' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000)
  capacityAh: number;

  @ApiProperty({ example: 35_400, description: 'Discharged energy, Wh' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000_000)
  energyWh: number;
}

/**
 * One residual-capacity test record (GB/T 34015): what the cycler measured on one cell, module or pack. It documents
 * the body; items are checked by domain/validate-test.ts (the same rules, without class-validator's cost per item).
 */
export class ResidualTestDto {
  @ApiProperty({ example: '001MB240000003B3C0221953', description: 'The original battery tested (24 characters); the firm must hold it' })
  @NormaliseBatteryCode()
  @IsBatteryCode({ form: 'original' })
  batteryCode: string;

  @ApiPropertyOptional({ example: 'LAB-2026-0001', maxLength: 100, description: 'Your id for this test: sending it again answers with the same record' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  clientTestId?: string;

  @ApiPropertyOptional({ example: '国家动力电池质检中心', maxLength: 300, description: 'The laboratory that tested, when not the firm itself' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  testingLab?: string;

  @ApiPropertyOptional({ enum: TEST_STANDARDS, default: DEFAULT_TEST_STANDARD })
  @IsOptional()
  @IsIn(TEST_STANDARDS)
  standard?: string;

  @ApiProperty({ example: '2026-03-02T10:00:00+08:00', description: 'When the test ended (business time of the residual_tested event)' })
  @IsISO8601({ strict: true, strictSeparator: true })
  testedAt: string;

  @ApiProperty({ example: 25, description: 'Ambient temperature, °C' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-60)
  @Max(100)
  ambientTemperatureC: number;

  @ApiProperty({ example: 30, description: 'Discharge current (1 I5), A' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(100_000)
  dischargeCurrentA: number;

  @ApiProperty({ example: 4.2, description: 'Charge (upper limit) voltage, V' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(10_000)
  chargeVoltageV: number;

  @ApiProperty({ example: 2.75, description: 'Discharge cut-off voltage, V' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(10_000)
  cutoffVoltageV: number;

  @ApiProperty({ type: [DischargeCycleDto], description: '1 to 10 discharge cycles (GB/T 34015 is commonly run 3 times)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => DischargeCycleDto)
  cycles: DischargeCycleDto[];

  @ApiPropertyOptional({ example: 1.8, description: 'DC internal resistance, mΩ' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000)
  dcResistanceMOhm?: number;

  @ApiPropertyOptional({ example: 1.2, description: 'Beginning-of-life DC resistance (maker data sheet), mΩ: gives the resistance increase' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000)
  initialResistanceMOhm?: number;

  @ApiPropertyOptional({ example: 3.62, description: 'Open-circuit voltage before the test, V' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10_000)
  openCircuitVoltageV?: number;

  @ApiProperty({ enum: ['pass', 'fail'], description: 'Appearance check: deformation, leakage, swelling' })
  @IsIn(['pass', 'fail'])
  appearanceCheck: 'pass' | 'fail';

  @ApiPropertyOptional({ enum: ['pass', 'fail'], description: 'Insulation check, where made' })
  @IsOptional()
  @IsIn(['pass', 'fail'])
  insulationCheck?: 'pass' | 'fail';
}

export class RecordResidualTestsDoc {
  @ApiProperty({
    type: [ResidualTestDto],
    description: `1 to ${MAX_TESTS_PER_BATCH} tests; each is recorded or rejected on its own. Or send one test object alone.`,
  })
  tests: ResidualTestDto[];
}

export class ResidualTestQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Battery code' })
  @IsOptional()
  @NormaliseBatteryCode()
  @IsBatteryCode({ form: 'original' })
  battery?: string;

  @ApiPropertyOptional({ enum: GRADES })
  @IsOptional()
  @IsIn(GRADES)
  grade?: string;

  @ApiPropertyOptional({ example: '2026-03-01', description: 'Tested on or after this date (Beijing time)' })
  @IsOptional()
  @IsIsoDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'Tested on or before this date (Beijing time)' })
  @IsOptional()
  @IsIsoDate()
  to?: string;
}

// ---- grading rule sets ----

export class ApplicationThresholdDto {
  @ApiProperty({ example: 'energy_storage', description: 'Application field (储能 energy_storage, 通信基站备电 telecom_backup, 低速车 low_speed_vehicle, …)' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{1,49}$/, { message: 'field must be lower-case letters, digits and underscores' })
  field: string;

  @ApiProperty({ example: 60 }) @IsNumber() @Min(0) @Max(100) minSohPercent: number;

  @ApiPropertyOptional({ example: 100 }) @IsOptional() @IsNumber() @Min(0) @Max(10_000) maxResistanceIncreasePercent?: number;
}

export class GradingRulesDto {
  @ApiProperty({ example: 3, description: 'Cycle spread above this (%): retest, graded recycle' }) @IsNumber() @Min(0) @Max(100) maxCycleSpreadPercent: number;
  @ApiProperty({ example: 80 }) @IsNumber() @Min(0) @Max(100) vehicleReuseMinSohPercent: number;
  @ApiPropertyOptional({ example: 50 }) @IsOptional() @IsNumber() @Min(0) @Max(10_000) vehicleReuseMaxResistanceIncreasePercent?: number;

  @ApiProperty({ type: [ApplicationThresholdDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ApplicationThresholdDto)
  applications: ApplicationThresholdDto[];
}

export class CreateGradingRuleSetDto {
  @ApiProperty({ type: GradingRulesDto }) @ValidateNested() @Type(() => GradingRulesDto) rules: GradingRulesDto;
  @ApiProperty({ example: 'Raised energy_storage to 65 % after the 2026 field review', maxLength: 2000 }) @IsString() @MaxLength(2000) basis: string;
}

// ---- responses ----

export class DischargeCycleView {
  @ApiProperty() capacityAh: number;
  @ApiProperty() energyWh: number;
}

export class ResidualTestView {
  @ApiProperty() id: string;
  @ApiProperty() batteryCode: string;
  @ApiProperty({ enum: ['pack', 'module', 'cell'] }) productType: string;
  @ApiProperty() enterpriseId: string;
  @ApiProperty({ nullable: true, type: String }) clientTestId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'null: the firm itself' }) testingLab: string | null;
  @ApiProperty() standard: string;
  @ApiProperty() testedAt: string;
  @ApiProperty() ambientTemperatureC: number;
  @ApiProperty() dischargeCurrentA: number;
  @ApiProperty() chargeVoltageV: number;
  @ApiProperty() cutoffVoltageV: number;
  @ApiProperty({ type: [DischargeCycleView] }) cycles: DischargeCycleView[];
  @ApiProperty({ nullable: true, type: Number }) dcResistanceMOhm: number | null;
  @ApiProperty({ nullable: true, type: Number }) initialResistanceMOhm: number | null;
  @ApiProperty({ nullable: true, type: Number }) openCircuitVoltageV: number | null;
  @ApiProperty({ enum: ['pass', 'fail'] }) appearanceCheck: string;
  @ApiProperty({ nullable: true, enum: ['pass', 'fail'] }) insulationCheck: string | null;
  @ApiProperty() meanCapacityAh: number;
  @ApiProperty() meanEnergyWh: number;
  @ApiProperty({ description: '(max − min) ÷ mean of the cycle capacities, %' }) spreadPercent: number;
  @ApiProperty({ nullable: true, type: Number }) ratedCapacityAh: number | null;
  @ApiProperty({ nullable: true, enum: ['registration', 'coding_rule'], description: 'Where the rated capacity came from; null: unknown' }) ratedCapacityBasis:
    string | null;
  @ApiProperty({ nullable: true, type: Number }) ratedEnergyWh: number | null;
  @ApiProperty({ nullable: true, enum: ['registration', 'coding_rule', 'rated_capacity_x_nominal_voltage'] }) ratedEnergyBasis: string | null;
  @ApiProperty({ description: 'SOH_C %, or "unknown" when the rated capacity is unknown', oneOf: [{ type: 'number' }, { type: 'string', enum: ['unknown'] }] })
  sohCPercent: number | 'unknown';
  @ApiProperty({ description: 'SOH_E %, or "unknown"', oneOf: [{ type: 'number' }, { type: 'string', enum: ['unknown'] }] }) sohEPercent: number | 'unknown';
  @ApiProperty({ nullable: true, type: Number, description: '(R − R_BOL) ÷ R_BOL, %; null without a beginning-of-life value' }) resistanceIncreasePercent:
    number | null;
  @ApiProperty({ enum: GRADES }) grade: string;
  @ApiProperty({ type: [String], description: 'The application fields the grade allows' }) applications: string[];
  @ApiProperty({ description: 'The measurement should be repeated' }) retest: boolean;
  @ApiProperty({ type: [String] }) gradingReasons: string[];
  @ApiProperty({ description: 'The grading rule-set version that made the decision' }) ruleSetVersion: number;
  @ApiProperty({ description: 'The residual_tested ledger event' }) eventId: string;
  @ApiProperty() recordedAt: string;
}

export class ResidualTestPage {
  @ApiProperty({ type: [ResidualTestView] }) items: ResidualTestView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ResidualTestResultView {
  @ApiProperty() index: number;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'] }) status: string;
  @ApiPropertyOptional({ description: 'accepted: the new test; duplicate: the stored test it repeats' }) testId?: string;
  @ApiPropertyOptional({ description: "The test's residual_tested ledger event" }) eventId?: string;
  @ApiPropertyOptional({ description: 'As sent (or as stored, for a duplicate)' }) clientTestId?: string;
  @ApiPropertyOptional({ enum: GRADES }) grade?: string;
  @ApiPropertyOptional({ description: 'SOH_C %, or "unknown"', oneOf: [{ type: 'number' }, { type: 'string', enum: ['unknown'] }] }) sohCPercent?:
    number | 'unknown';
  @ApiPropertyOptional({ description: 'The measurement should be repeated' }) retest?: boolean;
  @ApiPropertyOptional({ type: [ErrorDetailDoc] }) reasons?: ErrorDetailDoc[];
  @ApiPropertyOptional({ type: [ErrorDetailDoc] }) warnings?: ErrorDetailDoc[];
}

export class ResidualTestFullResultView {
  @ApiProperty() index: number;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'] }) status: string;
  @ApiPropertyOptional({ type: ResidualTestView, description: 'accepted: the new record; duplicate: the stored record it repeats' }) test?: ResidualTestView;
  @ApiPropertyOptional({ type: [ErrorDetailDoc] }) reasons?: ErrorDetailDoc[];
  @ApiPropertyOptional({ type: [ErrorDetailDoc] }) warnings?: ErrorDetailDoc[];
}

const COUNTS_EXAMPLE = { total: 2, accepted: 1, duplicate: 0, rejected: 1 };
type Counts = { total: number; accepted: number; duplicate: number; rejected: number };

export class ResidualTestBatchView {
  @ApiProperty({ enum: ['ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED'] }) status: string;
  @ApiProperty({ example: COUNTS_EXAMPLE }) counts: Counts;
  @ApiProperty({ type: [ResidualTestResultView] }) results: ResidualTestResultView[];
}

export class ResidualTestFullBatchView {
  @ApiProperty({ enum: ['ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED'] }) status: string;
  @ApiProperty({ example: COUNTS_EXAMPLE }) counts: Counts;
  @ApiProperty({ type: [ResidualTestFullResultView] }) results: ResidualTestFullResultView[];
}

/** The query of POST /v1/residual-tests. */
export class RecordResidualTestsQuery {
  @ApiPropertyOptional({
    enum: ['summary', 'full'],
    default: 'summary',
    description: "A batch's answer: each test's ids, grade and SOH (`summary`), or its whole record (`full`). One test alone always gets its record.",
  })
  @IsOptional()
  @IsIn(['summary', 'full'])
  view?: 'summary' | 'full';
}

export class GradingRuleSetView {
  @ApiProperty() version: number;
  @ApiProperty() basis: string;
  @ApiProperty({ type: GradingRulesDto }) rules: GradingRulesDto;
  @ApiProperty({ nullable: true, type: String, description: 'null: the built-in version 1' }) createdAt: string | null;
  @ApiProperty({ description: 'Whether new tests are graded by it' }) current: boolean;
}
