import type { Action } from '#libs/access';
import { Body, Controller, Get, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, ApiErrors, CurrentActor, OnlyFor } from '#libs/common';
import { CascadeProductsService } from './cascade-products.service';
import { CascadeProductPage, CascadeProductQuery, CascadeProductView, CreateCascadeProductDto, LabelDocumentView, LabelQuery } from './dto';
import { CascadeErrors } from './errors';
import { renderLabelPdf, renderLabelSvg } from './label-render';

const CODE_PARAM = { name: 'code', description: 'The cascade code (19 characters)', example: 'C01MB0126201000001RM' };

@ApiTags('cascade products')
@ApiErrors(401, 403)
@Controller('v1/cascade-products')
export class CascadeProductsController {
  constructor(private readonly products: CascadeProductsService) {}

  @Post()
  @OnlyFor('cascade_product.assemble' satisfies Action)
  @ApiOperation({
    summary: 'Assemble a cascade (second-life) product from tested original batteries (enterprise keys)',
    description:
      'Rules (梯次利用管理办法), each refusal a 422 CASCADE_RULE_BROKEN whose details name the rule and article: every source has a residual test ' +
      'by this firm whose grade allows the application field (art. 10); the firm holds a manufacturer code and the cascade code carries it (art. 12); ' +
      'sources are original batteries whose codes the product retains and links (art. 15), each used once. The code is minted under the firm’s ' +
      'manufacturer code (19-character form) unless `cascadeCode` is supplied. The `cascade_assembled` event (sources leave circulation) is ' +
      'recorded through the ledger in the same transaction; a refusal there is 422 CASCADE_ASSEMBLY_REJECTED. The same clientProductId answers 200 with the product.',
  })
  @ApiCreatedResponse({ type: CascadeProductView })
  @ApiErrors(409, 422)
  async create(@Body() dto: CreateCascadeProductDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response): Promise<CascadeProductView> {
    const { product, created } = await this.products.create(dto, actor);
    res.status(created ? 201 : 200);
    return product;
  }

  @Get()
  @ApiOperation({ summary: 'List cascade products by code (an enterprise: its own; regulators within their region; admins: all)' })
  @ApiOkResponse({ type: CascadeProductPage })
  @ApiErrors(422)
  list(@Query() query: CascadeProductQuery, @CurrentActor() actor: Actor) {
    return this.products.list(query, actor.principal);
  }

  @Get(':code')
  @ApiOperation({ summary: 'One cascade product: sources with their tests, label data, status from the ledger (visibility as the battery’s)' })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: CascadeProductView })
  @ApiErrors(404, 422)
  get(@Param('code') code: string, @CurrentActor() actor: Actor) {
    return this.products.get(code, actor.principal);
  }

  @Get(':code/label')
  @ApiOperation({
    summary: 'The art. 15 label: JSON with every required field and what is missing, or ?format=svg|pdf to print',
    description: 'The printed label carries the GB/T 34014 code as Data Matrix and the GTIN as EAN-13 (13 digits) or GS1-128; Chinese captions.',
  })
  @ApiParam(CODE_PARAM)
  @ApiProduces('application/json', 'image/svg+xml', 'application/pdf')
  @ApiOkResponse({ type: LabelDocumentView })
  @ApiErrors(404, 422)
  async label(@Param('code') code: string, @Query() query: LabelQuery, @CurrentActor() actor: Actor): Promise<LabelDocumentView | StreamableFile> {
    const label = (await this.products.get(code, actor.principal)).label;
    const format = query.format ?? 'json';
    if (format === 'json') return label;
    try {
      const body = format === 'svg' ? renderLabelSvg(label) : await renderLabelPdf(label);
      return new StreamableFile(body, {
        type: format === 'svg' ? 'image/svg+xml; charset=utf-8' : 'application/pdf',
        disposition: `inline; filename="label-${label.code}.${format}"`,
        length: body.length,
      });
    } catch (error) {
      throw CascadeErrors.renderFailed(error instanceof Error ? error.message : String(error));
    }
  }
}
