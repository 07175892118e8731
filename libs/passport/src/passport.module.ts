import { Module } from '@nestjs/common';
import { BatteriesModule } from '#libs/batteries';
import { PassportController } from './passport.controller';
import { PassportService } from './passport.service';

/** Battery passports (Battery Pass 1.2 data model) from the registry, the residual tests and the cascade links. */
@Module({ imports: [BatteriesModule], controllers: [PassportController], providers: [PassportService], exports: [PassportService] })
export class PassportModule {}
