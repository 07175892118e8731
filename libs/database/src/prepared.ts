import type { DataSource, EntityManager } from 'typeorm';

/** What pg's Pool and Client have in common. */
interface PgQueryable {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A statement that hot read paths run as a named prepared statement: each pooled connection parses it once,
 * and after five runs PostgreSQL may keep a generic plan instead of planning every call. For the lookups
 * behind every request (API keys, visibility, the trace) planning costs as much as running them (about
 * 0.5–2 ms each, measured with log_min_duration_statement on the trace benchmark's database).
 *
 * `run` uses any pooled connection; `runIn` the connection of an entity manager (its transaction's, if it has
 * one). Errors are pg's own, with PostgreSQL's SQLSTATE in `code`. A name stands for one text; two texts under
 * one name fail on the connection that prepared the first, so a statement is defined once, at module level.
 */
export class PreparedStatement<Row> {
  private static readonly names = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    const known = PreparedStatement.names.get(name);
    if (known !== undefined && known !== text) throw new Error(`prepared statement ${name} is defined twice with different texts`);
    PreparedStatement.names.set(name, text);
  }

  async run(dataSource: DataSource, values: unknown[]): Promise<Row[]> {
    return (await onPool(dataSource).query({ name: this.name, text: this.text, values })).rows as Row[];
  }

  async runIn(manager: EntityManager, values: unknown[]): Promise<Row[]> {
    return (await (await connectionOf(manager)).query({ name: this.name, text: this.text, values })).rows as Row[];
  }
}

/** TypeORM's PostgreSQL driver keeps its pg Pool as `master`; pg caches prepared statements per connection. */
function onPool(dataSource: DataSource): PgQueryable {
  return (dataSource.driver as unknown as { master: PgQueryable }).master;
}

/** The pg connection of an entity manager's query runner (its transaction's), or the pool without one. */
async function connectionOf(manager: EntityManager): Promise<PgQueryable> {
  const runner = manager.queryRunner as unknown as { connect(): Promise<PgQueryable>; isReleased: boolean } | undefined;
  return !runner || runner.isReleased ? onPool(manager.connection) : runner.connect();
}

/**
 * Named prepared statements for texts built per call that nevertheless repeat: a statement whose shape follows
 * its input (which parts a batch write has, which columns go as one value) has a handful of texts in practice.
 * Each distinct text gets a name of its own, up to `max` texts per process; texts beyond that run unnamed (each
 * is then parsed and planned again, as any one-off statement), so input can never make a connection hold an
 * unbounded number of statements. A text keeps its name for the life of the process, as pg requires.
 */
export class StatementShapes {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly max: number,
  ) {}

  /** Runs `text` on the manager's connection, named if it is one of the first `max` texts seen. */
  async runIn<Row>(manager: EntityManager, text: string, values: unknown[]): Promise<Row[]> {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.max) {
      name = `${this.prefix}.${this.names.size + 1}`;
      this.names.set(text, name);
    }
    const connection = await connectionOf(manager);
    return (await connection.query(name === undefined ? { text, values } : { name, text, values })).rows as Row[];
  }

  /** How many texts have a name (for tests). */
  get named(): number {
    return this.names.size;
  }
}
