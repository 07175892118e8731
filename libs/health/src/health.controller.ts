import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { Public } from '#libs/common';
import { QUEUE_BACKEND, QueueBackendInfo, SYSTEM_QUEUE } from '#libs/queue';

const CHECK_TIMEOUT_MS = 3_000;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    @InjectQueue(SYSTEM_QUEUE) private readonly systemQueue: Queue,
    @Inject(QUEUE_BACKEND) private readonly backend: QueueBackendInfo,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database and the queue backend answer' })
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }), () => this.queueCheck()]);
  }

  private async queueCheck() {
    const check = this.indicator.check('queue');
    try {
      await Promise.race([
        this.systemQueue.getJobCounts('waiting'),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
      ]);
      return check.up({ backend: this.backend.kind });
    } catch (error) {
      return check.down({ backend: this.backend.kind, message: (error as Error).message });
    }
  }
}
