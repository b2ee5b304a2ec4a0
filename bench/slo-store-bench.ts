/**
 * The embedded SLI store: ingesting batches of 1,000 points on SQLite at its default durability, beside plain
 * INSERTs of the same rows into a scratch table; and one evaluation tick, `windows()` for 10,000 SLOs × 8 windows,
 * beside a full-table count, on SQLite and (unless BENCH_POSTGRES=0) on a throwaway PostgreSQL cluster. The tick
 * reads a sparse history written by SQL, not through ingest: one point every 10 minutes over 3 days and one a day
 * back to 30 days per SLO, since per-minute data for 10,000 SLOs would be 43 million rows for 3 days alone.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { SystemClock } from '../src/clock/index.js';
import type { SloDefinition } from '../src/slo/types.js';
import { type Db, openStore } from '../src/store/index.js';
import { EmbeddedSliStore, type SliPoint } from '../src/telemetry/embedded-sli-store.js';
import type { WindowRequest } from '../src/telemetry/telemetry-source.js';
import { type PostgresCluster, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { testSlo } from '../test/support/test-slo.js';
import {
  countPoints,
  describeSqlite,
  RECENT_STEP_MINUTES,
  SPARSE_SLOS as TICK_SLOS,
  writeSparseHistory,
} from './bench-stores.js';
import {
  type BenchOptions,
  type BenchOutcome,
  formatCount,
  formatMs,
  formatRate,
  formatRatio,
  measureInTurn,
  median,
  meter,
  rateOf,
  verdict,
} from './measure.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BATCH_POINTS = 1_000;
/** Ingest batches take turns over this many SLOs, each moving forward from 399 days ago, to stay within 400 days. */
const INGEST_SLOS = 200;
const TICK_WINDOWS = [5 * MINUTE, 30 * MINUTE, 60 * MINUTE, 2 * 60 * MINUTE, 6 * 60 * MINUTE, DAY, 3 * DAY, 30 * DAY];

const TARGET_POINTS_PER_SECOND = 50_000;
const TARGET_TICK_MS = 1_000;

export interface SloStoreBenchSettings {
  /** Whether to start a throwaway PostgreSQL cluster for the tick's PostgreSQL figures. */
  readonly postgres: boolean;
}

export interface IngestFigures {
  readonly store: string;
  readonly batches: number;
  readonly pointsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly anchorRowsPerSecond: number;
}

export interface TickFigures {
  readonly store: string;
  readonly rows: number;
  readonly buildMs: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly anchorMedianMs: number;
}

export type PostgresTick = BenchOutcome<TickFigures>;

export interface SloStoreBenchResult {
  readonly ingest: IngestFigures;
  readonly sqliteTick: TickFigures;
  readonly postgresTick: PostgresTick;
}

