/**
 * The embedded SLI store: good and total events per SLO and UTC minute, each row carrying the running totals
 * through its minute, so that any window is the difference of two prefix sums found by index lookups.
 * @module
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { type Clock, SystemClock } from '../clock/index.js';
import { InputError, type ProblemDetail } from '../errors/index.js';
import type { Db } from '../store/index.js';
import type { TelemetrySource, WindowRequest, WindowSli } from './telemetry-source.js';

/** Events counted at one moment; it lands in the UTC minute that contains `time`. */
export interface SliPoint {
  readonly time: Date;
  readonly good: number;
  readonly total: number;
}

export interface IngestResult {
  /** Points counted: all of the batch, or 0 when the same batch was ingested before. */
  readonly accepted: number;
  /** Distinct minutes the counted points fell in. */
  readonly minutes: number;
}

export interface DeleteBeforeResult {
  /** Per-minute rows removed. */
  readonly points: number;
  /** Batch digests removed: those too old for a batch with the same points to be accepted again. */
  readonly batches: number;
}

const MINUTE_MS = 60_000;

/** What a batch may hold; the push API documents the same limits. */
export const SLI_BATCH_LIMITS = Object.freeze({
  maxPoints: 10_000,
  maxFutureMs: 5 * MINUTE_MS,
  maxAgeMs: 400 * 24 * 60 * MINUTE_MS,
});

/** Within SQLite's 32,766 and PostgreSQL's 65,535 bound parameters, with the boundaries beside them. */
const SLO_IDS_PER_QUERY = 5_000;
const ROWS_PER_INSERT = 1_000;
const GAPS_PER_UPDATE = 2_000;
/** A boundary after every minute: the lookup through it finds an SLO's latest row. */
const LATEST = Number.MAX_SAFE_INTEGER;

interface Counts {
  readonly good: number;
  readonly total: number;
}

/** Running totals through a boundary minute, and the minute of the row they came from (undefined: the base). */
interface Cumulative extends Counts {
  readonly minute: number | undefined;
}

interface MinuteCounts extends Counts {
  readonly minute: number;
}

/** Existing rows strictly between two batch minutes, whose running totals grow by what the batch added before. */
interface Gap extends Counts {
  readonly after: number;
  readonly before: number;
}

interface CumulativeRow {
  readonly slo_id: string;
  readonly boundary: number | string;
  readonly base_good: number | string;
  readonly base_total: number | string;
  /** `minute:cum_good:cum_total` of the latest row at or before the boundary; null when there is none. */
  readonly found: string | null;
}

const NO_DATA: WindowSli = Object.freeze({ errorRatio: undefined, events: 0 });

export class EmbeddedSliStore implements TelemetrySource {
  readonly kind = 'embedded';

  private constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  static create(db: Db, clock: Clock = SystemClock.create()): EmbeddedSliStore {
    return new EmbeddedSliStore(db, clock);
  }

