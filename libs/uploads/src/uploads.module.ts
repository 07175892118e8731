import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UploadKindsModule } from './kinds';
import { LedgerAdapterModule } from './ledger-adapter';
import { UploadProcessingService } from './upload-processing.service';
import { Upload, UploadChunk, UploadRowResult } from './upload.entity';
import { UploadProcessor } from './upload.processor';
import { UploadsController } from './uploads.controller';
import { UploadsService, UPLOADS_QUEUE } from './uploads.service';

/** CSV/XLSX bulk uploads of lifecycle events: receiving, progress, results, templates. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Upload, UploadChunk, UploadRowResult]),
    BullModule.registerQueue({ name: UPLOADS_QUEUE }),
    LedgerAdapterModule,
    UploadKindsModule,
  ],
  controllers: [UploadsController],
  providers: [UploadsService],
  exports: [UploadsService],
})
export class UploadsModule {}

/** The uploads queue's worker; composed in libs/workers. */
@Module({
  imports: [TypeOrmModule.forFeature([Upload, UploadChunk, UploadRowResult]), LedgerAdapterModule, UploadKindsModule],
  providers: [UploadProcessingService, UploadProcessor],
  exports: [UploadProcessingService],
})
export class UploadsWorkerModule {}
