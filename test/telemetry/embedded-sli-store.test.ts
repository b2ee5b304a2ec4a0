import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import fc from 'fast-check';
import { FixedClock } from '../../src/clock/index.js';
import { InputError } from '../../src/errors/index.js';
import type { SloDefinition } from '../../src/slo/types.js';
import type { StoreDialect } from '../../src/store/index.js';
import { EmbeddedSliStore, type SliPoint } from '../../src/telemetry/embedded-sli-store.js';
import type { WindowSli } from '../../src/telemetry/telemetry-source.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { testSlo } from '../support/test-slo.js';
import { DIALECTS, openTestStore, type TestStore } from '../support/test-store.js';

after(stopSharedPostgres);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const NOW = new Date('2026-03-02T10:07:30.000Z');
const NO_DATA: WindowSli = { errorRatio: undefined, events: 0 };

function slo(id: string): SloDefinition {
  return testSlo({
    id,
    service: 'payments',
    name: id,
    objectivePercent: 99.9,
    period: { kind: 'rolling', duration: 30 * DAY, text: '30d' },
    sli: { kind: 'errors', errorQuery: 'errors[{{.window}}]', totalQuery: 'total[{{.window}}]' },
    source: { format: 'sloth', file: 'slos.yaml', line: 1, spec: 'prometheus/v1' },
  });
}

function at(iso: string, good: number, total: number): SliPoint {
  return { time: new Date(iso), good, total };
}

async function fixture(
  dialect: StoreDialect,
  t: TestContext,
): Promise<{ readonly store: EmbeddedSliStore; readonly clock: FixedClock; readonly testStore: TestStore }> {
  const testStore = await openTestStore(dialect);
  t.after(testStore.cleanup);
  const clock = FixedClock.at(NOW);
  return { store: EmbeddedSliStore.create(testStore.store.db, clock), clock, testStore };
}

async function windowsOf(
  store: EmbeddedSliStore,
  sloId: string,
  windows: ReadonlyArray<number>,
  end: Date,
): Promise<Map<number, WindowSli>> {
  const result = await store.windows([{ slo: slo(sloId), windows }], end);
  const sli = result.get(sloId);
  assert.ok(sli !== undefined, `no answer for ${sloId}`);
  return sli;
}

async function rowCounts(testStore: TestStore): Promise<Record<string, number>> {
  const db = testStore.store.db;
  const count = async (table: 'slo_points' | 'slo_point_batches' | 'slo_point_series') => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    slo_points: await count('slo_points'),
    slo_point_batches: await count('slo_point_batches'),
    slo_point_series: await count('slo_point_series'),
  };
}

/** The window over the points themselves: the minutes from the one holding end - window to the last one ended. */
function bruteForce(points: ReadonlyArray<SliPoint>, window: number, end: Date): WindowSli {
  const first = Math.floor((end.getTime() - window) / MINUTE);
  const last = Math.floor(end.getTime() / MINUTE) - 1;
  let good = 0;
  let total = 0;
  for (const point of points) {
    const minute = Math.floor(point.time.getTime() / MINUTE);
    if (minute >= first && minute <= last) {
      good += point.good;
      total += point.total;
    }
  }
  return { errorRatio: total === 0 ? undefined : (total - good) / total, events: total };
}

function batchKey(points: ReadonlyArray<SliPoint>): string {
  return points
    .map((point) => `${point.time.getTime()} ${point.good} ${point.total}`)
    .sort()
    .join('\n');
}

function assertRefused(error: unknown, paths: ReadonlyArray<string>): true {
  assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
  assert.deepEqual(
    error.details.map((detail) => detail.path),
    paths,
  );
  for (const detail of error.details) assert.ok(detail.message.length > 0);
  return true;
}

