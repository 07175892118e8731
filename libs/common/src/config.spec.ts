import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded set-up with workers in the API', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      databaseUrl: null,
      redisUrl: null,
      port: 3000,
      logLevel: 'info',
      runWorkersInApi: true,
      unfiledSpecificationCode: 'warn',
      uploadConcurrency: 2,
    });
    expect(c.dataDir).toMatch(/\.data$/);
  });

  it('with Redis, workers leave the API unless asked', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).runWorkersInApi).toBe(false);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', RUN_WORKERS_IN_API: 'true' }).runWorkersInApi).toBe(true);
  });

  it('names every bad variable and why, at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', LOG_LEVEL: 'loud', UNFILED_SPEC_CODE: 'maybe', UPLOAD_CONCURRENCY: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      expect.stringMatching(/^DATABASE_URL: protocol 'mysql:'/),
      "PORT: 'eighty' is not an integer between 0 and 65535",
      expect.stringMatching(/^LOG_LEVEL: 'loud' is not one of/),
      expect.stringMatching(/^UNFILED_SPEC_CODE: 'maybe'/),
      "UPLOAD_CONCURRENCY: '0' is not an integer between 1 and 32",
    ]);
  });

  it('refuses to run without workers anywhere', () => {
    expect(() => loadConfig({ RUN_WORKERS_IN_API: 'false' })).toThrow(/RUN_WORKERS_IN_API: must be true when neither REDIS_URL nor DATABASE_URL is set/);
  });

  it('lets worker processes share the PostgreSQL queues of a named server', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/echelon', RUN_WORKERS_IN_API: 'false' }).runWorkersInApi).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/echelon' }).runWorkersInApi).toBe(true);
  });
});
