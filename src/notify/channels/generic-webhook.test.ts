import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import type { OutboundNotification } from '../types.js';
import { webhookBody, webhookRequest, webhookSignature } from './generic-webhook.js';

const SECRET = 'a-webhook-secret-of-some-length';
const NOW = new Date('2026-01-01T00:00:00.750Z');

const MESSAGE: OutboundNotification = {
  kind: 'incident.declared',
  incidentId: 'inc-1',
  title: 'Card payments failing',
  severity: 'SEV1',
  team: 'payments',
  services: ['payments-api', 'card-gateway'],
  summary: 'Card payments are failing for a fifth of customers.',
  details: [{ label: 'Commander', value: 'alice' }],
  url: 'https://sre.example/incidents/inc-1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  pagerDuty: { action: 'trigger', dedupKey: 'inc-1' },
};

describe('webhookSignature', () => {
  test('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    // From `openssl dgst -sha256 -hmac`, so that the format is pinned by a tool that is not ours.
    assert.equal(
      webhookSignature(SECRET, '1767225600', '{"hello":"world"}'),
      'v1=fbb67ba5d8dd55ef6df6e3ac9df49072553e3f469e8e5b50ed014786b343a9b8',
    );
  });
});

describe('webhookRequest', () => {
  test('signs the exact body it sends, with the timestamp in Unix seconds', () => {
    const request = webhookRequest({ url: 'https://hooks.example/in', secret: SECRET }, MESSAGE, {
      idempotencyKey: 'event-42',
      now: NOW,
    });
    assert.equal(request.url, 'https://hooks.example/in');
    assert.equal(request.headers['X-SRE-Agent-Timestamp'], '1767225600');
    const expected = createHmac('sha256', SECRET).update(`1767225600.${request.body}`).digest('hex');
    assert.equal(request.headers['X-SRE-Agent-Signature'], `v1=${expected}`);
    assert.equal(request.headers['idempotency-key'], 'event-42');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), webhookBody(MESSAGE, 'event-42'));
    assert.ok(!request.body.includes(SECRET));
  });

  test('carries the whole notification under a versioned format', () => {
    assert.deepEqual(webhookBody(MESSAGE, 'event-42'), {
      format: 'sre-agent.notification/v1',
      idempotencyKey: 'event-42',
      kind: 'incident.declared',
      occurredAt: '2026-01-01T00:00:00.000Z',
      incident: {
        id: 'inc-1',
        title: 'Card payments failing',
        severity: 'SEV1',
        team: 'payments',
        services: ['payments-api', 'card-gateway'],
        url: 'https://sre.example/incidents/inc-1',
      },
      summary: 'Card payments are failing for a fifth of customers.',
      details: [{ label: 'Commander', value: 'alice' }],
    });
  });

  test('leaves out the team and link when there are none', () => {
    const { team: _team, url: _url, ...bare } = MESSAGE;
    assert.deepEqual(Object.keys(webhookBody(bare, 'k').incident), ['id', 'title', 'severity', 'services']);
  });
});
