import IORedis from 'ioredis';
import { Client } from 'pg';
import { loadConfig } from '#libs/common';

/**
 * Container health check for the worker, which has no HTTP port: healthy when
 * its database and its queue backend answer (exit 0), otherwise exit 1.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is not set (the worker health check needs the external database)');
  const pg = new Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 3000 });
  await pg.connect();
  await pg.query('SELECT 1');
  await pg.end();
  if (config.redisUrl) {
    const redis = new IORedis(config.redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.ping();
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`worker unhealthy: ${error.message}`);
    process.exit(1);
  },
);
