import type BetterSqlite3 from 'better-sqlite3';

/** The slice of better-sqlite3 Kysely's SQLite dialect uses. */
export interface SqliteDatabaseLike {
  prepare(sql: string): BetterSqlite3.Statement;
  close(): void;
}

/**
 * Keeps prepared statements by their SQL text. Kysely prepares every query afresh, and preparing costs more than
 * running the small statements the ledger and projectors issue; the same query shape gives the same text, so most
 * queries reuse a statement. A statement still busy (a streamed query) is not shared: a fresh one is prepared.
 */
export class StatementCache implements SqliteDatabaseLike {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  private constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly capacity: number,
  ) {}

  static wrap(database: BetterSqlite3.Database, capacity = 500): StatementCache {
    return new StatementCache(database, capacity);
  }

  prepare(sql: string): BetterSqlite3.Statement {
    const cached = this.statements.get(sql);
    if (cached !== undefined && !cached.busy) {
      // Re-inserting keeps the map in least-recently-used order.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.database.prepare(sql);
    if (cached === undefined) {
      this.statements.set(sql, statement);
      if (this.statements.size > this.capacity) {
        const oldest = this.statements.keys().next();
        if (oldest.done !== true) this.statements.delete(oldest.value);
      }
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.database.close();
  }
}
