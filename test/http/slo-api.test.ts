import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { systemPrincipal } from '../../src/auth/index.js';
import { verifyLedger } from '../../src/ledger/index.js';
import { snapshotMinute } from '../../src/slo/slo-evaluator.js';
import type { StoreDialect } from '../../src/store/index.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

const CARD = 'card-payments-gateway-authorisation-availability';
const MINUTE = 60_000;

async function testApp(t: TestContext, dialect: StoreDialect): Promise<TestApp> {
  const app = await buildTestApp(dialect);
  t.after(() => app.cleanup());
  return app;
}

/** Points for the `minutes` minutes before now, `total` requests each with `bad` failures. */
function points(app: TestApp, minutes: number, total: number, bad: number) {
  const now = app.clock.now().getTime();
  return Array.from({ length: minutes }, (_, index) => ({
    time: new Date(now - (minutes - index) * MINUTE).toISOString(),
    good: total - bad,
    total,
  }));
}

async function push(app: TestApp, authorization: string, body: unknown) {
  return app.app.inject({
    method: 'POST',
    url: `/api/v1/slos/${CARD}/points`,
    headers: { authorization, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: SLO API`, () => {
    test('lists every SLO of the catalogue with its definition and a status that says when there is no data', async (t) => {
      const app = await testApp(t, dialect);
      const viewer = await app.bearer('viewer');
      const response = await app.app.inject({ url: '/api/v1/slos', headers: viewer });
      assert.equal(response.statusCode, 200);
      const items: Array<{ definition: { id: string }; status: { budgetRemaining?: number; tiers: unknown[] } }> =
        response.json().items;
      assert.deepEqual(items.map((item) => item.definition.id).sort(), [
        'card-payments-gateway-authorisation-availability',
        'card-payments-gateway-authorisation-latency',
        'core-ledger-posting-availability',
        'faster-payments-hub-payment-acceptance',
      ]);
      for (const item of items) {
        assert.equal(item.status.budgetRemaining, undefined, 'no data is not a full budget');
        assert.ok(item.status.tiers.length > 0);
      }
      const filtered = await app.app.inject({ url: '/api/v1/slos?service=core-ledger', headers: viewer });
      assert.equal(filtered.json().items.length, 1);
      assert.equal((await app.app.inject({ url: `/api/v1/slos/nope`, headers: viewer })).statusCode, 404);
      assert.equal((await app.app.inject({ url: '/api/v1/slos' })).statusCode, 401);
    });

    test('pushed points move the budget, burn rates are keyed by window, and a repeated batch counts once', async (t) => {
      const app = await testApp(t, dialect);
      const engineer = await app.bearer('engineer');
      // An hour at 0.5 % errors against a 99.95 % objective: burn rate 10 over the hour.
      const batch = { points: points(app, 60, 1_000, 5) };
      const first = await push(app, engineer.authorization, batch);
      assert.equal(first.statusCode, 200, first.body);
      await push(app, engineer.authorization, batch);
      const viewer = await app.bearer('viewer');
      const slo = (await app.app.inject({ url: `/api/v1/slos/${CARD}`, headers: viewer })).json();
      assert.equal(slo.definition.objectivePercent, 99.95);
      assert.ok(Math.abs(slo.status.burnRates['1h'] - 10) < 1e-6, JSON.stringify(slo.status.burnRates));
      assert.ok(Math.abs(slo.status.events['1h'] - 60_000) < 1e-6, 'the repeated batch was counted twice');
      assert.ok(Math.abs(slo.status.errorRatios['5m'] - 0.005) < 1e-9);
      assert.equal(typeof slo.status.budgetRemainingMinutes, 'number');
      assert.ok(slo.status.budgetRemaining < 1);
      assert.equal(typeof slo.status.timeToExhaustion, 'string');
      // Burn rate 10 pages on the slow page tier (6x) but not the fast one (14.4x); the 6h, 1d and 3d windows hold
      // only this hour, so they burn at 10 too.
      const states = Object.fromEntries(
        slo.status.tiers.map((tier: { name: string; state: string }) => [tier.name, tier.state]),
      );
      assert.deepEqual(states, {
        'page-quick': 'inactive',
        'page-slow': 'firing',
        'ticket-quick': 'firing',
        'ticket-slow': 'firing',
      });
    });

    test('refuses bad points with their index, and pushes without the right role or scope', async (t) => {
      const app = await testApp(t, dialect);
      const engineer = await app.bearer('engineer');
      const bad = await push(app, engineer.authorization, {
        points: [
          { time: app.clock.now().toISOString(), good: 5, total: 10 },
          { time: app.clock.now().toISOString(), good: 11, total: 10 },
        ],
      });
      assert.equal(bad.statusCode, 400);
      assert.match(JSON.stringify(bad.json().error.details), /points\[1\]/);
      const negative = await push(app, engineer.authorization, { points: [{ time: 'yesterday', good: -1, total: 1 }] });
      assert.equal(negative.statusCode, 400);
      assert.match(JSON.stringify(negative.json().error.details), /points\.0\.(time|good)|points\[0\]/);
      const viewer = await app.bearer('viewer');
      assert.equal((await push(app, viewer.authorization, { points: points(app, 1, 10, 0) })).statusCode, 403);
      const alertmanager = await app.bearer('integration');
      assert.equal((await push(app, alertmanager.authorization, { points: points(app, 1, 10, 0) })).statusCode, 403);
      const telemetry = await app.runtime.tokens.createToken(systemPrincipal('test'), {
        name: 'telemetry-push',
        role: 'integration',
        scope: 'telemetry',
      });
      const pushed = await push(app, `Bearer ${telemetry.token}`, { points: points(app, 1, 10, 0) });
      assert.equal(pushed.statusCode, 200, pushed.body);
    });

    test('the evaluator records tier transitions as ledger events, projects them, and replay agrees', async (t) => {
      const app = await testApp(t, dialect);
      const engineer = await app.bearer('engineer');
      // Five minutes of a 5 % outage after a quiet hour: 100 times the budget in the 5m window.
      await push(app, engineer.authorization, { points: points(app, 55, 1_000, 0) });
      await push(app, engineer.authorization, {
        points: points(app, 5, 1_000, 50).map((point) => ({ ...point })),
      });
      const first = await app.runtime.sloEvaluator.tick();
      assert.equal(first.slos, 4);
      assert.ok(first.transitions >= 1, JSON.stringify(first));
      // Snapshots are spread over the hour by SLO id; at 10:00 only those due at minute 0 are taken.
      const ids = (await app.runtime.slos.list(systemPrincipal('test'))).map((view) => view.definition.id);
      const dueBy = (minute: number) => ids.filter((id) => snapshotMinute(id) <= minute).length;
      assert.equal(first.snapshots, dueBy(0));
      const fired = await app.runtime.ledger.transact(async (tx) =>
        tx.db
          .selectFrom('ledger_entries')
          .select(['type', 'subject'])
          .where('type', '=', 'slo.burn_alert.fired')
          .execute(),
      );
      assert.ok(fired.some((row) => row.subject === `slo:${CARD}`));
      const states = await app.testStore.store.db
        .selectFrom('slo_tier_states')
        .selectAll()
        .where('slo_id', '=', CARD)
        .execute();
      // 250 failures in the last hour is 0.42 % over 1h (under 14.4 x 0.05 %) but 0.83 % over 30m and 0.42 % over 6h
      // (both over 6 x 0.05 %): the slow page tier fires, the fast one does not.
      assert.deepEqual(Object.fromEntries(states.map((row) => [row.tier, row.state])), {
        'page-slow': 'firing',
        'ticket-quick': 'firing',
        'ticket-slow': 'firing',
      });

      // Each firing tier is an alert into the intake, committed with the transition: a page on a tier 1 service
      // that supports an important business service declares a SEV1 incident.
      await app.runtime.alertProcessor.drain();
      const alerts = await app.runtime.alerts.list(systemPrincipal('test'), { service: 'card-payments-gateway' });
      assert.deepEqual(alerts.map((alert) => alert.labels.slo_tier).sort(), [
        'page-slow',
        'ticket-quick',
        'ticket-slow',
      ]);
      assert.ok(alerts.every((alert) => alert.source === 'slo' && alert.incidentId === 'INC-1'));
      const incident = await app.runtime.incidents.get(systemPrincipal('test'), 'INC-1');
      assert.equal(incident.severity, 'SEV1');

      // The same data a minute later changes nothing and records nothing new.
      app.clock.advance(MINUTE);
      const second = await app.runtime.sloEvaluator.tick();
      assert.equal(second.transitions, 0);
      assert.equal(second.snapshots, dueBy(1) - dueBy(0));
      // By the end of the hour every SLO has had exactly one snapshot.
      app.clock.set('2026-11-27T10:59:00Z');
      const last = await app.runtime.sloEvaluator.tick();
      assert.equal(first.snapshots + second.snapshots + last.snapshots, 4);

      // Quiet again: every firing tier resolves.
      app.clock.advance(4 * 24 * 60 * MINUTE);
      const third = await app.runtime.sloEvaluator.tick();
      assert.ok(third.transitions >= 1);
      const after = await app.testStore.store.db
        .selectFrom('slo_tier_states')
        .selectAll()
        .where('slo_id', '=', CARD)
        .execute();
      assert.ok(
        after.every((row) => row.state !== 'firing'),
        JSON.stringify(after),
      );

      await app.runtime.alertProcessor.drain();
      const resolved = await app.runtime.alerts.list(systemPrincipal('test'), { status: 'resolved' });
      assert.equal(resolved.length, 3, 'every burn-rate alert resolved with its tier');
      const admin = systemPrincipal('test');
      const replay = await app.runtime.ledgerService.replay(admin);
      assert.deepEqual(replay.differences, []);
      const verification = await verifyLedger(app.testStore.store.db, app.runtime.ledger.verifiers);
      assert.deepEqual(verification.problems, []);
    });

    test('history gives the error ratio, burn rate and budget at each step, and refuses too many points', async (t) => {
      const app = await testApp(t, dialect);
      const engineer = await app.bearer('engineer');
      await push(app, engineer.authorization, { points: points(app, 120, 100, 1) });
      const viewer = await app.bearer('viewer');
      const to = app.clock.now().toISOString();
      const from = new Date(app.clock.now().getTime() - 2 * 60 * MINUTE).toISOString();
      const history = await app.app.inject({
        url: `/api/v1/slos/${CARD}/history?from=${from}&to=${to}&step=30m`,
        headers: viewer,
      });
      assert.equal(history.statusCode, 200, history.body);
      const items: Array<{ time: string; errorRatio: number | null }> = history.json().items;
      assert.equal(items.length, 5);
      assert.equal(items[0]?.errorRatio, null, 'nothing before the first point');
      assert.ok(Math.abs((items[4]?.errorRatio ?? 0) - 0.01) < 1e-9);
      const tooMany = await app.app.inject({
        url: `/api/v1/slos/${CARD}/history?from=2026-01-01T00:00:00Z&to=${to}&step=1m`,
        headers: viewer,
      });
      assert.equal(tooMany.statusCode, 400);
      const badStep = await app.app.inject({
        url: `/api/v1/slos/${CARD}/history?from=${from}&to=${to}&step=soon`,
        headers: viewer,
      });
      assert.equal(badStep.statusCode, 400);
    });
  });
}
