import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { after, describe, type TestContext, test } from 'node:test';
import type { StoreDialect } from '../../src/store/index.js';
import { webhookOf } from '../support/alert-payloads.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

const SECRET = 'a-webhook-secret-for-tests';
const ROUTING_KEY = 'R0UT1NGKEY0123456789ABCDEFGHIJKL';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One local server standing in for the audit webhook and PagerDuty's Events API v2. */
async function receiver(t: TestContext): Promise<{ readonly url: string; readonly received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (request.url === '/v2/enqueue') {
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}');
      } else {
        response.writeHead(200).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { url: `http://127.0.0.1:${address.port}`, received };
}

async function appWithNotifications(t: TestContext, dialect: StoreDialect, url: string): Promise<TestApp> {
  const app = await buildTestApp(dialect, {
    notifications: {
      channels: {
        audit: { kind: 'webhook', url: `${url}/audit`, secret: SECRET },
        paging: { kind: 'pagerduty', routingKey: ROUTING_KEY, url: `${url}/v2/enqueue` },
      },
      routes: [
        { channels: ['audit'] },
        {
          severities: ['SEV1', 'SEV2'],
          kinds: ['incident.declared', 'incident.acknowledged', 'incident.resolved'],
          channels: ['paging'],
        },
      ],
    },
  });
  t.after(() => app.cleanup());
  return app;
}

function post(app: TestApp, authorization: string, url: string, body: unknown = {}) {
  return app.app.inject({
    method: 'POST',
    url,
    headers: { authorization, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: incident notifications`, () => {
    test('tells the audit webhook of every step, signed, and pages PagerDuty for a SEV1 with one dedup key', async (t) => {
      const { url, received } = await receiver(t);
      const app = await appWithNotifications(t, dialect, url);
      const { authorization } = await app.bearer('responder', 'alice');
      await post(app, authorization, '/api/v1/incidents', {
        title: 'Ledger postings stuck',
        services: ['core-ledger'],
      });
      await post(app, authorization, '/api/v1/incidents/INC-1/acknowledge');
      await post(app, authorization, '/api/v1/incidents/INC-1/update', { message: 'Queue consumer restarted' });
      await post(app, authorization, '/api/v1/incidents/INC-1/resolve', { message: 'Postings flowing' });
      const round = await app.runtime.notifications.tick();
      assert.deepEqual(
        round.outcomes.map((outcome) => outcome.outcome),
        Array.from({ length: 7 }, () => 'delivered'),
      );

      const audit = received.filter((request) => request.path === '/audit');
      assert.deepEqual(
        audit.map((request) => JSON.parse(request.body).kind),
        ['incident.declared', 'incident.acknowledged', 'incident.updated', 'incident.resolved'],
      );
      for (const request of audit) {
        const timestamp = String(request.headers['x-sre-agent-timestamp']);
        const expected = `v1=${createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`;
        assert.equal(request.headers['x-sre-agent-signature'], expected);
      }
      assert.match(JSON.parse(audit[0]?.body ?? '{}').summary, /SEV1 incident INC-1 declared on core-ledger/);

      const paged = received
        .filter((request) => request.path === '/v2/enqueue')
        .map((request) => JSON.parse(request.body));
      assert.deepEqual(
        paged.map((event) => event.event_action),
        ['trigger', 'acknowledge', 'resolve'],
      );
      assert.ok(paged.every((event) => event.dedup_key === 'sre-agent/INC-1' && event.routing_key === ROUTING_KEY));
      assert.equal(paged[0].payload.severity, 'critical');
      assert.equal((await app.runtime.notifications.tick()).claimed, 0, 'each notification is sent once');
    });

    test('an incident declared from an alert is told too, in the same transaction as its declaration', async (t) => {
      const { url, received } = await receiver(t);
      const app = await appWithNotifications(t, dialect, url);
      const { authorization } = await app.bearer('integration', 'alertmanager');
      const labels = { alertname: 'Down', service: 'settlement-engine', severity: 'critical' };
      await post(app, authorization, '/api/v1/integrations/alertmanager', webhookOf([{ labels }]));
      await app.runtime.alertProcessor.drain();
      await app.runtime.notifications.tick();
      const declared = received
        .filter((request) => request.path === '/audit')
        .map((request) => JSON.parse(request.body));
      assert.equal(declared.length, 1);
      assert.equal(declared[0].kind, 'incident.declared');
      assert.equal(declared[0].incident.team, 'payments-core');
    });

    test('reminds before a reporting deadline and says when it is missed, once each', async (t) => {
      const { url, received } = await receiver(t);
      const app = await appWithNotifications(t, dialect, url);
      const { authorization } = await app.bearer('responder');
      // A tier 3 service with no important business service: only the DORA clock runs.
      await post(app, authorization, '/api/v1/incidents', {
        title: 'Notifications delayed',
        services: ['notifications'],
      });
      await post(app, authorization, '/api/v1/incidents/INC-1/classification', {
        classifiedAt: '2026-11-27T10:00:00Z',
        regimes: { doraMajor: true },
      });
      const reminded = async () => {
        await app.runtime.clockReminders.tick();
        await app.runtime.notifications.tick();
        return received
          .filter((request) => request.path === '/audit')
          .map((request) => JSON.parse(request.body))
          .filter((message) => message.kind.startsWith('clock.'));
      };
      assert.deepEqual(await reminded(), [], 'nothing while the initial report is four hours away');
      app.clock.set('2026-11-27T13:15:00Z');
      let clocks = await reminded();
      assert.equal(clocks.length, 1);
      assert.equal(clocks[0].kind, 'clock.reminder');
      assert.match(clocks[0].summary, /INC-1: .*initial.* is due at/i);
      assert.equal((await reminded()).length, 1, 'the same reminder is not sent twice');
      app.clock.set('2026-11-27T14:30:00Z');
      clocks = await reminded();
      assert.deepEqual(
        clocks.map((message) => message.kind),
        ['clock.reminder', 'clock.overdue'],
      );
    });
  });
}
