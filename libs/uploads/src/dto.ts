import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ErrorDetailDoc, PageQuery } from '#libs/common';
import { TEMPLATE_LANGUAGES, TemplateLanguage } from './columns.zh';
import { ROW_STATUSES, RowStatus, UPLOAD_STATUSES, UploadStatus } from './upload.entity';

export class UploadQuery {
  @ApiPropertyOptional({ example: 'batteries-2026-04.csv', description: 'File name to record for a raw (non-multipart) body' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  filename?: string;

  @ApiPropertyOptional({
    example: 'events',
    default: 'events',
    description: "What the rows are: 'events' (lifecycle events) or another registered kind (GET /v1/uploads/templates lists them)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  kind?: string;
}

export class UploadDetailQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ROW_STATUSES, description: 'Only row results with this status' })
  @IsOptional()
  @IsIn(ROW_STATUSES)
  status?: RowStatus;
}

export class UploadListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: UPLOAD_STATUSES.filter((s) => s !== 'receiving') })
  @IsOptional()
  @IsIn(UPLOAD_STATUSES.filter((s) => s !== 'receiving'))
  status?: UploadStatus;
}

export const TEMPLATE_FORMATS = ['csv', 'xlsx'] as const;

export class TemplateQuery {
  @ApiPropertyOptional({ enum: TEMPLATE_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(TEMPLATE_FORMATS)
  format: 'csv' | 'xlsx' = 'csv';

  @ApiPropertyOptional({
    enum: TEMPLATE_LANGUAGES,
    default: 'en',
    description: 'zh-CN: Chinese column headers (类型, 电池编码, 发生时间, …) and, in XLSX, a Chinese documentation sheet',
  })
  @IsOptional()
  @IsIn(TEMPLATE_LANGUAGES)
  lang: TemplateLanguage = 'en';
}

// ---- responses ----

export class UploadFileDoc {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The CSV or XLSX file' }) file: unknown;
}

export class UploadLinksView {
  @ApiProperty({ example: '/v1/uploads/6f1c0a6e-7d0b-4c3e-9a55-0f3c2d1e4b5a' }) self: string;
  @ApiProperty({ example: '/v1/uploads/6f1c0a6e-7d0b-4c3e-9a55-0f3c2d1e4b5a/results.csv' }) results: string;
}

export class UploadProgressView {
  @ApiProperty({ description: 'Data rows whose results are stored' }) rowsProcessed: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Data rows in the file (known once the file has been scanned)' }) rowsTotal: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 42.5, description: 'rowsProcessed / rowsTotal in percent' }) percent: number | null;
}

export class UploadCountsView {
  @ApiProperty() accepted: number;
  @ApiProperty({ description: 'Rows whose event was already recorded (same client event id or same content)' }) duplicate: number;
  @ApiProperty() rejected: number;
  @ApiProperty({ description: "Rows recorded with at least one warning (see each row's `warnings`)" }) warned: number;
}

export class UploadErrorView {
  @ApiProperty({ example: 'UNKNOWN_COLUMNS' }) code: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: [ErrorDetailDoc] }) details: ErrorDetailDoc[];
}

export class UploadView {
  @ApiProperty() id: string;
  @ApiProperty() enterpriseId: string;
  @ApiProperty({ nullable: true, type: String }) filename: string | null;
  @ApiProperty({ enum: ['csv', 'xlsx'], description: 'Detected from the file content' }) format: string;
  @ApiProperty({ example: 'events', description: "What the rows are: 'events' or another registered kind" }) kind: string;
  @ApiProperty({
    enum: ['utf-8', 'gb18030'],
    nullable: true,
    type: String,
    description: 'CSV only: the text encoding the file was read in, detected from its bytes when processed (GB18030 covers GBK)',
  })
  textEncoding: 'utf-8' | 'gb18030' | null;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'SHA-256 of the file (hex); the same file from the same enterprise is the same upload' }) sha256: string;
  @ApiProperty({ enum: UPLOAD_STATUSES.filter((s) => s !== 'receiving') }) status: UploadStatus;
  @ApiProperty({ type: UploadProgressView }) progress: UploadProgressView;
  @ApiProperty({ type: UploadCountsView }) counts: UploadCountsView;
  @ApiProperty({ type: UploadErrorView, nullable: true, description: 'Why the file could not be processed (status failed)' }) error: UploadErrorView | null;
  @ApiProperty({ description: 'Processing attempts so far' }) attempts: number;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ type: UploadLinksView }) links: UploadLinksView;
}

