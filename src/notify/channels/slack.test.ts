import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNever } from '../../errors/index.js';
import type { OutboundNotification } from '../types.js';
import { escapeMrkdwn, slackBody } from './slack.js';

const MESSAGE: OutboundNotification = {
  kind: 'incident.declared',
  incidentId: 'inc-1',
  title: 'Card payments failing',
  severity: 'SEV1',
  team: 'payments',
  services: ['payments-api'],
  summary: 'Errors > 20% & rising for <all> card schemes.',
  details: [{ label: 'Commander', value: 'alice' }],
  url: 'https://sre.example/incidents/inc-1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  pagerDuty: { action: 'trigger', dedupKey: 'inc-1' },
};

function textsOf(body: ReturnType<typeof slackBody>): string[] {
  return body.blocks.flatMap((block) => {
    switch (block.type) {
      case 'header':
        return [block.text.text];
      case 'section':
        return 'text' in block ? [block.text.text] : block.fields.map((field) => field.text);
      case 'context':
        return block.elements.map((element) => element.text);
      case 'actions':
        return block.elements.map((element) => element.text.text);
      default:
        return assertNever(block, 'Slack block');
    }
  });
}

describe('slackBody', () => {
  test('a header, the summary, the facts, the details and a button to the incident', () => {
    const body = slackBody(MESSAGE);
    assert.equal(body.text, '[SEV1] Incident declared: Card payments failing');
    assert.deepEqual(
      body.blocks.map((block) => block.type),
      ['header', 'section', 'context', 'section', 'actions'],
    );
    assert.deepEqual(textsOf(body), [
      '[SEV1] Incident declared: Card payments failing',
      'Errors &gt; 20% &amp; rising for &lt;all&gt; card schemes.',
      '*Severity:* SEV1   *Team:* payments   *Services:* payments-api   *Incident:* inc-1',
      '*Commander*\nalice',
      'Open the incident',
    ]);
    const actions = body.blocks[4];
    assert.ok(actions?.type === 'actions');
    assert.equal(actions.elements[0]?.url, 'https://sre.example/incidents/inc-1');
  });

  test('escapes only &, < and >', () => {
    assert.equal(escapeMrkdwn('<!channel> & *bold*'), '&lt;!channel&gt; &amp; *bold*');
  });

  test('keeps within Block Kit limits: 150 for the header, 10 fields a section, 3,000 for text', () => {
    const body = slackBody({
      ...MESSAGE,
      title: 'x'.repeat(400),
      summary: '&'.repeat(5_000),
      details: Array.from({ length: 23 }, (_, index) => ({ label: `Line ${index}`, value: 'v' })),
    });
    const [header, summary] = body.blocks;
    assert.ok(header?.type === 'header');
    assert.equal(Array.from(header.text.text).length, 150);
    assert.ok(summary?.type === 'section' && 'text' in summary);
    assert.ok(summary.text.text.length <= 3_000);
    assert.match(summary.text.text, /^(&amp;)+…$/, 'no escape is cut in half');
    const fieldCounts = body.blocks.flatMap((block) =>
      block.type === 'section' && 'fields' in block ? [block.fields.length] : [],
    );
    assert.deepEqual(fieldCounts, [10, 10, 3]);
  });

  test('no button without a link and no team without a team', () => {
    const { team: _team, url: _url, ...bare } = MESSAGE;
    const body = slackBody(bare);
    assert.ok(!body.blocks.some((block) => block.type === 'actions'));
    assert.ok(!textsOf(body).some((text) => text.includes('Team')));
  });
});
