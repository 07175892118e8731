import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '#libs/common';
import { REPORT_FORMATS, REPORT_TYPES } from './params';

export class CreateReportDto {
  @ApiProperty({
    enum: REPORT_TYPES,
    description: 'timeliness (any scope), flow_audit (region or all), cascade_obligations (one cascade firm: enterprise:<id>)',
  })
  @IsIn(REPORT_TYPES)
  type: (typeof REPORT_TYPES)[number];

  @ApiPropertyOptional({ description: 'enterprise:<id>, region:<GB/T 2260 prefix> or all; default: the caller’s own enterprise', example: 'region:35' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  scope?: string;

  @ApiProperty({ description: 'Business dates covered: YYYY-MM, YYYY or YYYY-MM-DD/YYYY-MM-DD (Beijing time)', example: '2026-10' })
  @IsString()
  @MaxLength(30)
  period: string;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json', description: 'The default download format' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: (typeof REPORT_FORMATS)[number];

  @ApiPropertyOptional({ description: 'Compute a new generation even if the same report exists' })
  @IsOptional()
  @IsBoolean()
  regenerate?: boolean;
}

export class ReportListQuery extends PageQuery {}

export class DownloadQuery {
  @ApiPropertyOptional({ enum: REPORT_FORMATS })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: (typeof REPORT_FORMATS)[number];
}

export class ReportView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: REPORT_TYPES }) type: string;
  @ApiProperty() scope: string;
  @ApiProperty({ description: 'First and last business date covered' }) period: { from: string; to: string };
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) status: string;
  @ApiProperty({ description: 'Percent of the scope’s batteries processed' }) progress: number;
  @ApiProperty() generation: number;
  @ApiProperty({ description: 'Deadline tables and versions the report judges with' }) ruleSets: string;
  @ApiProperty({ description: 'The last ledger event included (uuidv7, time-ordered): the data watermark' }) watermark: string;
  @ApiProperty({ description: 'Working-day calendar years and sources used' }) calendar: string;
  @ApiProperty({ description: 'Missing uploads are judged as of this time' }) asOf: string;
  @ApiProperty() format: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'Counts per status, node and enterprise; delays' }) summary: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: Number }) rowCount: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class ReportPage {
  @ApiProperty({ type: [ReportView] }) items: ReportView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
