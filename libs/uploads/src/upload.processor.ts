import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '#libs/common';
import { RecordableFailures } from '#libs/queue';
import { Job, UnrecoverableError } from 'bullmq';
import { ProcessingSummary, UploadProcessingService, UploadRejected } from './upload-processing.service';
import { PROCESS_UPLOAD_JOB, ProcessUploadJob, UPLOADS_QUEUE } from './uploads.service';

/** Runs upload processing jobs; a file that can never be processed fails without retries. */
@Processor(UPLOADS_QUEUE)
export class UploadProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly processing: UploadProcessingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** The worker exists once modules are initialised; its concurrency comes from the configuration, read at start-up. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.uploadConcurrency;
  }

  @RecordableFailures()
  async process(job: Job<ProcessUploadJob>): Promise<ProcessingSummary> {
    if (job.name !== PROCESS_UPLOAD_JOB) throw new UnrecoverableError(`unknown job ${job.name} on queue ${UPLOADS_QUEUE}`);
    try {
      return await this.processing.process(job.data.uploadId, {
        attemptsMade: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
        onProgress: (progress) => job.updateProgress(progress),
      });
    } catch (error) {
      if (error instanceof UploadRejected) throw new UnrecoverableError(error.message);
      throw error;
    }
  }
}
