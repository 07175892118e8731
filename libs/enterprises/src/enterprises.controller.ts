import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiErrors, CurrentActor } from '#libs/common';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyView,
  CreateApiKeyDto,
  CreatedApiKeyView,
  CreateEnterpriseDto,
  CreateRegulatorDto,
  EnterpriseListQuery,
  EnterprisePage,
  EnterpriseView,
  MeView,
  RegulatorView,
  UpdateEnterpriseDto,
} from './dto';
import { EnterprisesService } from './enterprises.service';
import { RegulatorsService } from './regulators.service';

const uuid = new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 });

@ApiTags('enterprises')
@ApiErrors(401, 403)
@Controller('v1/enterprises')
export class EnterprisesController {
  constructor(private readonly enterprises: EnterprisesService) {}

  @Post()
  @ApiOperation({ summary: 'Register an enterprise (admin)' })
  @ApiCreatedResponse({ type: EnterpriseView })
  @ApiErrors(409, 422)
  create(@Body() dto: CreateEnterpriseDto, @CurrentActor() actor: Actor): Promise<EnterpriseView> {
    return this.enterprises.create(dto, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List enterprises visible to the caller (cursor-paginated)' })
  @ApiOkResponse({ type: EnterprisePage })
  @ApiErrors(422)
  list(@Query() query: EnterpriseListQuery, @CurrentActor() actor: Actor) {
    return this.enterprises.list(query, actor.principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One enterprise: administrators any, an enterprise its own, regulators within their region' })
  @ApiOkResponse({ type: EnterpriseView })
  @ApiErrors(404)
  get(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<EnterpriseView> {
    return this.enterprises.get(id, actor.principal);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update an enterprise (admin: any field but the USCC; the enterprise itself: address, region, contact, QMS certificate)' })
  @ApiOkResponse({ type: EnterpriseView })
  @ApiErrors(404, 422)
  update(@Param('id', uuid) id: string, @Body() dto: UpdateEnterpriseDto, @CurrentActor() actor: Actor): Promise<EnterpriseView> {
    return this.enterprises.update(id, dto, actor);
  }

  @Post(':id/api-keys')
  @ApiOperation({ summary: 'Create an API key for the enterprise; the key is shown once' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiErrors(404, 422)
  createApiKey(@Param('id', uuid) id: string, @Body() dto: CreateApiKeyDto, @CurrentActor() actor: Actor): Promise<CreatedApiKeyView> {
    return this.enterprises.createApiKey(id, dto.name, actor);
  }

  @Get(':id/api-keys')
  @ApiOperation({ summary: "List the enterprise's API keys (never the secrets)" })
  @ApiOkResponse({ type: [ApiKeyView] })
  @ApiErrors(404)
  listApiKeys(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<ApiKeyView[]> {
    return this.enterprises.listApiKeys(id, actor.principal);
  }
}

@ApiTags('access')
@ApiErrors(401, 403)
@Controller('v1')
export class AccessController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly regulators: RegulatorsService,
  ) {}

  @Delete('api-keys/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key (admin, or the owning enterprise)' })
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  @ApiErrors(404)
  async revoke(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.apiKeys.revoke(id, actor);
  }

  @Get('me')
  @ApiOperation({ summary: 'Who the presented API key belongs to' })
  @ApiOkResponse({ type: MeView })
  me(@CurrentActor() actor: Actor): Promise<MeView> {
    return this.regulators.me(actor.principal);
  }

  @Post('regulators')
  @ApiOperation({ summary: 'Create a regulator account (admin)' })
  @ApiCreatedResponse({ type: RegulatorView })
  @ApiErrors(422)
  createRegulator(@Body() dto: CreateRegulatorDto, @CurrentActor() actor: Actor): Promise<RegulatorView> {
    return this.regulators.create(dto, actor);
  }

  @Get('regulators')
  @ApiOperation({ summary: 'Regulator accounts (administrators only)' })
  @ApiOkResponse({ type: [RegulatorView] })
  listRegulators(@CurrentActor() actor: Actor): Promise<RegulatorView[]> {
    return this.regulators.list(actor.principal);
  }

  @Post('regulators/:id/api-keys')
  @ApiOperation({ summary: 'Create an API key for a regulator (admin); the key is shown once' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiErrors(404, 422)
  createRegulatorKey(@Param('id', uuid) id: string, @Body() dto: CreateApiKeyDto, @CurrentActor() actor: Actor): Promise<CreatedApiKeyView> {
    return this.regulators.createApiKey(id, dto.name, actor);
  }
}
