import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadCatalogueFiles } from '../../src/catalogue/index.js';
import { FixedClock } from '../../src/clock/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { allProjectors } from '../../src/runtime/projectors.js';
import { DemoTraffic } from '../../src/slo/demo-traffic.js';
import { SloEvaluator } from '../../src/slo/slo-evaluator.js';
import { EmbeddedSliStore } from '../../src/telemetry/embedded-sli-store.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { EXAMPLE_CATALOGUE } from '../support/test-app.js';
import { openTestStore } from '../support/test-store.js';

after(stopSharedPostgres);

describe('demo traffic', () => {
  test('backfills healthy budgets, then pages on the first SLO within minutes of starting', async (t) => {
    const testStore = await openTestStore('sqlite');
    t.after(() => testStore.cleanup());
    const catalogue = await loadCatalogueFiles(EXAMPLE_CATALOGUE);
    assert.ok(catalogue.ok);
    const slos = catalogue.catalogue.slos;
    const clock = FixedClock.at('2026-11-27T10:00:30Z');
    const db = testStore.store.db;
    const store = EmbeddedSliStore.create(db, clock);
    const ledger = Ledger.create({ db, clock, projectors: allProjectors() });
    const errors: unknown[] = [];
    const evaluator = SloEvaluator.create({
      ledger,
      db,
      telemetry: store,
      clock,
      slos: () => slos,
      onError: (error) => errors.push(error),
    });
    const demo = DemoTraffic.create({
      sink: store,
      clock,
      slos: () => slos,
      tickMs: 15_000,
      onError: (e) => errors.push(e),
    });
    await demo.start();
    await demo.stop();

    await evaluator.tick();
    for (const slo of slos) {
      const status = evaluator.latest(slo.id);
      assert.ok(status !== undefined);
      assert.ok((status.budgetRemaining ?? 0) > 0.3, `${slo.id} starts with most of its budget`);
      assert.ok(
        status.tiers.every((tier) => tier.state === 'inactive'),
        `${slo.id} starts quiet`,
      );
    }

    const first = slos[0];
    assert.ok(first !== undefined);
    let pagedAfter: number | undefined;
    for (let tick = 1; tick <= 6 * 4 && pagedAfter === undefined; tick += 1) {
      clock.advance(15_000);
      await demo.pushCurrent();
      await evaluator.tick();
      const page = evaluator
        .latest(first.id)
        ?.tiers.find((tier) => tier.severity === 'page' && tier.state === 'firing');
      if (page !== undefined) pagedAfter = tick * 15;
    }
    assert.ok(pagedAfter !== undefined && pagedAfter <= 6 * 60, `paged after ${pagedAfter} s`);
    t.diagnostic(`the first SLO paged ${pagedAfter} s after the demo started`);
    assert.deepEqual(errors, []);
  });
});
