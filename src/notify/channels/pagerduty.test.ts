import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OutboundNotification } from '../types.js';
import { PAGER_DUTY_SUMMARY_LIMIT, pagerDutyEvent, pagerDutyRequest } from './pagerduty.js';

const ROUTING_KEY = 'R0123456789abcdefghijklmnopqrstu';

const MESSAGE: OutboundNotification = {
  kind: 'incident.declared',
  incidentId: 'inc-1',
  title: 'Card payments failing',
  severity: 'SEV1',
  team: 'payments',
  services: ['payments-api', 'card-gateway'],
  summary: 'Card payments are failing for a fifth of customers.',
  details: [
    { label: 'Commander', value: 'alice' },
    { label: 'team', value: 'a detail that would hide the team' },
  ],
  url: 'https://sre.example/incidents/inc-1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  pagerDuty: { action: 'trigger', dedupKey: 'sre-agent/inc-1' },
};

describe('pagerDutyEvent', () => {
  test('a trigger carries the payload PagerDuty requires and the incident in custom_details', () => {
    assert.deepEqual(pagerDutyEvent(ROUTING_KEY, MESSAGE), {
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'sre-agent/inc-1',
      payload: {
        summary: '[SEV1] Incident declared: Card payments failing: Card payments are failing for a fifth of customers.',
        source: 'payments-api',
        severity: 'critical',
        timestamp: '2026-01-01T00:00:00.000Z',
        component: 'payments-api, card-gateway',
        group: 'payments',
        class: 'incident.declared',
        custom_details: {
          incident_id: 'inc-1',
          kind: 'incident.declared',
          summary: 'Card payments are failing for a fifth of customers.',
          services: ['payments-api', 'card-gateway'],
          team: 'payments',
          Commander: 'alice',
          'detail: team': 'a detail that would hide the team',
        },
      },
      client: 'sre-agent',
      client_url: 'https://sre.example/incidents/inc-1',
      links: [{ href: 'https://sre.example/incidents/inc-1', text: 'Open the incident in sre-agent' }],
    });
  });

  test('maps SEV1 to SEV4 onto critical, error, warning and info', () => {
    const severities = (['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const).map((severity) => {
      const event = pagerDutyEvent(ROUTING_KEY, { ...MESSAGE, severity });
      return event.event_action === 'trigger' ? event.payload.severity : undefined;
    });
    assert.deepEqual(severities, ['critical', 'error', 'warning', 'info']);
  });

  test('cuts the summary to 1,024 characters, without splitting a character', () => {
    for (const filler of ['a', '€', '🔥']) {
      const event = pagerDutyEvent(ROUTING_KEY, { ...MESSAGE, summary: filler.repeat(2_000) });
      assert.ok(event.event_action === 'trigger');
      const characters = Array.from(event.payload.summary);
      assert.equal(characters.length, PAGER_DUTY_SUMMARY_LIMIT);
      assert.equal(characters.at(-1), '…');
      assert.equal(characters.at(-2), filler);
      assert.doesNotMatch(event.payload.summary, /[\uD800-\uDFFF]/u, 'no lone surrogate');
    }
    const short = pagerDutyEvent(ROUTING_KEY, { ...MESSAGE, summary: 'x'.repeat(900) });
    assert.ok(short.event_action === 'trigger' && !short.payload.summary.endsWith('…'));
  });

  test('acknowledge and resolve carry only the routing key, the action and the dedup key', () => {
    for (const action of ['acknowledge', 'resolve'] as const) {
      const event = pagerDutyEvent(ROUTING_KEY, { ...MESSAGE, pagerDuty: { action, dedupKey: 'sre-agent/inc-1' } });
      assert.deepEqual(event, { routing_key: ROUTING_KEY, event_action: action, dedup_key: 'sre-agent/inc-1' });
    }
  });

  test('without services the source is sre-agent and there is no component', () => {
    const event = pagerDutyEvent(ROUTING_KEY, { ...MESSAGE, services: [] });
    assert.ok(event.event_action === 'trigger');
    assert.equal(event.payload.source, 'sre-agent');
    assert.ok(!('component' in event.payload));
  });
});

describe('pagerDutyRequest', () => {
  test('posts the event as JSON to the configured endpoint', () => {
    const request = pagerDutyRequest(
      { url: 'https://events.eu.pagerduty.com/v2/enqueue', routingKey: ROUTING_KEY },
      MESSAGE,
    );
    assert.equal(request.url, 'https://events.eu.pagerduty.com/v2/enqueue');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), pagerDutyEvent(ROUTING_KEY, MESSAGE));
  });
});
