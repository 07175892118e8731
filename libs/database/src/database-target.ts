import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '#libs/common';
import { EmbeddedPostgres } from './embedded-postgres';

export interface DatabaseTarget {
  url: string;
  kind: 'embedded' | 'external';
  /** One line for the start-up log, without credentials. */
  description: string;
  /** Stops the embedded server (no-op for an external one). Call after the app has closed. */
  stop(): Promise<void>;
}

export const EMBEDDED_DATABASE_NAME = 'echelon';

/** The external database if DATABASE_URL is set, otherwise the embedded cluster under DATA_DIR. */
export async function resolveDatabase(config: AppConfig, log?: (line: string) => void): Promise<DatabaseTarget> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, kind: 'external', description: `PostgreSQL ${redact(config.databaseUrl)}`, stop: async () => undefined };
  }
  let dataDir = join(config.dataDir, 'pg');
  let server = new EmbeddedPostgres({ dataDir, port: config.embeddedPostgresPort, log });
  if (!(await server.isReachable())) {
    // Running as root in a checkout the `postgres` user cannot traverse (e.g. under /root): keep the
    // cluster in the temporary directory instead, one per checkout, and say so.
    const fallback = join(tmpdir(), `echelon-pg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
    (log ?? ((line: string) => console.warn(`embedded PostgreSQL: ${line}`)))(
      `the 'postgres' OS user cannot reach ${dataDir}; using ${fallback} instead (set DATA_DIR to choose)`,
    );
    dataDir = fallback;
    server = new EmbeddedPostgres({ dataDir, port: config.embeddedPostgresPort, log });
  }
  await server.start();
  await server.createDatabaseIfMissing(EMBEDDED_DATABASE_NAME);
  const url = server.url(EMBEDDED_DATABASE_NAME);
  return { url, kind: 'embedded', description: `embedded PostgreSQL ${redact(url)} (data in ${dataDir})`, stop: () => server.stop() };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
