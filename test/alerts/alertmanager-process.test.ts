import assert from 'node:assert/strict';
import { EventEmitter, on } from 'node:events';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import { z } from 'zod';
import { fingerprintOf } from '../../src/alerts/fingerprint.js';
import {
  type PostableAlert,
  postAlerts,
  requireAlertmanager,
  startAlertmanager,
} from '../support/alertmanager-process.js';

/** Timers keep running at their pace on a slow machine, but dispatch and delivery may not. */
const NOTIFICATION_TIMEOUT_MS = 120_000;
const GROUP_KEY = '{}:{alertname="AlertmanagerProcessTest", service="payments-api"}';

const ALERTS = [
  {
    labels: {
      alertname: 'AlertmanagerProcessTest',
      service: 'payments-api',
      instance: '10.0.1.12:8080',
      severity: 'critical',
    },
    annotations: { summary: '5xx ratio above 5% for payments-api' },
  },
  {
    labels: {
      alertname: 'AlertmanagerProcessTest',
      service: 'payments-api',
      instance: '10.0.1.13:8080',
      severity: 'critical',
    },
    annotations: { summary: '5xx ratio above 5% for payments-api' },
  },
] as const satisfies ReadonlyArray<PostableAlert>;

const Status = z.enum(['firing', 'resolved']);
const WebhookMessage = z.object({
  version: z.string(),
  groupKey: z.string(),
  status: Status,
  receiver: z.string(),
  groupLabels: z.record(z.string(), z.string()),
  truncatedAlerts: z.number(),
  alerts: z.array(
    z.object({
      status: Status,
      labels: z.record(z.string(), z.string()),
      fingerprint: z.string(),
      startsAt: z.string(),
      endsAt: z.string(),
    }),
  ),
});
type WebhookMessage = z.output<typeof WebhookMessage>;

interface WebhookReceiver {
  readonly url: string;
  /** The first notification, already received or still to come, that `matches`; rejects after `timeoutMs`. */
  next(matches: (message: WebhookMessage) => boolean, timeoutMs: number): Promise<WebhookMessage>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<WebhookReceiver> {
  const received: WebhookMessage[] = [];
  const rejected: string[] = [];
  const events = new EventEmitter();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const parsed = WebhookMessage.safeParse(parseJson(text));
      if (parsed.success) {
        received.push(parsed.data);
        events.emit('message', parsed.data);
      } else {
        rejected.push(`${z.prettifyError(parsed.error)}\n${text.slice(0, 500)}`);
      }
      response.writeHead(200).end();
    });
  });
  await listen(server);
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    async next(matches, timeoutMs) {
      const seen = received.find(matches);
      if (seen !== undefined) return seen;
      try {
        for await (const [message] of on(events, 'message', { signal: AbortSignal.timeout(timeoutMs) })) {
          const parsed = WebhookMessage.parse(message);
          if (matches(parsed)) return parsed;
        }
      } catch (error: unknown) {
        if (!(error instanceof Error && error.name === 'AbortError')) throw error;
      }
      const summary = received.map((message) => `${message.status} ${message.alerts.length} alerts`).join('; ');
      const problems = rejected.length > 0 ? `; bodies that did not parse: ${rejected.join('\n')}` : '';
      throw new Error(`no matching notification within ${timeoutMs} ms; received: [${summary}]${problems}`);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Alertmanager keeps its connection alive; close() alone would wait for it.
      server.closeAllConnections();
      await closed;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function alertmanagerConfig(webhookUrl: string): string {
  // `send_resolved` is left out on purpose: its default, true, is what the second test relies on.
  return [
    'route:',
    '  receiver: sre-agent',
    '  group_by: [alertname, service]',
    '  group_wait: 100ms',
    '  group_interval: 1s',
    '  repeat_interval: 4h',
    'receivers:',
    '  - name: sre-agent',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(webhookUrl)}`,
    '',
  ].join('\n');
}

const postedFingerprints = ALERTS.map((alert) => fingerprintOf(alert.labels)).sort();

function holdsAllAlerts(message: WebhookMessage): boolean {
  const fingerprints = message.alerts.map((alert) => alert.fingerprint).sort();
  return JSON.stringify(fingerprints) === JSON.stringify(postedFingerprints);
}

function assertFingerprints(message: WebhookMessage): void {
  for (const alert of message.alerts) {
    assert.equal(alert.fingerprint, fingerprintOf(alert.labels), `fingerprint of ${JSON.stringify(alert.labels)}`);
  }
  assert.deepEqual(message.alerts.map((alert) => alert.fingerprint).sort(), postedFingerprints);
}

test('Alertmanager 0.25 notifies a webhook receiver', async (t) => {
  const binary = requireAlertmanager(t);
  if (binary === undefined) return;
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const alertmanager = await startAlertmanager({ config: alertmanagerConfig(receiver.url), binary });
  t.after(() => alertmanager.stop());

  await t.test('sends firing alerts as a version 4 body whose fingerprints match fingerprintOf', async () => {
    await postAlerts(alertmanager.url, ALERTS);
    const message = await receiver.next(
      (each) => each.status === 'firing' && holdsAllAlerts(each),
      NOTIFICATION_TIMEOUT_MS,
    );
    assert.equal(message.version, '4');
    assert.equal(message.groupKey, GROUP_KEY);
    assert.equal(message.receiver, 'sre-agent');
    assert.deepEqual(message.groupLabels, { alertname: 'AlertmanagerProcessTest', service: 'payments-api' });
    assert.equal(message.truncatedAlerts, 0);
    assert.ok(message.alerts.every((alert) => alert.status === 'firing'));
    assertFingerprints(message);
  });

  await t.test('sends a resolved notification once the same alerts end', async () => {
    const endsAt = new Date(Date.now() - 1_000).toISOString();
    await postAlerts(
      alertmanager.url,
      ALERTS.map((alert) => ({ ...alert, endsAt })),
    );
    const message = await receiver.next(
      (each) => each.status === 'resolved' && holdsAllAlerts(each),
      NOTIFICATION_TIMEOUT_MS,
    );
    assert.equal(message.version, '4');
    assert.equal(message.groupKey, GROUP_KEY);
    assert.ok(message.alerts.every((alert) => alert.status === 'resolved'));
    assert.ok(message.alerts.every((alert) => Date.parse(alert.endsAt) === Date.parse(endsAt)));
    assertFingerprints(message);
  });
});
