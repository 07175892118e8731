import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics (one registry per app instance, so tests that start several apps do not
 * collide). Other modules record through this service; queue depth is read when scraped.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'echelon_http_request_duration_seconds',
    help: 'HTTP request latency by method, route (the pattern, not the path) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly ingestEvents = new Counter({
    name: 'echelon_ingest_events_total',
    help: "Events through the ledger's ingest (not dry runs) by source and outcome (accepted, duplicate, rejected)",
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'echelon_job_duration_seconds',
    help: 'BullMQ job attempts run by this process: durations by queue, job name and outcome (completed, failed)',
    labelNames: ['queue', 'name', 'outcome'] as const,
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1200, 3600],
    registers: [this.registry],
  });
  readonly jobFailures = new Counter({
    name: 'echelon_job_failures_total',
    help: 'Failed job attempts run by this process, by queue and job name',
    labelNames: ['queue', 'name'] as const,
    registers: [this.registry],
  });
  readonly reportDuration = new Histogram({
    name: 'echelon_report_duration_seconds',
    help: 'Compliance report computations (completed) by report type',
    labelNames: ['type'] as const,
    buckets: [0.1, 1, 5, 15, 30, 60, 120, 300, 900],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'echelon_queue_jobs',
    help: 'Jobs per queue and state (read when scraped)',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'echelon_' });
  }
}
