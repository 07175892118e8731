import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKey } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { AccessController, EnterprisesController } from './enterprises.controller';
import { Enterprise } from './enterprise.entity';
import { EnterprisesService } from './enterprises.service';
import { Regulator } from './regulator.entity';
import { RegulatorsService } from './regulators.service';

/** Enterprises, regulators and API keys: who the actors are and how they authenticate. */
@Module({
  imports: [TypeOrmModule.forFeature([Enterprise, Regulator, ApiKey])],
  controllers: [EnterprisesController, AccessController],
  providers: [EnterprisesService, RegulatorsService, ApiKeysService],
  exports: [EnterprisesService, ApiKeysService],
})
export class EnterprisesModule {}

/** The API-key guard for every route; only HTTP apps import this. */
@Module({
  imports: [EnterprisesModule],
  providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
})
export class ApiKeyAuthModule {}
