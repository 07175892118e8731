import { resolve } from 'node:path';

/**
 * The service's whole configuration, read from the environment once at start-up
 * (see loadConfig) and injected as APP_CONFIG. Nothing else reads process.env.
 */
export interface AppConfig {
  /** External PostgreSQL; when absent an embedded server is started under dataDir. */
  databaseUrl: string | null;
  /** External Redis for BullMQ; when absent BullMQ runs on PostgreSQL. */
  redisUrl: string | null;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `pretty`: readable lines (pino-pretty), the default on a terminal; `json`: one JSON object a line, the default otherwise. */
  logFormat: 'json' | 'pretty';
  /** Where the embedded PostgreSQL keeps its cluster (git-ignored). */
  dataDir: string;
  embeddedPostgresPort: number;
  /** Run BullMQ workers inside the API process too (default: only without Redis). */
  runWorkersInApi: boolean;
  /** Redis key prefix for BullMQ (the PostgreSQL backend uses schema `bullmq`). */
  queuePrefix: string;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** Registering a battery whose specification code has no filed coding rule: warn or reject. */
  unfiledSpecificationCode: 'warn' | 'reject';
  /**
   * Registering a battery whose manufacturer code is assigned to nobody here: reject (default; the code could be
   * squatted before its holder is recorded) or warn (while assignments are still being entered).
   */
  unassignedManufacturerCode: 'warn' | 'reject';
  /** Requests per minute per client on the public code-decoding endpoints. */
  publicRateLimitPerMinute: number;
  /** How often a ledger checkpoint (Merkle root over all chain heads) is taken. */
  checkpointEveryMinutes: number;
  /** Largest accepted CSV/XLSX bulk-upload file, in bytes (streamed into the database, never held in memory). */
  uploadLimitBytes: number;
  /** Uploads one worker process works on at once: a large file does not hold up every other enterprise's. */
  uploadConcurrency: number;
  /**
   * PostgreSQL roles (libs/database roles.ts): DATABASE_URL's role only sets them up; migrations run as `owner`,
   * the API and workers log in as `app` (no superuser, owner of nothing, no UPDATE/DELETE on append-only tables).
   */
  databaseRoles: { owner: string; app: string; appPassword: string | null };
  /** How much an XLSX upload may unpack to (libs/uploads xlsx-limits.ts): a zip bomb fails the upload instead of the process. */
  xlsxLimits: {
    maxEntries: number;
    maxEntryBytes: number;
    maxTotalBytes: number;
    maxSharedStrings: number;
    maxSharedStringsBytes: number;
    maxHeldBytes: number;
  };
  /** 梯次利用管理办法 art. 20: a hand-over of waste (a scrapped cascade product) to a firm not whitelisted as a recycler: reject or flag. */
  cascadeWasteHandover: 'reject' | 'flag';
  /** 梯次利用管理办法 art. 15: a shipment of a cascade product without a product record (so without label data): reject or warn. */
  cascadeUnlabelledShipment: 'reject' | 'warn';
  /** When the monthly compliance reports (each enterprise, each province: the previous month) are made: cron, Beijing time. */
  reportScheduleCron: string;
  /**
   * Ranges of batteries a timeliness report or flow audit is judged in, each in a thread of its own (the job's,
   * then worker threads). Default 1 (no threads): each range costs the worker process memory whatever the cores (on
   * this two-core machine two ranges took a timeliness report over 1M batteries from 41.8 to 33.9 s, and the
   * worker's peak RSS from 266 to 358 MB, over the 300 MB it is held to: bench/README.md). Raise it where the
   * worker has the memory to spare and the cores to use it.
   */
  reportPartitions: number;
  /** Reports over fewer batteries than this are judged in one range (a thread costs more than it saves). */
  reportPartitionMinBatteries: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Documented in README.md ("Configuration"); keep the two in step. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}: '${raw}' is not an integer between ${min} and ${max}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name);
    if (raw === null) return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name}: '${raw}' is not a boolean (true/false)`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = str(name);
    if (raw === null) return null;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name}: protocol '${u.protocol}' is not one of ${protocols.join(', ')}`);
      }
    } catch {
      problems.push(`${name}: '${raw}' is not a URL`);
    }
    return raw;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name);
    if (raw === null) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}: '${raw}' is not one of ${allowed.join(', ')}`);
      return fallback;
    }
    return raw as T;
  };

  const role = (name: string, fallback: string): string => {
    const raw = str(name) ?? fallback;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) problems.push(`${name}: '${raw}' is not a PostgreSQL role name (lower-case letters, digits, _)`);
    return raw;
  };
  const cron = (name: string, fallback: string): string => {
    const raw = str(name);
    if (raw === null) return fallback;
    if (!/^(\S+\s+){4}\S+$/.test(raw.trim()) || !/^[0-9*/,\-\sA-Za-z?LW#]+$/.test(raw)) {
      problems.push(`${name}: '${raw}' is not a cron expression of five fields (minute hour day month weekday)`);
      return fallback;
    }
    return raw.trim();
  };

  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  const config: AppConfig = {
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl,
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 3000, 0, 65535),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf('LOG_FORMAT', ['json', 'pretty'] as const, process.stdout.isTTY ? 'pretty' : 'json'),
    dataDir: resolve(str('DATA_DIR') ?? '.data'),
    embeddedPostgresPort: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    runWorkersInApi: bool('RUN_WORKERS_IN_API', redisUrl === null),
    queuePrefix: str('QUEUE_PREFIX') ?? 'echelon',
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    unfiledSpecificationCode: oneOf('UNFILED_SPEC_CODE', ['warn', 'reject'] as const, 'warn'),
    unassignedManufacturerCode: oneOf('UNASSIGNED_MANUFACTURER_CODE', ['warn', 'reject'] as const, 'reject'),
    publicRateLimitPerMinute: int('PUBLIC_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    checkpointEveryMinutes: int('CHECKPOINT_EVERY_MINUTES', 60, 1, 7 * 24 * 60),
    uploadLimitBytes: int('UPLOAD_LIMIT_BYTES', 1024 * 1024 * 1024, 1024, 2 ** 40),
    uploadConcurrency: int('UPLOAD_CONCURRENCY', 2, 1, 32),
    databaseRoles: {
      owner: role('DATABASE_OWNER_ROLE', 'echelon_owner'),
      app: role('DATABASE_APP_ROLE', 'echelon_app'),
      appPassword: env.DATABASE_APP_PASSWORD || null,
    },
    xlsxLimits: {
      maxEntries: int('UPLOAD_XLSX_MAX_ENTRIES', 1000, 1, 1_000_000),
      maxEntryBytes: int('UPLOAD_XLSX_MAX_ENTRY_BYTES', 1024 * 1024 * 1024, 1024, 2 ** 40),
      maxTotalBytes: int('UPLOAD_XLSX_MAX_UNPACKED_BYTES', 2 * 1024 * 1024 * 1024, 1024, 2 ** 40),
      maxSharedStrings: int('UPLOAD_XLSX_MAX_SHARED_STRINGS', 2_000_000, 1, 100_000_000),
      maxSharedStringsBytes: int('UPLOAD_XLSX_MAX_SHARED_STRINGS_BYTES', 128 * 1024 * 1024, 1024, 2 ** 34),
      maxHeldBytes: int('UPLOAD_XLSX_MAX_HELD_BYTES', 256 * 1024 * 1024, 1024, 2 ** 34),
    },
    cascadeWasteHandover: oneOf('CASCADE_WASTE_HANDOVER', ['reject', 'flag'] as const, 'reject'),
    cascadeUnlabelledShipment: oneOf('CASCADE_UNLABELLED_SHIPMENT', ['reject', 'warn'] as const, 'reject'),
    reportScheduleCron: cron('REPORT_SCHEDULE_CRON', '0 3 1 * *'),
    reportPartitions: int('REPORT_PARTITIONS', 1, 1, 16),
    reportPartitionMinBatteries: int('REPORT_PARTITION_MIN_BATTERIES', 50_000, 0, 1_000_000_000),
  };
  if (config.databaseRoles.owner === config.databaseRoles.app) problems.push('DATABASE_APP_ROLE: must differ from DATABASE_OWNER_ROLE');
  // Without Redis the queues live in PostgreSQL: a worker process (`npm run start:worker`) can share them only when
  // both processes name the same server (DATABASE_URL); the embedded server belongs to the process that started it.
  if (config.redisUrl === null && config.databaseUrl === null && !config.runWorkersInApi) {
    problems.push('RUN_WORKERS_IN_API: must be true when neither REDIS_URL nor DATABASE_URL is set (the embedded set-up runs its workers in-process)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
