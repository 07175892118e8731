import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import {
  TemplateCatalogueView,
  TemplateQuery,
  UploadAcceptedView,
  UploadDetailQuery,
  UploadDetailView,
  UploadFileDoc,
  UploadListQuery,
  UploadPage,
  UploadQuery,
} from './dto';
import { UPLOAD_MEDIA_TYPES } from './errors';
import { abandonRequestBody } from './intake';
import { CELL_RULES } from './templates';
import { UploadsService } from './uploads.service';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

const UPLOAD_DESCRIPTION = [
  'Uploads a CSV or XLSX file of lifecycle events, of any size up to the configured limit (`UPLOAD_LIMIT_BYTES`, default 1 GiB), ',
  'as `multipart/form-data` (part `file`) or as the raw body (`Content-Type: text/csv` or the XLSX type; `?filename=` names it). ',
  'The file is stored and processed in the background: the answer is `202` with the upload (`Location: /v1/uploads/{id}`); ',
  'poll it for progress, counts and per-row results. Each row becomes one event of POST /v1/events (partial mode, batches of 500), ',
  'reported by the uploading enterprise. Sending the same file again is safe: the existing upload is answered (`existing: true`), ',
  'and one that stopped for a passing reason resumes. Enterprise keys only.\n\n',
  '**File rules**\n\n',
  ...CELL_RULES.map((r) => `- ${r}\n`),
  '\nTemplates and the documentation of every column: `GET /v1/uploads/templates`, `GET /v1/uploads/templates/{type}?format=csv|xlsx`.',
].join('');

@ApiTags('uploads')
@ApiErrors(401, 403)
@Controller('v1/uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Upload a CSV/XLSX file of lifecycle events (processed in the background)',
    description: UPLOAD_DESCRIPTION,
    requestBody: {
      required: true,
      description: "multipart: the file in part `file`; otherwise the file's bytes are the body",
      content: {
        'multipart/form-data': { schema: { $ref: getSchemaPath(UploadFileDoc) } },
        [UPLOAD_MEDIA_TYPES.csv]: { schema: { type: 'string', format: 'binary' } },
        [UPLOAD_MEDIA_TYPES.xlsx]: { schema: { type: 'string', format: 'binary' } },
      },
    },
  })
  @ApiExtraModels(UploadFileDoc)
  @ApiAcceptedResponse({
    type: UploadAcceptedView,
    description: 'Stored and queued (or the same file was uploaded before: that upload)',
    headers: { Location: { description: 'The upload: /v1/uploads/{id}', schema: { type: 'string' } } },
  })
  @ApiErrors(413, 415, 422)
  async upload(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query() query: UploadQuery,
    @CurrentActor() actor: Actor,
  ): Promise<UploadAcceptedView> {
    try {
      const view = await this.uploads.receiveRequest(req, query.filename, actor, query.kind);
      res.setHeader('Location', view.links.self);
      return view;
    } catch (error) {
      abandonRequestBody(req, res);
      throw error;
    }
  }

  @Get()
  @ApiOperation({ summary: "Uploads visible to the caller, newest first: an enterprise's own; all for administrators; regulators within their region" })
  @ApiOkResponse({ type: UploadPage })
  @ApiErrors(422)
  list(@Query() query: UploadListQuery, @CurrentActor() actor: Actor): Promise<UploadPage> {
    return this.uploads.list(query, actor.principal);
  }

  @Get('templates')
  @ApiOperation({ summary: 'The columns of upload files: kinds, which event types use them, which are required, how cells are read' })
  @ApiOkResponse({ type: TemplateCatalogueView })
  templates(): TemplateCatalogueView {
    return this.uploads.templateCatalogue();
  }

  @Get('templates/:type')
  @ApiOperation({
    summary:
      "A template: 'events' (every column) or one event type's columns. CSV: the header row; XLSX: the header row plus sheets documenting the columns and types",
  })
  @ApiParam({ name: 'type', example: 'delivered' })
  @ApiProduces('text/csv', UPLOAD_MEDIA_TYPES.xlsx)
  @ApiOkResponse({ description: 'The template file', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(404, 422)
  async template(@Param('type') type: string, @Query() query: TemplateQuery): Promise<StreamableFile> {
    const t = await this.uploads.template(type, query.format, query.lang);
    return new StreamableFile(t.body, { type: t.contentType, disposition: `attachment; filename="${t.filename}"`, length: t.body.length });
  }

  @Get(':id')
  @ApiOperation({ summary: 'An upload: status, progress, counts and a page of per-row results (filter with ?status=rejected)' })
  @ApiOkResponse({ type: UploadDetailView })
  @ApiErrors(404, 422)
  get(@Param('id', uuid) id: string, @Query() query: UploadDetailQuery, @CurrentActor() actor: Actor): Promise<UploadDetailView> {
    return this.uploads.get(id, query, actor.principal);
  }

  @Get(':id/results.csv')
  @ApiOperation({ summary: 'Every per-row result as CSV: row, status, battery_codes, client_event_id, event_id, reasons, warnings' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV (UTF-8 with BOM)', schema: { type: 'string' } })
  @ApiErrors(404)
  async results(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const csv = await this.uploads.resultsCsv(id, actor.principal);
    return new StreamableFile(csv, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="upload-${id}-results.csv"` });
  }
}
