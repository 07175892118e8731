import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, DocumentBuilder, getSchemaPath, SwaggerModule } from '@nestjs/swagger';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDoc {
  @ApiPropertyOptional({ example: 'events[3].occurredAt' }) path?: string;
  @ApiProperty({ example: 'must be an ISO 8601 date' }) reason: string;
}

export class ErrorBodyDoc {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code' }) code: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: [ErrorDetailDoc] }) details: ErrorDetailDoc[];
  @ApiProperty({ nullable: true, description: 'Also sent as the X-Request-Id header' }) requestId: string | null;
}

export class ErrorEnvelopeDoc {
  @ApiProperty({ type: ErrorBodyDoc }) error: ErrorBodyDoc;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (e.g. invalid JSON)',
  401: 'Missing, unknown or revoked API key',
  403: 'The API key may not do this',
  404: 'Not found',
  409: 'Conflicts with existing data',
  413: 'Request body too large',
  415: 'Content type (or uploaded file type) not accepted',
  422: 'Validation failed: `details` lists each field path and reason',
  429: 'Rate limit exceeded',
};

/**
 * The `:code` path parameter of every route about one battery. Each such route normalises the code as the codec does
 * (battery-code `normalise`), so the description is true of all of them.
 */
export const CODE_PARAM = {
  name: 'code',
  description:
    'A GB/T 34014 code: 24 characters (original) or 19 (cascade). Lower case, spaces and hyphens are accepted (URL-encoded); ' +
    'a line break (%0A) between the two printed fragments joins them.',
  example: '001CB240000003B3C0221953',
};

/** Documents the error responses of an endpoint, all in the common envelope. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDoc),
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', schema: { $ref: getSchemaPath(ErrorEnvelopeDoc) } })),
  );
}

/** OpenAPI 3 at /docs (Swagger UI) and /docs-json, generated from the code. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Echelon API')
    .setDescription(
      'Traction-battery traceability (GB/T 34014 codes, lifecycle ledger) and cascade utilisation. ' +
        'Authenticate with `Authorization: Bearer <api key>`. Every error uses the envelope ' +
        '`{ "error": { "code", "message", "details", "requestId" } }`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDoc] });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