  /**
   * Adds a batch of points to an SLO in one transaction. A batch with the same points as one ingested before (in
   * any order) is ignored; a batch with any invalid point is refused whole with an InputError naming each one.
   */
  async ingest(sloId: string, points: ReadonlyArray<SliPoint>): Promise<IngestResult> {
    const now = this.clock.now();
    const problems = batchProblems(sloId, points, now);
    if (problems.length > 0) {
      throw new InputError(`the SLI batch for ${JSON.stringify(sloId)} was refused and nothing was stored`, {
        details: problems,
      });
    }
    if (points.length === 0) return { accepted: 0, minutes: 0 };
    const minutes = countsByMinute(points);
    const digest = batchDigest(points);
    const receivedAt = now.toISOString();

    return this.db.transaction().execute(async (tx) => {
      const fresh = await tx
        .insertInto('slo_point_batches')
        .values({ slo_id: sloId, digest, received_at: receivedAt })
        .onConflict((conflict) => conflict.columns(['slo_id', 'digest']).doNothing())
        .returning('digest')
        .executeTakeFirst();
      if (fresh === undefined) return { accepted: 0, minutes: 0 };

      // On PostgreSQL the upsert holds the series row's lock until commit, so one SLO's ingests run one at a time.
      await tx
        .insertInto('slo_point_series')
        .values({ slo_id: sloId, base_good: '0', base_total: '0', updated_at: receivedAt })
        .onConflict((conflict) => conflict.column('slo_id').doUpdateSet({ updated_at: receivedAt }))
        .execute();

      const boundaries = [...minutes.map((each) => each.minute - 1), LATEST];
      const through = (await cumulativeThrough(tx, [sloId], boundaries)).get(sloId) ?? new Map<number, Cumulative>();
      const at = (boundary: number): Cumulative => through.get(boundary) ?? { minute: undefined, good: 0, total: 0 };

      const rows: Array<MinuteCounts & { readonly cumGood: number; readonly cumTotal: number }> = [];
      const gaps: Gap[] = [];
      let addedGood = 0;
      let addedTotal = 0;
      minutes.forEach((each, index) => {
        addedGood += each.good;
        addedTotal += each.total;
        const before = at(each.minute - 1);
        rows.push({ ...each, cumGood: before.good + addedGood, cumTotal: before.total + addedTotal });
        const next = minutes[index + 1]?.minute;
        const latestBeforeNext = at(next === undefined ? LATEST : next - 1).minute;
        if (latestBeforeNext !== undefined && latestBeforeNext > each.minute) {
          gaps.push({ after: each.minute, before: next ?? LATEST, good: addedGood, total: addedTotal });
        }
      });

      for (let start = 0; start < gaps.length; start += GAPS_PER_UPDATE) {
        const chunk = gaps.slice(start, start + GAPS_PER_UPDATE);
        const values = sql.join(
          chunk.map(
            (gap) =>
              sql`(cast(${String(gap.after)} as bigint), cast(${String(gap.before)} as bigint), cast(${String(gap.good)} as bigint), cast(${String(gap.total)} as bigint))`,
          ),
        );
        await sql`
          update slo_points set cum_good = cum_good + g.column3, cum_total = cum_total + g.column4
          from (values ${values}) as g
          where slo_points.slo_id = ${sloId} and slo_points.minute > g.column1 and slo_points.minute < g.column2
        `.execute(tx);
      }

      for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
        await tx
          .insertInto('slo_points')
          .values(
            rows.slice(start, start + ROWS_PER_INSERT).map((row) => ({
              slo_id: sloId,
              minute: String(row.minute),
              good: String(row.good),
              total: String(row.total),
              cum_good: String(row.cumGood),
              cum_total: String(row.cumTotal),
            })),
          )
          .onConflict((conflict) =>
            conflict.columns(['slo_id', 'minute']).doUpdateSet({
              // The new row's running totals assumed the minute empty; an existing row adds its own counts.
              cum_good: sql<string>`excluded.cum_good + slo_points.good`,
              cum_total: sql<string>`excluded.cum_total + slo_points.total`,
              good: sql<string>`slo_points.good + excluded.good`,
              total: sql<string>`slo_points.total + excluded.total`,
            }),
          )
          .execute();
      }
      return { accepted: points.length, minutes: minutes.length };
    });
  }

  /**
   * The SLI of each requested SLO and window over whole UTC minutes: both ends of [end - window, end) are rounded
   * down to the minute, so a window counts the minutes that had ended by `end`, starting with the one that holds
   * `end - window` (5m ending at 10:07:30 counts 10:02 to 10:06). Each group of SLOs with the same windows is read
   * in one query per 5,000 SLOs.
   */
  async windows(requests: ReadonlyArray<WindowRequest>, end: Date): Promise<Map<string, Map<number, WindowSli>>> {
    const endMs = end.getTime();
    const problems = windowProblems(requests, endMs);
    if (problems.length > 0) throw new InputError('the SLI windows request is invalid', { details: problems });

    const lastMinute = Math.floor(endMs / MINUTE_MS) - 1;
    const startBoundary = (window: number) => Math.floor((endMs - window) / MINUTE_MS) - 1;

    const wanted = new Map<string, Set<number>>();
    for (const request of requests) {
      const windows = wanted.get(request.slo.id) ?? new Set<number>();
      for (const window of request.windows) windows.add(window);
      wanted.set(request.slo.id, windows);
    }

    const groups = new Map<string, { readonly boundaries: ReadonlyArray<number>; readonly sloIds: string[] }>();
    for (const [sloId, windows] of wanted) {
      const boundaries = [...new Set([lastMinute, ...[...windows].map(startBoundary)])].sort((a, b) => a - b);
      const key = boundaries.join(',');
      const group = groups.get(key) ?? { boundaries, sloIds: [] };
      group.sloIds.push(sloId);
      groups.set(key, group);
    }

    const through = new Map<string, Map<number, Cumulative>>();
    for (const { boundaries, sloIds } of groups.values()) {
      for (let start = 0; start < sloIds.length; start += SLO_IDS_PER_QUERY) {
        const found = await cumulativeThrough(this.db, sloIds.slice(start, start + SLO_IDS_PER_QUERY), boundaries);
        for (const [sloId, byBoundary] of found) through.set(sloId, byBoundary);
      }
    }

    const result = new Map<string, Map<number, WindowSli>>();
    for (const [sloId, windows] of wanted) {
      const byBoundary = through.get(sloId);
      const sli = new Map<number, WindowSli>();
      for (const window of windows) {
        const last = byBoundary?.get(lastMinute);
        const first = byBoundary?.get(startBoundary(window));
        sli.set(window, last === undefined || first === undefined ? NO_DATA : windowSli(last, first));
      }
      result.set(sloId, sli);
    }
    return result;
  }

  /**
   * Removes the minutes that ended by `cutoff`, keeping their totals as each SLO's base so that windows over what
   * remains still count right, and forgets batch digests too old for their points to be accepted again.
   */
  async deleteBefore(cutoff: Date): Promise<DeleteBeforeResult> {
    const cutoffMs = cutoff.getTime();
    if (!Number.isFinite(cutoffMs)) {
      throw new InputError('the retention cut-off is invalid', {
        details: [{ path: 'cutoff', message: 'must be a valid date' }],
      });
    }
    const cutoffMinute = String(Math.floor(cutoffMs / MINUTE_MS));
    const now = this.clock.now();
    const forgetBefore = new Date(now.getTime() - SLI_BATCH_LIMITS.maxAgeMs - SLI_BATCH_LIMITS.maxFutureMs);
    return this.db.transaction().execute(async (tx) => {
      // Locks every series first, so that the bases read by the next statement include every ingest before it.
      await tx.updateTable('slo_point_series').set({ updated_at: now.toISOString() }).execute();
      const latestRemoved = (column: 'cum_good' | 'cum_total') => sql`(
        select ${sql.ref(`q.${column}`)} from slo_points q
        where q.slo_id = slo_point_series.slo_id and q.minute < ${cutoffMinute}
        order by q.minute desc limit 1)`;
      await sql`
        update slo_point_series
        set base_good = ${latestRemoved('cum_good')}, base_total = ${latestRemoved('cum_total')}
        where exists (
          select 1 from slo_points q where q.slo_id = slo_point_series.slo_id and q.minute < ${cutoffMinute})
      `.execute(tx);
      const points = await tx
        .deleteFrom('slo_points')
        .where('slo_id', 'in', (eb) => eb.selectFrom('slo_point_series').select('slo_id'))
        .where('minute', '<', cutoffMinute)
        .executeTakeFirst();
      const batches = await tx
        .deleteFrom('slo_point_batches')
        .where('received_at', '<', forgetBefore.toISOString())
        .executeTakeFirst();
      return { points: Number(points.numDeletedRows), batches: Number(batches.numDeletedRows) };
    });
  }
}