const pointArbitrary = fc
  .record({
    // Minutes from 5 ahead of the clock to 4 hours back, few enough that minutes are shared.
    secondsBack: fc.integer({ min: -300, max: 4 * 3600 }),
    total: fc.integer({ min: 0, max: 1_000 }),
    goodShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(
    ({ secondsBack, total, goodShare }): SliPoint => ({
      time: new Date(NOW.getTime() - secondsBack * 1000),
      good: Math.floor(total * goodShare),
      total,
    }),
  );

for (const dialect of DIALECTS) {
  describe(`${dialect}: embedded SLI store`, () => {
    test('windows equal a brute-force sum over the ingested points, late and repeated batches included', async (t) => {
      const { store } = await fixture(dialect, t);
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(pointArbitrary, { maxLength: 12 }), { minLength: 1, maxLength: 6 }),
          fc.array(fc.nat({ max: 5 }), { maxLength: 3 }),
          fc.array(
            fc.oneof(
              fc.integer({ min: 0, max: 5 * 3600 }).map((seconds) => seconds * 1000),
              fc.integer({ min: 0, max: 5 * 3600 * 1000 }),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          fc.integer({ min: -600, max: 5 * 3600 }),
          async (batches, resent, windows, endSecondsBack) => {
            run += 1;
            const sloId = `property-${run}`;
            const sent = [...batches, ...resent.flatMap((index) => batches.slice(index, index + 1))];
            const counted: SliPoint[] = [];
            const seen = new Set<string>();
            for (const batch of sent) {
              const key = batchKey(batch);
              const result = await store.ingest(sloId, batch);
              const first = batch.length > 0 && !seen.has(key);
              assert.equal(result.accepted, first ? batch.length : 0);
              if (first) counted.push(...batch);
              seen.add(key);
            }
            const end = new Date(NOW.getTime() - endSecondsBack * 1000);
            const sli = await windowsOf(store, sloId, windows, end);
            for (const window of windows) {
              const expected = bruteForce(counted, window, end);
              const actual = sli.get(window);
              assert.equal(actual?.events, expected.events, `events over ${window} ms ending ${end.toISOString()}`);
              if (expected.errorRatio === undefined) assert.equal(actual?.errorRatio, undefined);
              else assert.ok(Math.abs((actual?.errorRatio ?? Number.NaN) - expected.errorRatio) < 1e-12);
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    test('counts a repeated batch once, in whatever order its points come', async (t) => {
      const { store, testStore } = await fixture(dialect, t);
      const batch = [
        at('2026-03-02T10:00:10.000Z', 90, 100),
        at('2026-03-02T10:00:50.000Z', 10, 10),
        at('2026-03-02T10:03:00.000Z', 5, 10),
      ];

      assert.deepEqual(await store.ingest('checkout', batch), { accepted: 3, minutes: 2 });
      assert.deepEqual(await store.ingest('checkout', batch), { accepted: 0, minutes: 0 });
      assert.deepEqual(await store.ingest('checkout', [...batch].reverse()), { accepted: 0, minutes: 0 });

      const sli = await windowsOf(store, 'checkout', [10 * MINUTE], NOW);
      assert.deepEqual(sli.get(10 * MINUTE), { errorRatio: 15 / 120, events: 120 });
      assert.deepEqual(await rowCounts(testStore), { slo_points: 2, slo_point_batches: 1, slo_point_series: 1 });
    });

    test('refuses a batch with bad points whole, naming each one, and stores nothing', async (t) => {
      const { store, testStore } = await fixture(dialect, t);
      const batch = [
        at('2026-03-02T10:00:00.000Z', 1, 1),
        at('2026-03-02T10:01:00.000Z', -1, 1),
        at('2026-03-02T10:02:00.000Z', 1, 2.5),
        at('2026-03-02T10:03:00.000Z', 11, 10),
        { time: new Date('not a date'), good: 0, total: 0 },
      ];

      await assert.rejects(store.ingest('checkout', batch), (error) =>
        assertRefused(error, ['points[1].good', 'points[2].total', 'points[3].good', 'points[4].time']),
      );

      assert.deepEqual(await rowCounts(testStore), { slo_points: 0, slo_point_batches: 0, slo_point_series: 0 });
      assert.deepEqual((await windowsOf(store, 'checkout', [DAY], NOW)).get(DAY), NO_DATA);
    });

    test('refuses points more than 5 minutes ahead of the clock or more than 400 days old', async (t) => {
      const { store } = await fixture(dialect, t);
      const ahead = new Date(NOW.getTime() + 5 * MINUTE);
      const old = new Date(NOW.getTime() - 400 * DAY);

      await assert.rejects(
        store.ingest('checkout', [
          { time: new Date(ahead.getTime() + 1), good: 1, total: 1 },
          { time: new Date(old.getTime() - 1), good: 1, total: 1 },
        ]),
        (error) => assertRefused(error, ['points[0].time', 'points[1].time']),
      );
      assert.deepEqual(
        await store.ingest('checkout', [
          { time: ahead, good: 1, total: 1 },
          { time: old, good: 0, total: 1 },
        ]),
        { accepted: 2, minutes: 2 },
      );
      const sli = await windowsOf(store, 'checkout', [401 * DAY], new Date(ahead.getTime() + MINUTE));
      assert.deepEqual(sli.get(401 * DAY), { errorRatio: 0.5, events: 2 });
    });

    test('refuses a batch of 10,001 points and takes one of 10,000', async (t) => {
      const { store, testStore } = await fixture(dialect, t);
      const points = Array.from(
        { length: 10_001 },
        (_, index): SliPoint => ({ time: new Date(NOW.getTime() - (index + 1) * MINUTE), good: 1, total: 2 }),
      );

      await assert.rejects(store.ingest('checkout', points), (error) => assertRefused(error, ['points']));
      assert.deepEqual(await rowCounts(testStore), { slo_points: 0, slo_point_batches: 0, slo_point_series: 0 });

      assert.deepEqual(await store.ingest('checkout', points.slice(1)), { accepted: 10_000, minutes: 10_000 });
      const sli = await windowsOf(store, 'checkout', [MINUTE, 60 * MINUTE, 10 * DAY], NOW);
      assert.deepEqual(sli.get(MINUTE), NO_DATA);
      assert.deepEqual(sli.get(60 * MINUTE), { errorRatio: 0.5, events: 2 * 59 });
      assert.deepEqual(sli.get(10 * DAY), { errorRatio: 0.5, events: 2 * 10_000 });
    });

    test('a window counts the whole minutes that had ended by its end', async (t) => {
      const { store } = await fixture(dialect, t);
      await store.ingest('checkout', [
        at('2026-03-02T10:01:59.999Z', 1, 1),
        at('2026-03-02T10:02:00.000Z', 10, 10),
        at('2026-03-02T10:06:59.999Z', 100, 100),
        at('2026-03-02T10:07:00.000Z', 1000, 1000),
      ]);
      const events = async (window: number, end: string) =>
        (await windowsOf(store, 'checkout', [window], new Date(end))).get(window)?.events;

      assert.equal(await events(5 * MINUTE, '2026-03-02T10:07:30.000Z'), 110);
      assert.equal(await events(5 * MINUTE, '2026-03-02T10:07:00.000Z'), 110);
      assert.equal(await events(5 * MINUTE, '2026-03-02T10:06:59.999Z'), 11);
      assert.equal(await events(5 * MINUTE, '2026-03-02T10:08:00.000Z'), 1100);
      // The period so far: from 10:01:00, the minute that holds end - window.
      assert.equal(await events(6 * MINUTE + 30_000, '2026-03-02T10:07:30.000Z'), 111);
      assert.equal(await events(30_000, '2026-03-02T10:07:30.000Z'), 0);
      assert.equal(await events(0, '2026-03-02T10:07:30.000Z'), 0);
    });

    test('the error ratio is bad events over all events', async (t) => {
      const { store } = await fixture(dialect, t);
      await store.ingest('checkout', [at('2026-03-02T10:00:00.000Z', 990, 1000), at('2026-03-02T10:05:00.000Z', 0, 0)]);

      const sli = await windowsOf(store, 'checkout', [5 * MINUTE, 10 * MINUTE], NOW);

      assert.deepEqual(sli.get(5 * MINUTE), NO_DATA);
      assert.deepEqual(sli.get(10 * MINUTE), { errorRatio: 0.01, events: 1000 });
    });

    test('an SLO with no data has no error ratio in any window', async (t) => {
      const { store } = await fixture(dialect, t);
      await store.ingest('later', [at('2026-03-02T10:07:10.000Z', 1, 1)]);
      const windows = [5 * MINUTE, 30 * MINUTE, 60 * MINUTE, 30 * DAY];

      const result = await store.windows(
        [
          { slo: slo('never'), windows },
          { slo: slo('later'), windows },
        ],
        new Date('2026-03-02T10:07:00.000Z'),
      );

      for (const sloId of ['never', 'later']) {
        assert.deepEqual(result.get(sloId), new Map(windows.map((window) => [window, NO_DATA])));
      }
    });

    test('answers every SLO of a request in one map, windows merged when an SLO is asked twice', async (t) => {
      const { store } = await fixture(dialect, t);
      await store.ingest('a', [at('2026-03-02T09:00:00.000Z', 3, 4), at('2026-03-02T10:00:00.000Z', 1, 1)]);
      await store.ingest('b', [at('2026-03-02T10:05:00.000Z', 0, 2)]);

      const result = await store.windows(
        [
          { slo: slo('a'), windows: [60 * MINUTE] },
          { slo: slo('b'), windows: [60 * MINUTE, DAY] },
          { slo: slo('a'), windows: [DAY] },
        ],
        NOW,
      );

      assert.deepEqual(
        result,
        new Map([
          [
            'a',
            new Map([
              [60 * MINUTE, { errorRatio: 0, events: 1 }],
              [DAY, { errorRatio: 0.2, events: 5 }],
            ]),
          ],
          [
            'b',
            new Map([
              [60 * MINUTE, { errorRatio: 1, events: 2 }],
              [DAY, { errorRatio: 1, events: 2 }],
            ]),
          ],
        ]),
      );
    });

    test('a late point updates every window that reaches its minute', async (t) => {
      const { store } = await fixture(dialect, t);
      await store.ingest('checkout', [
        at('2026-03-02T09:50:00.000Z', 10, 10),
        at('2026-03-02T10:00:00.000Z', 10, 10),
        at('2026-03-02T10:05:00.000Z', 10, 10),
      ]);
      await store.ingest('checkout', [at('2026-03-02T09:55:00.000Z', 0, 5), at('2026-03-02T09:40:00.000Z', 0, 5)]);

      const sli = await windowsOf(store, 'checkout', [5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 60 * MINUTE], NOW);

      assert.equal(sli.get(5 * MINUTE)?.events, 10);
      assert.equal(sli.get(10 * MINUTE)?.events, 20);
      assert.equal(sli.get(15 * MINUTE)?.events, 25);
      assert.deepEqual(sli.get(60 * MINUTE), { errorRatio: 10 / 40, events: 40 });
    });

    test('batches for one SLO sent at once all count', async (t) => {
      const { store } = await fixture(dialect, t);
      const batches = Array.from({ length: 8 }, (_, batch) =>
        Array.from(
          { length: 20 },
          (_, index): SliPoint => ({
            time: new Date(NOW.getTime() - ((index * 7 + batch * 3) % 45) * MINUTE),
            good: batch,
            total: 10 + index,
          }),
        ),
      );

      await Promise.all(batches.map((batch) => store.ingest('checkout', batch)));

      const sli = await windowsOf(store, 'checkout', [10 * MINUTE, 30 * MINUTE, 60 * MINUTE], NOW);
      for (const window of [10 * MINUTE, 30 * MINUTE, 60 * MINUTE]) {
        assert.deepEqual(sli.get(window), bruteForce(batches.flat(), window, NOW));
      }
    });

    test('deleteBefore removes old minutes and windows over what remains still count right', async (t) => {
      const { store, clock, testStore } = await fixture(dialect, t);
      await store.ingest('checkout', [
        at('2026-03-02T09:00:00.000Z', 1, 1),
        at('2026-03-02T09:30:00.000Z', 2, 2),
        at('2026-03-02T10:00:00.000Z', 3, 4),
      ]);
      await store.ingest('quiet', [at('2026-03-02T10:00:00.000Z', 5, 5)]);

      const removed = await store.deleteBefore(new Date('2026-03-02T09:45:00.000Z'));
      assert.deepEqual(removed, { points: 2, batches: 0 });
      const after = await windowsOf(store, 'checkout', [10 * MINUTE, 60 * MINUTE, 2 * 60 * MINUTE], NOW);
      assert.deepEqual(after.get(10 * MINUTE), { errorRatio: 0.25, events: 4 });
      assert.deepEqual(after.get(60 * MINUTE), { errorRatio: 0.25, events: 4 });
      assert.deepEqual(after.get(2 * 60 * MINUTE), { errorRatio: 0.25, events: 4 });

      // A late point before the cut-off still lands in the windows that reach it.
      await store.ingest('checkout', [at('2026-03-02T09:20:00.000Z', 0, 4)]);
      const late = await windowsOf(store, 'checkout', [10 * MINUTE, 60 * MINUTE], NOW);
      assert.deepEqual(late.get(10 * MINUTE), { errorRatio: 0.25, events: 4 });
      assert.deepEqual(late.get(60 * MINUTE), { errorRatio: 5 / 8, events: 8 });
      assert.deepEqual((await windowsOf(store, 'quiet', [10 * MINUTE], NOW)).get(10 * MINUTE), {
        errorRatio: 0,
        events: 5,
      });

      clock.advance(400 * DAY + 5 * MINUTE + 1);
      assert.deepEqual(await store.deleteBefore(clock.now()), { points: 3, batches: 3 });
      assert.deepEqual(await rowCounts(testStore), { slo_points: 0, slo_point_batches: 0, slo_point_series: 2 });
    });

    test('refuses a windows request with an invalid end or window', async (t) => {
      const { store } = await fixture(dialect, t);

      await assert.rejects(store.windows([{ slo: slo('checkout'), windows: [-1, MINUTE] }], NOW), (error) =>
        assertRefused(error, ['requests[0].windows[0]']),
      );
      await assert.rejects(store.windows([], new Date(Number.NaN)), (error) => assertRefused(error, ['end']));
    });
  });
}
