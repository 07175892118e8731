import { Module } from '@nestjs/common';
import { publicRateLimitModule } from '#libs/codes';
import { CoverageController } from './coverage.controller';
import { CoverageService } from './coverage.service';
import { OutletChecksModule } from './outlet-checks.module';
import { OutletUploadsModule } from './outlet-upload-kind';
import { OutletsController } from './outlets.controller';
import { OutletsService } from './outlets.service';
import { PublicOutletsController } from './public-outlets.controller';
import { PublicOutletsRateLimitGuard } from './public-rate-limit';
import { PublicOutletsService } from './public-outlets.service';

/**
 * Recycling service outlets: the registry, public disclosure and nearest search, stock and records from the
 * ledger, coverage against sales, and the ledger check that outlet events name an outlet of their reporter.
 */
@Module({
  imports: [OutletChecksModule, OutletUploadsModule, publicRateLimitModule()],
  controllers: [PublicOutletsController, OutletsController, CoverageController],
  providers: [OutletsService, PublicOutletsService, CoverageService, PublicOutletsRateLimitGuard],
  exports: [OutletsService, OutletChecksModule],
})
export class OutletsModule {}