function windowSli(last: Counts, first: Counts): WindowSli {
  const total = last.total - first.total;
  const good = last.good - first.good;
  return { errorRatio: total === 0 ? undefined : (total - good) / total, events: total };
}

/**
 * For each SLO with data and each boundary minute, the running totals through that minute: those of the latest row
 * at or before it, else the SLO's base. SLOs without data are absent.
 */
async function cumulativeThrough(
  db: Db,
  sloIds: ReadonlyArray<string>,
  boundaries: ReadonlyArray<number>,
): Promise<Map<string, Map<number, Cumulative>>> {
  const result = new Map<string, Map<number, Cumulative>>();
  if (sloIds.length === 0 || boundaries.length === 0) return result;
  const values = sql.join(boundaries.map((boundary) => sql`(cast(${String(boundary)} as bigint))`));
  // One lookup answers all three columns: joining back to slo_points lets PostgreSQL hash the whole table instead.
  const { rows } = await sql<CumulativeRow>`
    select h.slo_id, b.column1 as boundary, h.base_good, h.base_total,
      (select q.minute || ':' || q.cum_good || ':' || q.cum_total from slo_points q
        where q.slo_id = h.slo_id and q.minute <= b.column1 order by q.minute desc limit 1) as found
    from slo_point_series h cross join (values ${values}) as b
    where h.slo_id in (${sql.join(sloIds)})
  `.execute(db);
  for (const row of rows) {
    const byBoundary = result.get(row.slo_id) ?? new Map<number, Cumulative>();
    byBoundary.set(Number(row.boundary), cumulativeOf(row));
    result.set(row.slo_id, byBoundary);
  }
  return result;
}

