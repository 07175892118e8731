import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import { Controller, Get, Global, Header, Inject, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { allows } from '#libs/access';
import { Public } from '#libs/common';
import { ApiKeysService, EnterprisesModule } from '#libs/enterprises';
import { JobMetrics } from './job-metrics';
import { Metrics } from './metrics';

/** The queues shown on the board and measured: registered by the modules that own them. */
export const OPERATED_QUEUES = ['system', 'uploads', 'ledger', 'compliance-reports'] as const;

/**
 * `/admin/queues` and `/metrics` answer only the keys the access policy allows `operations.read` (administrators):
 * `Authorization: Bearer <key>`, or HTTP Basic with the key as the password (what a browser can send for the board's
 * pages and assets). Their own middleware, not the API-key guard: the board is an Express app of its own.
 */
function adminOnly(apiKeys: ApiKeysService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const basic = /^Basic\s+(\S+)\s*$/i.exec(header)?.[1];
    const key = bearer ?? (basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : undefined);
    const deny = (status: number) => {
      if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="Echelon operations"');
      res.status(status).json({
        error: {
          code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN',
          message: status === 401 ? 'An administrator key is required' : 'Only an administrator key may see this',
          details: [],
          requestId: (req as { id?: string }).id ?? null,
        },
      });
    };
    if (!key) return deny(401);
    apiKeys.authenticate(key).then(
      (p) => (allows(p, 'operations.read') ? next() : deny(403)),
      () => deny(401),
    );
  };
}

@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly modules: ModuleRef,
  ) {}

  @Get('metrics')
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    for (const name of OPERATED_QUEUES) {
      const queue = this.modules.get<Queue>(getQueueToken(name), { strict: false });
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) this.metrics.queueDepth.set({ queue: name, state }, n);
    }
    return this.metrics.registry.metrics();
  }
}

/**
 * Operations: Prometheus metrics at `/metrics` and Bull Board at `/admin/queues`, both for administrator keys only
 * (their own middleware: the board is an Express app of its own). Global, so that services record metrics; every
 * queue's jobs run in this process are timed by JobMetrics.
 */
@Global()
@Module({ imports: [EnterprisesModule, DiscoveryModule], controllers: [MetricsController], providers: [Metrics, JobMetrics], exports: [Metrics] })
export class OperationsModule implements NestModule {
  constructor(
    private readonly modules: ModuleRef,
    @Inject(ApiKeysService) private readonly apiKeys: ApiKeysService,
    private readonly metrics: Metrics,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const board = new ExpressAdapter();
    board.setBasePath('/admin/queues');
    createBullBoard({
      queues: OPERATED_QUEUES.map((name) => new BullMQAdapter(this.modules.get<Queue>(getQueueToken(name), { strict: false }), { readOnlyMode: false })),
      serverAdapter: board,
    });
    consumer.apply(adminOnly(this.apiKeys), board.getRouter()).forRoutes('/admin/queues', '/admin/queues/*path');
    consumer.apply(adminOnly(this.apiKeys)).forRoutes('/metrics');
    consumer.apply(this.httpTiming()).forRoutes('*path');
  }

  /** Records each request's latency under its route pattern (`/v1/batteries/:code`, not the code). */
  private httpTiming() {
    return (req: Request, res: Response, next: NextFunction) => {
      const end = this.metrics.httpDuration.startTimer();
      res.on('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path;
        end({ method: req.method, route: route ? `${req.baseUrl ?? ''}${route}` : 'unmatched', status: String(res.statusCode) });
      });
      next();
    };
  }
}
