import type { DataSource, EntityManager } from 'typeorm';

/** What pg's Pool and Client have in common. */
interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
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
    // TypeORM's PostgreSQL driver keeps its pg Pool as `master`; pg caches prepared statements per connection.
    const pool = (dataSource.driver as unknown as { master: PgQueryable }).master;
    const result = await pool.query({ name: this.name, text: this.text, values });
    return result.rows as Row[];
  }

  async runIn(manager: EntityManager, values: unknown[]): Promise<Row[]> {
    const runner = manager.queryRunner as unknown as { connect(): Promise<PgQueryable>; isReleased: boolean } | undefined;
    if (!runner || runner.isReleased) return this.run(manager.connection, values);
    const result = await (await runner.connect()).query({ name: this.name, text: this.text, values });
    return result.rows as Row[];
  }
}
