import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotificationsConfigSchema } from './notify-config.js';
import { routeNotification } from './route-notification.js';
import type { OutboundNotification } from './types.js';

const config = NotificationsConfigSchema.parse({
  channels: {
    everything: { kind: 'slack', url: 'https://hooks.slack.example/services/a' },
    payments: { kind: 'teams', url: 'https://teams.example/workflows/b' },
    paging: { kind: 'pagerduty', routingKey: 'R0123456789abcdefghijklmnopqrstu' },
    audit: { kind: 'webhook', url: 'https://audit.example/hook', secret: 'sixteen-chars-at-least' },
  },
  routes: [
    { channels: ['everything'] },
    { team: 'payments', channels: ['payments', 'everything'] },
    { severities: ['SEV1', 'SEV2'], kinds: ['incident.declared', 'incident.resolved'], channels: ['paging'] },
    { team: 'payments', severities: ['SEV1'], channels: ['audit', 'paging'] },
  ],
});

function notification(overrides: Partial<OutboundNotification> = {}): OutboundNotification {
  return {
    kind: 'incident.declared',
    incidentId: 'inc-1',
    title: 'Card payments failing',
    severity: 'SEV3',
    services: ['payments-api'],
    summary: 'Card payments are failing for a fifth of customers.',
    details: [],
    occurredAt: '2026-03-02T10:00:00.000Z',
    pagerDuty: { action: 'trigger', dedupKey: 'inc-1' },
    ...overrides,
  };
}

describe('routeNotification', () => {
  test('a route without filters takes everything', () => {
    assert.deepEqual(routeNotification(config, notification()), ['everything']);
  });

  test('unites the channels of every matching route, each once, in the order the configuration names them', () => {
    const message = notification({ team: 'payments', severity: 'SEV1' });
    assert.deepEqual(routeNotification(config, message), ['everything', 'payments', 'paging', 'audit']);
  });

  test('every filter of a route must match', () => {
    assert.deepEqual(routeNotification(config, notification({ severity: 'SEV2' })), ['everything', 'paging']);
    assert.deepEqual(routeNotification(config, notification({ severity: 'SEV2', kind: 'incident.updated' })), [
      'everything',
    ]);
    assert.deepEqual(routeNotification(config, notification({ team: 'payments', severity: 'SEV2' })), [
      'everything',
      'payments',
      'paging',
    ]);
  });

  test('a team filter does not match a notification without a team', () => {
    const teamOnly = NotificationsConfigSchema.parse({
      channels: { payments: { kind: 'slack', url: 'https://hooks.slack.example/services/a' } },
      routes: [{ team: 'payments', channels: ['payments'] }],
    });
    assert.deepEqual(routeNotification(teamOnly, notification()), []);
    assert.deepEqual(routeNotification(teamOnly, notification({ team: 'cards' })), []);
  });

  test('no routes, no channels', () => {
    assert.deepEqual(routeNotification({ routes: [] }, notification()), []);
  });
});
