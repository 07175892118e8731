import { Module } from '@nestjs/common';
import { BatteriesModule } from '#libs/batteries';
import { LifecycleModule } from '#libs/lifecycle';
import { CustodyController } from './custody.controller';
import { CustodyService } from './custody.service';

/** Custody claims: receipts reported by the receiver alone, confirmed or disputed by the sender they name. */
@Module({
  imports: [LifecycleModule, BatteriesModule],
  controllers: [CustodyController],
  providers: [CustodyService],
  exports: [CustodyService],
})
export class CustodyModule {}
