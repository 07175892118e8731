import { Module } from '@nestjs/common';
import { LifecycleModule } from '#libs/lifecycle';
import { OutletEventCheck } from './outlet-event-check';
import { OutletStockService } from './outlet-stock.service';

/**
 * The ledger's outlet check, registered with LifecycleModule's EventChecks at start-up. Imported by OutletsModule
 * (API) and by libs/workers, so that events ingested from uploads in a worker process are checked the same way.
 */
@Module({
  imports: [LifecycleModule],
  providers: [OutletStockService, OutletEventCheck],
  exports: [OutletStockService],
})
export class OutletChecksModule {}
