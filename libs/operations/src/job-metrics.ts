import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job, Worker } from 'bullmq';
import { Metrics } from './metrics';

/**
 * Measures every queue's jobs in this process, whichever module owns the processor: it finds the BullMQ workers
 * (the `@Processor` classes, whose workers exist once modules are initialised) and times each attempt from its
 * `active` event to `completed` or `failed`. A processor need not record anything itself, and a new queue is
 * measured without a change here.
 */
@Injectable()
export class JobMetrics implements OnApplicationBootstrap {
  private readonly log = new Logger('JobMetrics');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const host: unknown = wrapper.instance;
      if (!(host instanceof WorkerHost)) continue;
      let worker: Worker;
      try {
        worker = host.worker;
      } catch {
        continue; // registered manually and not started: nothing runs here
      }
      this.observe(worker);
    }
  }

  private observe(worker: Worker): void {
    const queue = worker.name;
    const started = new WeakMap<Job, number>();
    const seconds = (job: Job) => {
      const from = started.get(job) ?? job.processedOn;
      return from ? Math.max(0, ((job.finishedOn ?? Date.now()) - from) / 1000) : null;
    };
    worker.on('active', (job) => started.set(job, Date.now()));
    worker.on('completed', (job) => {
      const s = seconds(job);
      if (s !== null) this.metrics.jobDuration.observe({ queue, name: job.name, outcome: 'completed' }, s);
    });
    // A job that stalled too often fails without a Job object: counted, not timed.
    worker.on('failed', (job) => {
      this.metrics.jobFailures.inc({ queue, name: job?.name ?? 'unknown' });
      const s = job ? seconds(job) : null;
      if (job && s !== null) this.metrics.jobDuration.observe({ queue, name: job.name, outcome: 'failed' }, s);
    });
    this.log.debug(`measuring the jobs of queue ${queue}`);
  }
}
