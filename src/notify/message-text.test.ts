import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headline, truncateText } from './message-text.js';

describe('truncateText', () => {
  test('leaves text within the limit alone', () => {
    assert.equal(truncateText('abc', 3), 'abc');
    assert.equal(truncateText('', 0), '');
  });

  test('cuts to the limit, the last character an ellipsis', () => {
    assert.equal(truncateText('abcdef', 4), 'abc…');
  });

  test('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    const text = '🔥'.repeat(10);
    assert.equal(truncateText(text, 10), text);
    const cut = truncateText(text, 4);
    assert.equal(cut, '🔥🔥🔥…');
    assert.equal(Array.from(cut).length, 4);
  });
});

describe('headline', () => {
  test('leads with the severity and what happened', () => {
    const line = headline({
      kind: 'clock.reminder',
      incidentId: 'inc-1',
      title: 'Card payments failing',
      severity: 'SEV2',
      services: [],
      summary: 'The DORA initial notification is due within the hour.',
      details: [],
      occurredAt: '2026-03-02T10:00:00.000Z',
      pagerDuty: { action: 'trigger', dedupKey: 'inc-1' },
    });
    assert.equal(line, '[SEV2] Reporting deadline approaching: Card payments failing');
  });
});
