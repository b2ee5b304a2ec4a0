import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type PostableAlert,
  postAlerts,
  requireAlertmanager,
  startAlertmanager,
} from '../support/alertmanager-process.js';
import { runBuilt, startBuiltServer } from '../support/cli-runner.js';
import { EXAMPLE_CATALOGUE } from '../support/test-app.js';

/** Alertmanager's timers run at their pace on a slow machine; dispatch, delivery and our processing may not. */
const WAIT_MS = 180_000;

function alert(service: string, instance: string, severity: string, endsAt?: Date): PostableAlert {
  return {
    labels: { alertname: 'ServiceErrors', service, instance, severity },
    annotations: { summary: `${service} is failing requests` },
    ...(endsAt === undefined ? {} : { endsAt: endsAt.toISOString() }),
  };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await read();
  }
  return last;
}

test('a real Alertmanager routes to sre-agent: one incident per correlation key, alerts resolved when they resolve', async (t) => {
  const binary = requireAlertmanager(t);
  if (binary === undefined) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'sre-e2e-am-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const storage = ['--data-dir', dataDir];
  const created = await runBuilt([
    'token',
    'create',
    '--name',
    'alertmanager',
    '--role',
    'integration',
    '--scope',
    'alertmanager',
    ...storage,
  ]);
  assert.equal(created.code, 0, created.stderr);
  const integrationToken = created.stdout.trim();
  const viewer = await runBuilt(['token', 'create', '--name', 'viewer', '--role', 'viewer', ...storage]);
  const viewerToken = viewer.stdout.trim();

  const server = await startBuiltServer(['--port', '0', '--catalogue', EXAMPLE_CATALOGUE, ...storage]);
  t.after(async () => {
    await server.stop();
  });
  const alertmanager = await startAlertmanager({
    binary,
    config: [
      'route:',
      '  receiver: sre-agent',
      '  group_by: [alertname, service]',
      '  group_wait: 100ms',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: sre-agent',
      '    webhook_configs:',
      `      - url: ${server.url}/api/v1/integrations/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      `            credentials: ${integrationToken}`,
      '',
    ].join('\n'),
  });
  t.after(() => alertmanager.stop());

  const api = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${viewerToken}` },
      signal: AbortSignal.timeout(60_000),
    });
    assert.equal(response.status, 200, path);
    return (await response.json()) as { items: Array<Record<string, unknown>> };
  };

  // Card payments: gateway and authentication both support make-a-card-payment; settlement is its own service.
  const firing = [
    alert('card-payments-gateway', 'gw-1', 'critical'),
    alert('card-payments-gateway', 'gw-2', 'critical'),
    alert('customer-auth', 'auth-1', 'critical'),
    alert('settlement-engine', 'settle-1', 'critical'),
    alert('settlement-engine', 'settle-2', 'warning'),
  ];
  // Prometheus re-sends firing alerts at every evaluation: so do we.
  for (let round = 0; round < 3; round += 1) {
    await postAlerts(alertmanager.url, firing);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const alerts = await until(
    'five firing alerts',
    () => api('/api/v1/alerts?status=firing'),
    (body) => body.items.length === 5,
  );
  assert.ok(alerts.items.every((item) => typeof item.incidentId === 'string'));
  const incidents = await until(
    'two incidents',
    () => api('/api/v1/incidents'),
    (body) => body.items.length >= 2,
  );
  assert.equal(incidents.items.length, 2);
  const keys = await Promise.all(
    incidents.items.map(async (item) => (await api(`/api/v1/incidents/${String(item.id)}/timeline`)).items),
  );
  assert.ok(keys.every((timeline) => timeline.filter((event) => event.type === 'incident.declared').length === 1));
  const details = await Promise.all(
    incidents.items.map(async (item) => {
      const response = await fetch(`${server.url}/api/v1/incidents/${String(item.id)}`, {
        headers: { authorization: `Bearer ${viewerToken}` },
        signal: AbortSignal.timeout(60_000),
      });
      return (await response.json()) as { correlationKey: string; services: Array<{ name: string }> };
    }),
  );
  assert.deepEqual(details.map((incident) => incident.correlationKey).sort(), [
    'ibs:make-a-card-payment',
    'ibs:settle-merchant-funds',
  ]);

  const now = new Date();
  await postAlerts(
    alertmanager.url,
    firing.map((posted) => ({ ...posted, endsAt: now.toISOString() })),
  );
  await until(
    'every alert resolved',
    () => api('/api/v1/alerts?status=resolved'),
    (body) => body.items.length === 5,
  );
  const restored = await until(
    'every service restored',
    async () => {
      const response = await fetch(`${server.url}/api/v1/incidents/${String(incidents.items[0]?.id)}`, {
        headers: { authorization: `Bearer ${viewerToken}` },
        signal: AbortSignal.timeout(60_000),
      });
      return (await response.json()) as { services: Array<{ restoredAt?: string }> };
    },
    (incident) => incident.services.every((service) => service.restoredAt !== undefined),
  );
  assert.ok(restored.services.length > 0);
  assert.equal((await api('/api/v1/incidents')).items.length, 2, 'resolutions declared nothing new');
});