function cumulativeOf(row: CumulativeRow): Cumulative {
  if (row.found === null) return { minute: undefined, good: Number(row.base_good), total: Number(row.base_total) };
  const [minute, good, total] = row.found.split(':').map(Number);
  if (minute === undefined || good === undefined || total === undefined) {
    throw new Error(`unreadable running totals for SLO ${row.slo_id}: ${row.found}`);
  }
  return { minute, good, total };
}

/** The batch's points summed per UTC minute, in minute order. */
function countsByMinute(points: ReadonlyArray<SliPoint>): MinuteCounts[] {
  const byMinute = new Map<number, { good: number; total: number }>();
  for (const point of points) {
    const minute = Math.floor(point.time.getTime() / MINUTE_MS);
    const counts = byMinute.get(minute);
    if (counts === undefined) byMinute.set(minute, { good: point.good, total: point.total });
    else {
      counts.good += point.good;
      counts.total += point.total;
    }
  }
  return [...byMinute]
    .map(([minute, counts]) => ({ minute, good: counts.good, total: counts.total }))
    .sort((a, b) => a.minute - b.minute);
}

/** SHA-256 of the points in a canonical order, so a batch resent in another order is still the same batch. */
function batchDigest(points: ReadonlyArray<SliPoint>): string {
  const lines = points
    .map((point) => [point.time.getTime(), point.good, point.total] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
    .map(([time, good, total]) => `${time} ${good} ${total}\n`);
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return hash.digest('hex');
}

function batchProblems(sloId: string, points: ReadonlyArray<SliPoint>, now: Date): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  if (typeof sloId !== 'string' || sloId === '') problems.push({ path: 'sloId', message: 'must not be empty' });
  if (points.length > SLI_BATCH_LIMITS.maxPoints) {
    problems.push({
      path: 'points',
      message: `holds ${points.length} points; a batch holds at most ${SLI_BATCH_LIMITS.maxPoints}`,
    });
    return problems;
  }
  const latest = now.getTime() + SLI_BATCH_LIMITS.maxFutureMs;
  const earliest = now.getTime() - SLI_BATCH_LIMITS.maxAgeMs;
  points.forEach((point, index) => {
    const path = `points[${index}]`;
    const time = point.time instanceof Date ? point.time.getTime() : Number.NaN;
    if (!Number.isFinite(time)) problems.push({ path: `${path}.time`, message: 'must be a valid date' });
    else if (time > latest) {
      problems.push({ path: `${path}.time`, message: 'is more than 5 minutes ahead of the clock' });
    } else if (time < earliest) problems.push({ path: `${path}.time`, message: 'is more than 400 days old' });
    const goodValid = isCount(point.good);
    const totalValid = isCount(point.total);
    if (!goodValid) problems.push({ path: `${path}.good`, message: 'must be a whole number of events, 0 or more' });
    if (!totalValid) problems.push({ path: `${path}.total`, message: 'must be a whole number of events, 0 or more' });
    if (goodValid && totalValid && point.good > point.total) {
      problems.push({ path: `${path}.good`, message: `must not exceed total (${point.good} > ${point.total})` });
    }
  });
  return problems;
}

function windowProblems(requests: ReadonlyArray<WindowRequest>, endMs: number): ProblemDetail[] {
  const problems: ProblemDetail[] = [];
  if (!Number.isFinite(endMs)) problems.push({ path: 'end', message: 'must be a valid date' });
  requests.forEach((request, index) => {
    request.windows.forEach((window, windowIndex) => {
      if (!Number.isFinite(window) || window < 0) {
        problems.push({ path: `requests[${index}].windows[${windowIndex}]`, message: 'must be 0 ms or more' });
      }
    });
  });
  return problems;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
