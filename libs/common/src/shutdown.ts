/**
 * Graceful shutdown in a fixed order. We handle SIGINT/SIGTERM ourselves rather
 * than through Nest's enableShutdownHooks, because the last step (stopping the
 * embedded PostgreSQL) must run after app.close() has closed the HTTP server,
 * the workers and then the queues — Nest would exit the process before it.
 */
export function onShutdownSignal(steps: Array<() => Promise<void>>, log: (message: string) => void = console.error): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting without finishing the shutdown`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal} received: shutting down`);
    (async () => {
      for (const step of steps) await step();
    })().then(
      () => process.exit(0),
      (error: Error) => {
        log(`shutdown failed: ${error.stack ?? error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Start-up failures we can explain get one clear line (and a hint), not a stack trace. */
export function exitWithStartupError(error: unknown, exitCode = 1): never {
  const e = error as Error;
  const known = ['ConfigError', 'EmbeddedPostgresError'].includes(e?.name);
  console.error(known ? `echelon: ${e.message}` : `echelon: start-up failed: ${e?.stack ?? String(error)}`);
  process.exit(exitCode);
}
