import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * battery_event_chain loses its index on ledger_seq. Every link of every batch paid an insertion into it, and it
 * served one query: the checkpoint's cut, max(ledger_seq), taken under the ledger's exclusive lock. The cut now
 * reads the identity sequence's last value under the same lock (every number up to it belongs to a transaction
 * that has ended, and every later link draws a higher one), and the checkpoint's other reads scan every link
 * anyway.
 */
export class ChainLedgerSeqUnindexed1795600900000 implements MigrationInterface {
  name = 'ChainLedgerSeqUnindexed1795600900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX battery_event_chain_ledger_seq_idx');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX battery_event_chain_ledger_seq_idx ON battery_event_chain (ledger_seq)');
  }
}
