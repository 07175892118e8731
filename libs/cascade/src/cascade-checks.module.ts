import { Module } from '@nestjs/common';
import { LifecycleModule } from '#libs/lifecycle';
import { CascadeChecksRegistrar } from './cascade-checks';

/**
 * The cascade rules as ledger event checks, on their own so that every process that ingests events registers
 * them: the API (through CascadeModule) and the worker (through libs/workers, for uploads).
 */
@Module({ imports: [LifecycleModule], providers: [CascadeChecksRegistrar] })
export class CascadeChecksModule {}
