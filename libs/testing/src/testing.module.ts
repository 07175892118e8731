import { Module } from '@nestjs/common';
import { BatteriesModule } from '#libs/batteries';
import { LifecycleModule } from '#libs/lifecycle';
import { GradingRulesService } from './grading-rules.service';
import { GradingRulesController, ResidualTestsController } from './residual-tests.controller';
import { ResidualTestsService } from './residual-tests.service';
import { ResidualTestsUploadModule } from './residual-tests.upload-kind';

/** Residual-capacity tests (GB/T 34015) and their grading; each test appends its residual_tested event. */
@Module({
  imports: [LifecycleModule, BatteriesModule, ResidualTestsUploadModule],
  controllers: [ResidualTestsController, GradingRulesController],
  providers: [ResidualTestsService, GradingRulesService],
  exports: [ResidualTestsService, GradingRulesService],
})
export class TestingModule {}
