import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { Db, Store } from '../store.js';
import { StatementCache } from './statement-cache.js';

/** The embedded default: one SQLite file in WAL mode. */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite';

  private constructor(readonly db: Db) {}

  static open(file: string): SqliteStore {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new BetterSqlite3(file);
    database.pragma('journal_mode = WAL');
    // FULL: a commit the ledger acknowledges is on disk before the caller hears of it, even across a power cut.
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    // A writer waits this long for another's transaction (another process, or the CLI beside the server).
    database.pragma('busy_timeout = 30000');
    return new SqliteStore(
      new Kysely<Database>({ dialect: new SqliteDialect({ database: StatementCache.wrap(database) }) }),
    );
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
