import { Module } from '@nestjs/common';
import { CoverageService } from './coverage.service';

/** Outlet coverage against sales as a query for other modules (the cascade obligations report reads art. 19 here). */
@Module({ providers: [CoverageService], exports: [CoverageService] })
export class OutletCoverageModule {}
