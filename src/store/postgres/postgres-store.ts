import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';
import type { Db, Store } from '../store.js';

/** PostgreSQL 14+ for teams that run several replicas. */
export class PostgresStore implements Store {
  readonly dialect = 'postgres';

  private constructor(
    readonly db: Db,
    private readonly pool: pg.Pool,
  ) {}

  static open(url: string, poolSize = 10, onIdleError: (error: Error) => void = () => {}): PostgresStore {
    const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 30_000 });
    // A connection dropped while idle must not take the process down; the next query reconnects.
    pool.on('error', onIdleError);
    return new PostgresStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    if (!this.pool.ended) await this.pool.end();
  }
}
