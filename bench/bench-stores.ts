/**
 * Stores for the benchmarks: cleanup in reverse order, how a SQLite store is set up, and the sparse SLO history
 * that the slo-store and slo benchmarks both read.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../src/store/index.js';
import { reasonOf } from '../test/support/postgres-cluster.js';

const MINUTE = 60_000;

export type Defer = (close: () => Promise<unknown>) => void;

/** Runs `work`, then whatever it deferred in reverse order, whether or not it failed. */
export async function withCleanup<T>(bench: string, work: (defer: Defer) => Promise<T>): Promise<T> {
  const closers: Array<() => Promise<unknown>> = [];
  try {
    return await work((close) => closers.push(close));
  } finally {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => {
        process.stderr.write(`${bench} bench: cleanup failed: ${reasonOf(error)}\n`);
      });
    }
  }
}

/** The SQLite version and the durability settings read back from the store. */
export async function describeSqlite(db: Db): Promise<string> {
  const version = await sql<{ version: string }>`select sqlite_version() as version`.execute(db);
  const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
  const synchronous = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
  const level = synchronous.rows[0]?.synchronous;
  const levelName = level === undefined ? 'unknown' : (['OFF', 'NORMAL', 'FULL', 'EXTRA'][level] ?? String(level));
  return (
    `SQLite ${version.rows[0]?.version ?? '?'} (journal_mode=${journal.rows[0]?.journal_mode ?? '?'}, ` +
    `synchronous=${levelName})`
  );
}

export const SPARSE_SLOS = 10_000;
const RECENT_POINTS = 432;
export const RECENT_STEP_MINUTES = 10;
const DAILY_POINTS = 27;

export interface SparseHistoryOptions {
  /** SLO `i` is `<idPrefix><i>`. */
  readonly idPrefix: string;
  /** Failed requests taken from each point's total, over `slos.i` and `steps.j`. */
  readonly errors: RawBuilder<unknown>;
}

/**
 * One point every RECENT_STEP_MINUTES minutes over 3 days and one a day back to 30 days for each of SPARSE_SLOS
 * SLOs, ending the minute before `end`: recursive CTEs for the SLOs and points, sum() over for the running totals,
 * the same statements on SQLite and PostgreSQL. Answers how long it took.
 */
export async function writeSparseHistory(db: Db, end: Date, options: SparseHistoryOptions): Promise<number> {
  const start = performance.now();
  const lastMinute = Math.floor(end.getTime() / MINUTE) - 1;
  const recent = RECENT_POINTS * RECENT_STEP_MINUTES;
  await db.transaction().execute(async (tx) => {
    await sql`
      with recursive slos(i) as (select 0 union all select i + 1 from slos where i < ${sql.lit(SPARSE_SLOS - 1)}),
      steps(j) as (select 0 union all select j + 1 from steps where j < ${sql.lit(RECENT_POINTS + DAILY_POINTS - 1)}),
      points as (
        select ${sql.lit(options.idPrefix)} || slos.i as slo_id,
          case when steps.j < ${sql.lit(RECENT_POINTS)}
            then ${sql.lit(lastMinute)} - steps.j * ${sql.lit(RECENT_STEP_MINUTES)}
            else ${sql.lit(lastMinute)} - ${sql.lit(recent)} - (steps.j - ${sql.lit(RECENT_POINTS)}) * 1440 end as minute,
          100 + (slos.i + steps.j) % 50 - ${options.errors} as good,
          100 + (slos.i + steps.j) % 50 as total
        from slos cross join steps)
      insert into slo_points (slo_id, minute, good, total, cum_good, cum_total)
      select slo_id, minute, good, total,
        sum(good) over (partition by slo_id order by minute), sum(total) over (partition by slo_id order by minute)
      from points
    `.execute(tx);
    await sql`
      with recursive slos(i) as (select 0 union all select i + 1 from slos where i < ${sql.lit(SPARSE_SLOS - 1)})
      insert into slo_point_series (slo_id, base_good, base_total, updated_at)
      select ${sql.lit(options.idPrefix)} || slos.i, 0, 0, ${end.toISOString()} from slos
    `.execute(tx);
  });
  // Statistics as PostgreSQL's autovacuum would gather them after a load this size.
  await sql`analyze`.execute(db);
  return performance.now() - start;
}

export async function countPoints(db: Db): Promise<number> {
  const row = await db
    .selectFrom('slo_points')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