export async function sloStoreBench(
  options: BenchOptions,
  settings: SloStoreBenchSettings,
): Promise<SloStoreBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sre-bench-slo-'));
  try {
    const ingest = await withStore(join(dir, 'ingest.db'), async (db) => ingestFigures(db, options));
    const sqliteTick = await withStore(join(dir, 'tick.db'), async (db) =>
      tickFigures(db, await describeSqlite(db), options),
    );
    const postgresTick: PostgresTick = settings.postgres
      ? await postgresTickFigures(options)
      : { status: 'skipped', reason: 'BENCH_POSTGRES=0' };
    return { ingest, sqliteTick, postgresTick };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatSloStoreBench(result: SloStoreBenchResult): ReadonlyArray<string> {
  const ingest = result.ingest;
  const lines = [
    `slo-store ingest (EmbeddedSliStore.ingest, ${ingest.store}, ${formatCount(BATCH_POINTS)} points per batch ` +
      `in ${formatCount(BATCH_POINTS)} new minutes of one SLO): ${formatRate(ingest.pointsPerSecond)} points/s, ` +
      `p50 ${formatMs(ingest.p50Ms)}, p99 ${formatMs(ingest.p99Ms)} per batch (${formatCount(ingest.batches)} batches)` +
      ` | anchor plain INSERT of the same rows, one transaction per batch: ${formatRate(ingest.anchorRowsPerSecond)} rows/s` +
      ` | ratio ${formatRatio(ingest.anchorRowsPerSecond / ingest.pointsPerSecond)}` +
      ` | target ≥ ${formatCount(TARGET_POINTS_PER_SECOND)} points/s: ${verdict(ingest.pointsPerSecond >= TARGET_POINTS_PER_SECOND)}`,
    formatTick(result.sqliteTick),
  ];
  const postgres = result.postgresTick;
  if (postgres.status === 'measured') lines.push(formatTick(postgres.figures));
  else lines.push(`slo-store windows tick on PostgreSQL ${postgres.status}: ${postgres.reason}`);
  return lines;
}

function formatTick(figures: TickFigures): string {
  return (
    `slo-store windows tick (EmbeddedSliStore.windows, ${figures.store}, ${formatCount(TICK_SLOS)} SLOs × ` +
    `${TICK_WINDOWS.length} windows from 5m to 30d; sparse history of ${formatCount(figures.rows)} rows: one point ` +
    `every ${RECENT_STEP_MINUTES} minutes over 3 days and one a day back to 30 days per SLO, written by SQL in ` +
    `${formatSeconds(figures.buildMs)}): median ${formatMs(figures.medianMs)}, max ${formatMs(figures.maxMs)} ` +
    `of ${figures.runs} runs | anchor count(*) over the whole table: ${formatMs(figures.anchorMedianMs)}` +
    ` | ratio ${formatRatio(figures.medianMs / figures.anchorMedianMs)}` +
    ` | target ≤ ${formatMs(TARGET_TICK_MS)}: ${verdict(figures.medianMs <= TARGET_TICK_MS)}`
  );
}

async function withStore<T>(file: string, work: (db: Db) => Promise<T>): Promise<T> {
  const store = await openStore({ dialect: 'sqlite', file });
  try {
    return await work(store.db);
  } finally {
    await store.close();
  }
}

/** Batch n goes to SLO n mod INGEST_SLOS, in the next 1,000 minutes after that SLO's previous batch. */
function batchSource(start: Date): () => { readonly sloId: string; readonly points: SliPoint[] } {
  let batch = 0;
  const firstMinute = Math.floor(start.getTime() / MINUTE);
  return () => {
    const sloId = `bench-ingest-${batch % INGEST_SLOS}`;
    const minute = firstMinute + Math.floor(batch / INGEST_SLOS) * BATCH_POINTS;
    batch += 1;
    const points = Array.from({ length: BATCH_POINTS }, (_, index): SliPoint => {
      const total = 100 + ((batch + index) % 50);
      return { time: new Date((minute + index) * MINUTE + 15_000), good: total - (index % 3), total };
    });
    return { sloId, points };
  };
}

async function ingestFigures(db: Db, options: BenchOptions): Promise<IngestFigures> {
  const clock = SystemClock.create();
  const store = EmbeddedSliStore.create(db, clock);
  const nextBatch = batchSource(new Date(clock.now().getTime() - 399 * DAY));
  let batches = 0;
  const subject = meter(async () => {
    const { sloId, points } = nextBatch();
    const result = await store.ingest(sloId, points);
    if (result.accepted !== BATCH_POINTS) throw new Error(`a bench batch was not accepted whole: ${result.accepted}`);
    batches += 1;
    return BATCH_POINTS;
  });

  await sql`
    create table bench_points_anchor (slo_id text not null, minute bigint not null, good bigint not null,
      total bigint not null, cum_good bigint not null, cum_total bigint not null, primary key (slo_id, minute))
  `.execute(db);
  const nextAnchorBatch = batchSource(new Date(clock.now().getTime() - 399 * DAY));
  const anchor = meter(async () => {
    const { sloId, points } = nextAnchorBatch();
    let cumGood = 0;
    let cumTotal = 0;
    const rows = points.map((point) => {
      cumGood += point.good;
      cumTotal += point.total;
      const values = [Math.floor(point.time.getTime() / MINUTE), point.good, point.total, cumGood, cumTotal];
      return sql`(${sloId}, ${sql.join(values.map(String))})`;
    });
    await db.transaction().execute((tx) => sql`insert into bench_points_anchor values ${sql.join(rows)}`.execute(tx));
    return BATCH_POINTS;
  });

  await measureInTurn([subject, anchor], options.seconds);
  const ingested = rateOf(subject);
  return {
    store: await describeSqlite(db),
    batches,
    pointsPerSecond: ingested.perSecond,
    p50Ms: ingested.p50Ms,
    p99Ms: ingested.p99Ms,
    anchorRowsPerSecond: rateOf(anchor).perSecond,
  };
}

/** Writes the sparse history with running totals by window function, then times ticks against a count. */
async function tickFigures(db: Db, store: string, options: BenchOptions): Promise<TickFigures> {
  const end = SystemClock.create().now();
  const buildMs = await writeSparseHistory(db, end, { idPrefix: TICK_ID_PREFIX, errors: sql`(slos.i + steps.j) % 3` });
  const rows = await countPoints(db);
  const source = EmbeddedSliStore.create(db, SystemClock.create());
  const requests: WindowRequest[] = Array.from({ length: TICK_SLOS }, (_, index) => ({
    slo: benchSlo(tickSloId(index)),
    windows: TICK_WINDOWS,
  }));
  await checkTick(db, source, requests, end);

  const subject: number[] = [];
  const anchor: number[] = [];
  const budget = options.seconds * 1000;
  const total = (samples: ReadonlyArray<number>) => samples.reduce((sum, each) => sum + each, 0);
  while (subject.length < 3 || total(subject) < budget || total(anchor) < budget) {
    subject.push(await timed(() => source.windows(requests, end)));
    anchor.push(
      await timed(() =>
        db
          .selectFrom('slo_points')
          .select((eb) => eb.fn.countAll().as('n'))
          .execute(),
      ),
    );
  }
  return {
    store,
    rows,
    buildMs,
    runs: subject.length,
    medianMs: median(subject),
    maxMs: Math.max(...subject),
    anchorMedianMs: median(anchor),
  };
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

const TICK_ID_PREFIX = 'bench-tick-';

function tickSloId(index: number): string {
  return `${TICK_ID_PREFIX}${index}`;
}

/** A few SLOs' windows against sums over their rows, so the figure is of a tick that answers right. */
async function checkTick(
  db: Db,
  source: EmbeddedSliStore,
  requests: ReadonlyArray<WindowRequest>,
  end: Date,
): Promise<void> {
  const answers = await source.windows(requests, end);
  if (answers.size !== TICK_SLOS) throw new Error(`the tick answered ${answers.size} SLOs, not ${TICK_SLOS}`);
  const endMinute = Math.floor(end.getTime() / MINUTE);
  for (const index of [0, 4_321, TICK_SLOS - 1]) {
    const sloId = tickSloId(index);
    for (const window of TICK_WINDOWS) {
      const first = Math.floor((end.getTime() - window) / MINUTE);
      const row = await db
        .selectFrom('slo_points')
        .select((eb) => [
          eb.fn.sum<number | string | null>('good').as('good'),
          eb.fn.sum<number | string | null>('total').as('total'),
        ])
        .where('slo_id', '=', sloId)
        .where('minute', '>=', String(first))
        .where('minute', '<', String(endMinute))
        .executeTakeFirstOrThrow();
      const total = Number(row.total ?? 0);
      const expected = total === 0 ? undefined : (total - Number(row.good ?? 0)) / total;
      const actual = answers.get(sloId)?.get(window);
      if (actual?.events !== total || actual.errorRatio !== expected) {
        throw new Error(
          `the tick's ${window} ms window for ${sloId} is ${JSON.stringify(actual)}, not ${total} events`,
        );
      }
    }
  }
}

async function postgresTickFigures(options: BenchOptions): Promise<PostgresTick> {
  let cluster: PostgresCluster | undefined;
  try {
    cluster = await startPostgresCluster();
    const store = await openStore({ dialect: 'postgres', url: await cluster.createDatabase() });
    try {
      const version = await sql<{ server_version: string }>`show server_version`.execute(store.db);
      const name = `PostgreSQL ${version.rows[0]?.server_version.split(' ')[0] ?? '?'}`;
      return { status: 'measured', figures: await tickFigures(store.db, name, options) };
    } finally {
      await store.close();
    }
  } catch (error: unknown) {
    return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await cluster?.stop();
  }
}

function benchSlo(id: string): SloDefinition {
  return testSlo({
    id,
    service: 'bench',
    name: id,
    objectivePercent: 99.9,
    period: { kind: 'rolling', duration: 30 * DAY, text: '30d' },
    sli: { kind: 'errors', errorQuery: 'errors[{{.window}}]', totalQuery: 'total[{{.window}}]' },
    source: { format: 'sloth', file: 'bench', line: 1, spec: 'prometheus/v1' },
  });
}

function formatSeconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}
