import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OutboundNotification } from '../types.js';
import { teamsBody } from './teams.js';

const MESSAGE: OutboundNotification = {
  kind: 'incident.resolved',
  incidentId: 'inc-1',
  title: 'Card payments failing',
  severity: 'SEV2',
  team: 'payments',
  services: ['payments-api', 'card-gateway'],
  summary: 'Card payments have recovered.',
  details: [{ label: 'Duration', value: '47 minutes' }],
  url: 'https://sre.example/incidents/inc-1',
  occurredAt: '2026-01-01T00:47:00.000Z',
  pagerDuty: { action: 'resolve', dedupKey: 'inc-1' },
};

describe('teamsBody', () => {
  test('one Adaptive Card 1.4 in a message envelope', () => {
    const body = teamsBody(MESSAGE);
    assert.equal(body.type, 'message');
    assert.equal(body.attachments.length, 1);
    const [attachment] = body.attachments;
    assert.equal(attachment?.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(attachment?.contentUrl, null);
    const card = attachment?.content;
    assert.equal(card?.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
    assert.equal(card?.type, 'AdaptiveCard');
    assert.equal(card?.version, '1.4');
    assert.deepEqual(card?.body[0], {
      type: 'TextBlock',
      text: '[SEV2] Incident resolved: Card payments failing',
      wrap: true,
      weight: 'Bolder',
      size: 'Medium',
      color: 'Attention',
    });
    assert.deepEqual(card?.body[1], { type: 'TextBlock', text: 'Card payments have recovered.', wrap: true });
    assert.deepEqual(card?.body[2], {
      type: 'FactSet',
      facts: [
        { title: 'Severity', value: 'SEV2' },
        { title: 'Team', value: 'payments' },
        { title: 'Services', value: 'payments-api, card-gateway' },
        { title: 'Incident', value: 'inc-1' },
        { title: 'Duration', value: '47 minutes' },
      ],
    });
    assert.deepEqual(card?.actions, [
      { type: 'Action.OpenUrl', title: 'Open the incident', url: 'https://sre.example/incidents/inc-1' },
    ]);
  });

  test('no actions without a link', () => {
    const { url: _url, ...bare } = MESSAGE;
    assert.equal(teamsBody(bare).attachments[0]?.content.actions, undefined);
  });
});
