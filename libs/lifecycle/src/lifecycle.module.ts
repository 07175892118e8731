import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BatteriesModule } from '#libs/batteries';
import { CodesModule } from '#libs/codes';
import { EventsController, RegistrationController } from './lifecycle.controller';
import { BatteryEventLink, LifecycleEvent } from './lifecycle-event.entity';
import { EventChecks } from './event-checks';
import { LedgerService } from './ledger.service';
import { RegistrationService } from './registration.service';

/**
 * The lifecycle ledger: event types and their rules, ingest (JSON batches; uploads reuse LedgerService),
 * battery registration as `produced` events, hash chains and their verification.
 */
@Module({
  imports: [TypeOrmModule.forFeature([LifecycleEvent, BatteryEventLink]), BatteriesModule, CodesModule],
  controllers: [EventsController, RegistrationController],
  providers: [LedgerService, RegistrationService, EventChecks],
  exports: [LedgerService, EventChecks],
})
export class LifecycleModule {}
