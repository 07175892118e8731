import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { ProcessingSummary, UploadProcessingService, UploadRejected } from './upload-processing.service';
import { PROCESS_UPLOAD_JOB, ProcessUploadJob, UPLOADS_QUEUE } from './uploads.service';

/** Runs upload processing jobs; a file that can never be processed fails without retries. */
@Processor(UPLOADS_QUEUE)
export class UploadProcessor extends WorkerHost {
  constructor(private readonly processing: UploadProcessingService) {
    super();
  }

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
