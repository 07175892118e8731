/**
 * A report partition in a worker thread: the job's process judges one range of batteries in its own thread and
 * the others here, so that a report uses every core rather than one (the judging, not PostgreSQL, is what limits a
 * report). The thread loads pure code and `pg` only; it reads through the job's exported snapshot (the same rows
 * as the job's own transaction) and writes its rows itself, numbered from its partition's base.
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { YearSchedule } from '#libs/calendar';
import { WorkingCalendar } from '#libs/calendar';
import { Client } from 'pg';
import { DeadlineEngine } from '../domain/assess';
import type { DeadlineRuleSet } from '../domain/deadline-rules';
import type { LedgerRuleSetWindow } from '../domain/ledger-days';
import { ledgerRuleSetChooser } from '../domain/ledger-days';
import type { PartitionResult, PartitionSpec } from './report-partition';
import { computePartition } from './report-partition';
import type { EnterpriseFacts } from './report-stream';
import { beginReportRead, INSERT_ROWS, insertRowsParams } from './report-stream';

/** Everything a thread needs, as plain data (structured clone: Maps and Dates survive). */
export interface PartitionThreadInput {
  spec: PartitionSpec;
  databaseUrl: string;
  /** `pg_export_snapshot()` of the job's transaction, open until every thread is done. */
  snapshot: string;
  schedules: readonly YearSchedule[];
  tables: readonly DeadlineRuleSet[];
  ledgerRuleSets: readonly LedgerRuleSetWindow[];
  enterprises: ReadonlyMap<string, EnterpriseFacts>;
}

type ThreadMessage = { kind: 'progress'; batteries: number } | { kind: 'done'; result: PartitionResult };

const MARK = 'echelon-report-partition';

/**
 * A thread's young generation, MB (about the job process's `--max-semi-space-size=16`): enough for a page of rows
 * between scavenges. (16 instead left the worker's peak RSS as it was: a thread's cost is not its young generation.)
 */
const THREAD_YOUNG_GENERATION_MB = 48;

/**
 * The file a thread runs: this one, built (`.js`); from the TypeScript sources (as under Jest), the sources through
 * scripts/ts-worker-hooks.cjs, which compiles them as the test runner does.
 */
function threadEntry(): { file: string; execArgv: string[] } {
  const file = join(__dirname, `report-thread${extname(__filename)}`);
  if (extname(__filename) !== '.ts') return { file, execArgv: [] };
  const hooks = join(__dirname, '../../../../scripts/ts-worker-hooks.cjs');
  if (!existsSync(hooks)) throw new Error(`report threads from TypeScript sources need ${hooks}`);
  return { file, execArgv: ['--require', hooks] };
}

/** Runs a partition in a new worker thread; `onProgress` hears its batteries done. Rejects if the thread fails or exits early. */
export function runPartitionInThread(
  input: PartitionThreadInput,
  onProgress: (batteries: number) => void,
): { result: Promise<PartitionResult>; stop: () => Promise<void> } {
  const { file, execArgv } = threadEntry();
  const worker = new Worker(file, {
    workerData: { [MARK]: input },
    execArgv,
    resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
  });
  const result = new Promise<PartitionResult>((resolve, reject) => {
    let done: PartitionResult | null = null;
    worker.on('message', (m: ThreadMessage) => {
      if (m.kind === 'progress') onProgress(m.batteries);
      else done = m.result;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (done ? resolve(done) : reject(new Error(`report partition thread exited (code ${code}) before its result`))));
  });
  result.catch(() => undefined);
  return { result, stop: async () => void (await worker.terminate()) };
}

/** The thread's work: connect, read through the job's snapshot, compute, post the counts. */
async function runThread(input: PartitionThreadInput, post: (m: ThreadMessage) => void): Promise<void> {
  const engine = new DeadlineEngine(new WorkingCalendar(input.schedules), input.tables);
  const ctx = { engine, enterprises: input.enterprises, ledgerRuleSetOf: ledgerRuleSetChooser(input.ledgerRuleSets) };
  const reader = new Client({ connectionString: input.databaseUrl, application_name: 'echelon report partition' });
  const writer = new Client({ connectionString: input.databaseUrl, application_name: 'echelon report partition rows' });
  await Promise.all([reader.connect(), writer.connect()]);
  try {
    await beginReportRead(reader, input.snapshot);
    const result = await computePartition(
      input.spec,
      ctx,
      reader,
      (first, batch) => writer.query(INSERT_ROWS, insertRowsParams(input.spec.reportId, first, batch)),
      (batteries) => post({ kind: 'progress', batteries }),
    );
    await reader.query('COMMIT');
    post({ kind: 'done', result });
  } finally {
    await Promise.allSettled([reader.end(), writer.end()]);
  }
}

const input = (workerData as Record<string, PartitionThreadInput> | null)?.[MARK];
if (parentPort && input) {
  const port = parentPort;
  // A failure is thrown uncaught: it ends the thread and reaches the job as the Worker's 'error' event.
  runThread(input, (m) => port.postMessage(m)).catch((error: unknown) =>
    process.nextTick(() => {
      throw error;
    }),
  );
}