export class UploadAcceptedView extends UploadView {
  @ApiProperty({ description: 'True when this file had already been uploaded by the enterprise: the existing upload is returned' }) existing: boolean;
}

export class RowResultView {
  @ApiProperty({ description: 'Row number as the spreadsheet shows it (the header is row 1 in a file that starts with it)' }) row: number;
  @ApiProperty({ enum: ROW_STATUSES }) status: RowStatus;
  @ApiProperty({ nullable: true, type: String, description: 'The recorded event (for a duplicate: the original event)' }) eventId: string | null;
  @ApiProperty({ nullable: true, type: String }) clientEventId: string | null;
  @ApiProperty({ type: [String], description: 'The battery codes the row named (its batteryCodes cell, as read)' }) batteryCodes: string[];
  @ApiProperty({ type: [ErrorDetailDoc], description: 'Why the row was rejected; `path` names the column' }) reasons: ErrorDetailDoc[];
  @ApiProperty({ type: [ErrorDetailDoc], description: 'What a recorded row was warned about, as POST /v1/events warns (e.g. SPECIFICATION_CODE_UNFILED)' })
  warnings: ErrorDetailDoc[];
}

export class RowResultPage {
  @ApiProperty({ type: [RowResultView] }) items: RowResultView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class UploadDetailView extends UploadView {
  @ApiProperty({ type: RowResultPage, description: 'Per-row results, by row number; page on with ?cursor=' }) results: RowResultPage;
}

export class UploadPage {
  @ApiProperty({ type: [UploadView] }) items: UploadView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class TemplateColumnView {
  @ApiProperty({ example: 'occurredAt' }) name: string;
  @ApiProperty({ example: 'datetime', description: "The ledger's field kind" }) kind: string;
  @ApiProperty({ enum: ['text', 'number', 'integer', 'boolean', 'date', 'datetime', 'list', 'json'], description: 'How cells are read' }) cell: string;
  @ApiProperty({ description: 'Required in every event (otherwise see `requiredFor`)' }) required: boolean;
  @ApiProperty({ type: [String], description: 'Event types whose rows may fill this column (empty: every type)' }) types: string[];
  @ApiProperty({ type: [String], description: 'Event types for which the field is required (empty when `required` is true)' }) requiredFor: string[];
  @ApiProperty() description: string;
  @ApiPropertyOptional({ type: [String] }) enum?: string[];
}

export class TemplateTypeView {
  @ApiProperty({ example: 'delivered' }) type: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String], description: 'The columns of its template, in order' }) columns: string[];
}

export class UploadKindColumnView {
  @ApiProperty({ example: 'name' }) name: string;
  @ApiProperty({ example: 'string' }) kind: string;
  @ApiProperty({ enum: ['text', 'number', 'integer', 'boolean', 'date', 'datetime', 'list', 'json'], description: 'How cells are read' }) cell: string;
  @ApiProperty() required: boolean;
  @ApiProperty() description: string;
  @ApiPropertyOptional({ type: [String] }) enum?: readonly string[];
  @ApiPropertyOptional() example?: string;
}

export class UploadKindView {
  @ApiProperty({ example: 'outlets', description: 'POST /v1/uploads?kind=' }) kind: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: '/v1/uploads/templates/outlets' }) template: string;
  @ApiProperty({ type: [UploadKindColumnView] }) columns: UploadKindColumnView[];
}

export class TemplateCatalogueView {
  @ApiProperty({ type: [TemplateColumnView], description: "The columns of 'events' uploads" }) columns: TemplateColumnView[];
  @ApiProperty({ type: [TemplateTypeView] }) types: TemplateTypeView[];
  @ApiProperty({ type: [String], description: 'How cells are read, by cell kind' }) rules: string[];
  @ApiProperty({ type: [UploadKindView], description: "Other kinds of upload than 'events', each with its columns" }) kinds: UploadKindView[];
}
