import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BatteriesController } from './batteries.controller';
import { BatteriesService } from './batteries.service';
import { Battery } from './battery.entity';
import { BatteryComponent, BatteryOrigin, BatteryParty } from './composition.entity';

/**
 * The battery registry as read: batteries, their composition, custody and visibility. Its rows are written
 * by the lifecycle ledger (libs/lifecycle), which records every change as an event.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Battery, BatteryComponent, BatteryOrigin, BatteryParty])],
  controllers: [BatteriesController],
  providers: [BatteriesService],
  exports: [BatteriesService],
})
export class BatteriesModule {}
