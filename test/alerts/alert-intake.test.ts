import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { systemPrincipal } from '../../src/auth/index.js';
import { verifyLedger } from '../../src/ledger/index.js';
import type { StoreDialect } from '../../src/store/index.js';
import { webhookOf } from '../support/alert-payloads.js';
import { readFixture } from '../support/fixtures.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

const WEBHOOK = '/api/v1/integrations/alertmanager';

async function testApp(t: TestContext, dialect: StoreDialect): Promise<TestApp> {
  const app = await buildTestApp(dialect);
  t.after(() => app.cleanup());
  return app;
}

async function deliver(app: TestApp, authorization: string, body: unknown) {
  return app.app.inject({
    method: 'POST',
    url: WEBHOOK,
    headers: { authorization, 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function eventsOfType(app: TestApp, type: string): Promise<number> {
  const row = await app.testStore.store.db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('type', '=', type)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

const gatewayErrors = { alertname: 'HighErrorRate', service: 'card-payments-gateway', severity: 'critical' };
const gatewayLatency = { alertname: 'HighLatency', service: 'card-payments-gateway', severity: 'warning' };

for (const dialect of DIALECTS) {
  describe(`${dialect}: Alertmanager intake`, () => {
    test('takes the captured Alertmanager notification and records each alert once, by its fingerprint', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      const body = readFixture('alerts', 'am-webhook-example.json');
      const response = await deliver(app, authorization, body);
      assert.equal(response.statusCode, 202);
      assert.equal(response.json().alerts, 2);
      await app.runtime.alertProcessor.drain();
      const viewer = await app.bearer('viewer');
      const alerts = (await app.app.inject({ url: '/api/v1/alerts', headers: viewer })).json().items;
      assert.deepEqual(alerts.map((alert: { fingerprint: string }) => alert.fingerprint).sort(), [
        '8bce9b6ab62dc55c',
        'f31bded5726a1355',
      ]);
      // payments-api is not in the example catalogue: recorded, but no owner and no incident.
      assert.equal(alerts[0].enrichment.service, undefined);
      assert.equal(alerts[0].incidentId, undefined);
      const incidents = (await app.app.inject({ url: '/api/v1/incidents', headers: viewer })).json().items;
      assert.equal(incidents.length, 0);

      const resolved = await deliver(
        app,
        authorization,
        readFixture('alerts', 'am-webhook-example-with-resolved.json'),
      );
      assert.equal(resolved.statusCode, 202);
      await app.runtime.alertProcessor.drain();
      const firing = (await app.app.inject({ url: '/api/v1/alerts?status=firing', headers: viewer })).json().items;
      assert.equal(firing.length, 1);
      assert.equal(await eventsOfType(app, 'alert.fired'), 2);
      assert.equal(await eventsOfType(app, 'alert.resolved'), 1);
    });

    test('enriches an alert from the catalogue and declares one incident for its important business service', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      await deliver(app, authorization, webhookOf([{ labels: gatewayErrors }]));
      await app.runtime.alertProcessor.drain();
      const viewer = await app.bearer('viewer');
      const [alert] = (await app.app.inject({ url: '/api/v1/alerts', headers: viewer })).json().items;
      assert.deepEqual(alert.enrichment, {
        service: 'card-payments-gateway',
        team: 'payments-core',
        tier: 1,
        importantBusinessServices: ['make-a-card-payment'],
        runbook: alert.enrichment.runbook,
      });
      assert.match(alert.enrichment.runbook, /^https:\/\//);
      assert.equal(alert.incidentId, 'INC-1');
      const incident = (await app.app.inject({ url: '/api/v1/incidents/INC-1', headers: viewer })).json();
      // Tier 1, critical impact, supports an important business service: SEV1 under the default policy.
      assert.equal(incident.severity, 'SEV1');
      assert.equal(incident.origin, 'alert');
      assert.equal(incident.correlationKey, 'ibs:make-a-card-payment');
      assert.deepEqual(incident.importantBusinessServices, ['make-a-card-payment']);
      assert.equal(incident.services[0].name, 'card-payments-gateway');
      assert.equal(incident.services[0].degradedAt, '2026-11-27T09:58:00.000Z');
      assert.equal(incident.timestamps.occurred.at, '2026-11-27T09:58:00.000Z');
      assert.equal(incident.timestamps.aware.at, '2026-11-27T10:00:00.000Z');
      assert.equal(incident.timestamps.aware.by, 'token:alertmanager');
    });

    test('repeated, re-sent and concurrent notifications of one group make no duplicate state', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      const group = webhookOf([{ labels: gatewayErrors }, { labels: gatewayLatency }]);
      const responses = await Promise.all(Array.from({ length: 12 }, () => deliver(app, authorization, group)));
      assert.ok(responses.every((response) => response.statusCode === 202));
      await app.runtime.alertProcessor.drain();
      await deliver(app, authorization, group);
      await app.runtime.alertProcessor.drain();
      assert.equal(await eventsOfType(app, 'alert.fired'), 2);
      assert.equal(await eventsOfType(app, 'incident.declared'), 1);
      const joined = await app.testStore.store.db.selectFrom('alerts').select('incident_id').execute();
      assert.deepEqual(
        joined.map((row) => row.incident_id),
        ['INC-1', 'INC-1'],
      );
    });

    test('alerts of services with the same important business service, delivered concurrently, join one incident', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      const services = ['card-payments-gateway', 'customer-auth', 'fraud-scoring', 'core-ledger'];
      await Promise.all(
        services.flatMap((service) =>
          [0, 1, 2].map((instance) =>
            deliver(
              app,
              authorization,
              webhookOf([{ labels: { alertname: 'Down', service, instance: `i-${instance}`, severity: 'critical' } }]),
            ),
          ),
        ),
      );
      await app.runtime.alertProcessor.drain();
      const viewer = await app.bearer('viewer');
      const incidents = (await app.app.inject({ url: '/api/v1/incidents', headers: viewer })).json().items;
      assert.equal(incidents.length, 1);
      assert.deepEqual([...incidents[0].services].sort(), [...services].sort());
      const correlations = await app.testStore.store.db.selectFrom('incident_correlations').selectAll().execute();
      assert.deepEqual(correlations, [{ correlation_key: 'ibs:make-a-card-payment', incident_id: 'INC-1' }]);
    });

    test('records a service as restored when its last alert in the incident resolves', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      await deliver(app, authorization, webhookOf([{ labels: gatewayErrors }, { labels: gatewayLatency }]));
      await app.runtime.alertProcessor.drain();
      app.clock.advance(20 * 60_000);
      const oneResolved = webhookOf([
        { labels: gatewayErrors, status: 'resolved', endsAt: '2026-11-27T10:15:00Z' },
        { labels: gatewayLatency },
      ]);
      await deliver(app, authorization, oneResolved);
      await app.runtime.alertProcessor.drain();
      const viewer = await app.bearer('viewer');
      let incident = (await app.app.inject({ url: '/api/v1/incidents/INC-1', headers: viewer })).json();
      assert.equal(incident.services[0].restoredAt, undefined);
      const bothResolved = webhookOf([
        { labels: gatewayErrors, status: 'resolved', endsAt: '2026-11-27T10:15:00Z' },
        { labels: gatewayLatency, status: 'resolved', endsAt: '2026-11-27T10:18:00Z' },
      ]);
      await deliver(app, authorization, bothResolved);
      await app.runtime.alertProcessor.drain();
      incident = (await app.app.inject({ url: '/api/v1/incidents/INC-1', headers: viewer })).json();
      assert.equal(incident.services[0].restoredAt, '2026-11-27T10:18:00.000Z');
      // The incident itself stays open until a person resolves it.
      assert.equal(incident.status, 'investigating');
      const timeline = (await app.app.inject({ url: '/api/v1/incidents/INC-1/timeline', headers: viewer })).json();
      assert.deepEqual(
        timeline.items.map((event: { type: string }) => event.type),
        [
          'incident.declared',
          'alert.fired',
          'alert.fired',
          'alert.resolved',
          'alert.resolved',
          'incident.service_recorded',
        ],
      );
    });

    test('a quiet incident past the correlation window does not take new alerts; a new incident does', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      await deliver(app, authorization, webhookOf([{ labels: gatewayErrors }]));
      await app.runtime.alertProcessor.drain();
      await deliver(
        app,
        authorization,
        webhookOf([{ labels: gatewayErrors, status: 'resolved', endsAt: '2026-11-27T10:05:00Z' }]),
      );
      await app.runtime.alertProcessor.drain();
      app.clock.advance(2 * 3_600_000);
      await deliver(app, authorization, webhookOf([{ labels: gatewayLatency, startsAt: '2026-11-27T11:59:00Z' }]));
      await app.runtime.alertProcessor.drain();
      const viewer = await app.bearer('viewer');
      const incidents = (await app.app.inject({ url: '/api/v1/incidents', headers: viewer })).json().items;
      assert.deepEqual(
        incidents.map((incident: { id: string }) => incident.id),
        ['INC-2', 'INC-1'],
      );
    });

    test('a warning on a tier 4 service is recorded but declares nothing', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      await deliver(
        app,
        authorization,
        webhookOf([{ labels: { alertname: 'SlowPages', service: 'marketing-site', severity: 'warning' } }]),
      );
      await app.runtime.alertProcessor.drain();
      assert.equal(await eventsOfType(app, 'alert.fired'), 1);
      assert.equal(await eventsOfType(app, 'incident.declared'), 0);
    });

    test('refuses bad bodies with the path of the problem, and wrong tokens, and keeps nothing of them', async (t) => {
      const app = await testApp(t, dialect);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      const bad = webhookOf([{ labels: gatewayErrors }]) as { alerts: Array<Record<string, unknown>> };
      const first = bad.alerts[0];
      assert.ok(first !== undefined);
      first.startsAt = 'yesterday';
      const response = await deliver(app, authorization, bad);
      assert.equal(response.statusCode, 400);
      assert.match(JSON.stringify(response.json()), /alerts\.0\.startsAt|alerts\[0\]\.startsAt/);
      const wrongVersion = await deliver(app, authorization, { ...webhookOf([]), version: '3' });
      assert.equal(wrongVersion.statusCode, 400);
      assert.equal((await deliver(app, authorization, '{"version":')).statusCode, 400);
      assert.equal((await deliver(app, 'Bearer nope', webhookOf([]))).statusCode, 401);
      const viewer = await app.bearer('viewer');
      assert.equal((await deliver(app, viewer.authorization, webhookOf([]))).statusCode, 403);
      const telemetry = await app.tokens.createToken(systemPrincipal('test'), {
        name: 'pusher',
        role: 'integration',
        scope: 'telemetry',
      });
      assert.equal((await deliver(app, `Bearer ${telemetry.token}`, webhookOf([]))).statusCode, 403);
      assert.equal(await app.runtime.alertInbox.depth(), 0);
      const unknownFields = { ...webhookOf([{ labels: gatewayErrors }]), notification_reason: 'first notification' };
      assert.equal((await deliver(app, authorization, unknownFields)).statusCode, 202);
    });

    test('takes alerts from any source through POST /api/v1/alerts, resolving those whose end has passed', async (t) => {
      const app = await testApp(t, dialect);
      const engineer = await app.bearer('engineer');
      const post = (body: unknown) =>
        app.app.inject({
          method: 'POST',
          url: '/api/v1/alerts',
          headers: { ...engineer, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
      const labels = { alertname: 'QueueBacklog', service: 'settlement-engine', severity: 'critical' };
      assert.equal((await post({ alerts: [{ labels, startsAt: '2026-11-27T09:50:00Z' }] })).statusCode, 202);
      await app.runtime.alertProcessor.drain();
      assert.equal(await eventsOfType(app, 'incident.declared'), 1);
      const ended = await post({
        alerts: [{ labels, startsAt: '2026-11-27T09:50:00Z', endsAt: '2026-11-27T09:59:00Z' }],
      });
      assert.equal(ended.statusCode, 202);
      await app.runtime.alertProcessor.drain();
      assert.equal(await eventsOfType(app, 'alert.resolved'), 1);
      assert.equal((await post({ alerts: [] })).statusCode, 400);
      const report = await verifyLedger(app.testStore.store.db, app.runtime.ledger.verifiers);
      assert.equal(report.ok, true);
    });
  });
}
