import { Module } from '@nestjs/common';
import { BatteriesModule } from '#libs/batteries';
import { LifecycleModule } from '#libs/lifecycle';
import { TestingModule } from '#libs/testing';
import { CascadeChecksModule } from './cascade-checks.module';
import { CascadeProductsController } from './cascade-products.controller';
import { CascadeProductsService } from './cascade-products.service';

/**
 * Cascade (second-life) products: assembly under the 2021 measures, minted codes, art. 15 labels, and the ledger
 * checks for shipping (label complete) and waste hand-overs (whitelisted recyclers only, art. 20).
 */
@Module({
  imports: [LifecycleModule, BatteriesModule, TestingModule, CascadeChecksModule],
  controllers: [CascadeProductsController],
  providers: [CascadeProductsService],
  exports: [CascadeProductsService],
})
export class CascadeModule {}
