import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnterprisesModule } from '#libs/enterprises';
import { CodesController } from './codes.controller';
import { CodesService } from './codes.service';
import { CodingRule } from './coding-rule.entity';
import { CodingRulesController } from './coding-rules.controller';
import { CodingRulesService } from './coding-rules.service';
import { ManufacturerCode } from './manufacturer-code.entity';
import { ManufacturerCodesController } from './manufacturer-codes.controller';
import { ManufacturerCodesService } from './manufacturer-codes.service';
import { PublicRateLimitGuard, publicRateLimitModule } from './public-rate-limit';

/**
 * GB/T 34014 codes in the service: public decoding and barcodes (rate-limited), manufacturer-code
 * assignments, coding-rule filings, and CodesService for the modules that register batteries.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ManufacturerCode, CodingRule]), EnterprisesModule, publicRateLimitModule()],
  controllers: [CodesController, ManufacturerCodesController, CodingRulesController],
  providers: [CodesService, ManufacturerCodesService, CodingRulesService, PublicRateLimitGuard],
  exports: [CodesService, ManufacturerCodesService, CodingRulesService],
})
export class CodesModule {}
