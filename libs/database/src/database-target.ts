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
  const server = new EmbeddedPostgres({ dataDir: join(config.dataDir, 'pg'), port: config.embeddedPostgresPort, log });
  await server.start();
  await server.createDatabaseIfMissing(EMBEDDED_DATABASE_NAME);
  const url = server.url(EMBEDDED_DATABASE_NAME);
  return { url, kind: 'embedded', description: `embedded PostgreSQL ${redact(url)} (data in ${join(config.dataDir, 'pg')})`, stop: () => server.stop() };
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
