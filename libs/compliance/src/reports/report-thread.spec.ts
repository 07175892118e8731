import { WorkingCalendar } from '#libs/calendar';
import { DEADLINE_RULE_SETS } from '../domain/deadline-rules';
import { runPartitionInThread } from './report-thread';

// A partition's thread that cannot do its work fails the report's attempt: its error reaches the job (which then
// stops its own partition and retries), rather than the thread ending quietly or the job waiting for ever.
describe('a report partition in a worker thread', () => {
  it('rejects with the thread’s own error when it cannot reach the database', async () => {
    const progress: number[] = [];
    const run = runPartitionInThread(
      {
        spec: {
          reportId: '00000000-0000-0000-0000-000000000000',
          type: 'timeliness',
          scope: { kind: 'all' },
          period: { from: '2025-01-01', to: '2025-12-31' },
          asOf: new Date('2026-01-01T00:00:00Z'),
          watermark: '00000000-0000-0000-0000-000000000000',
          range: { from: 'A', to: null },
          seqBase: 1000,
          wholeResult: false,
        },
        // Nothing listens on port 1.
        databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
        snapshot: '00000003-00000002-1',
        schedules: WorkingCalendar.withPackageData().schedules(),
        tables: DEADLINE_RULE_SETS,
        ledgerRuleSets: [{ id: 'cn-2018', validFrom: null, validUntil: null }],
        enterprises: new Map(),
      },
      (n) => progress.push(n),
    );
    await expect(run.result).rejects.toThrow(/ECONNREFUSED/);
    expect(progress).toEqual([]);
    await run.stop();
  });
});
