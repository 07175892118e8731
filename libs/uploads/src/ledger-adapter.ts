import { Module } from '@nestjs/common';
import type { Actor } from '#libs/common';
import { currentRuleSet, ENVELOPE_FIELDS, LedgerService, LifecycleModule, PAYLOAD_KEY, RULE_SETS } from '#libs/lifecycle';
import type { EntityManager } from 'typeorm';
import { toColumnReasons } from './batch';
import type { LedgerTable } from './catalogue';
import { LedgerOutcome, UPLOAD_LEDGER, UploadLedger } from './ledger-port';

/** Uploads' view of the lifecycle ledger: its event-type table and its batch ingest (partial mode). */
export class LifecycleUploadLedger implements UploadLedger {
  constructor(private readonly ledger: LedgerService) {}

  table(): LedgerTable {
    return { ruleSets: RULE_SETS, current: currentRuleSet(), envelope: ENVELOPE_FIELDS, payloadKey: PAYLOAD_KEY };
  }

  async ingest(events: Record<string, unknown>[], actor: Actor, manager: EntityManager): Promise<LedgerOutcome[]> {
    const response = await this.ledger.ingest(events, { mode: 'partial', dryRun: false, manager, source: 'upload' }, actor);
    const outcomes: (LedgerOutcome | undefined)[] = new Array(events.length);
    for (const r of response.results) {
      outcomes[r.index] = {
        status: r.status,
        eventId: r.eventId ?? null,
        reasons: toColumnReasons(r.reasons ?? [], PAYLOAD_KEY),
        warnings: toColumnReasons(r.warnings ?? [], PAYLOAD_KEY),
      };
    }
    const missing = outcomes.findIndex((o) => o === undefined);
    if (missing >= 0 || outcomes.length !== events.length) throw new Error(`the ledger gave no result for event ${missing} of ${events.length}`);
    return outcomes as LedgerOutcome[];
  }
}

@Module({
  imports: [LifecycleModule],
  providers: [
    {
      provide: UPLOAD_LEDGER,
      useFactory: (ledger: LedgerService) => new LifecycleUploadLedger(ledger),
      inject: [LedgerService],
    },
  ],
  exports: [UPLOAD_LEDGER],
})
export class LedgerAdapterModule {}
