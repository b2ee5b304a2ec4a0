import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freezeAppliesTo, nextOccurrence, occurrenceAt } from './freeze-windows.js';
import type { FreezeWindow } from './types.js';

const HOUR = 3_600_000;

const weekend: FreezeWindow = {
  name: 'weekend',
  reason: 'Reduced cover.',
  scope: { kind: 'tiers', tiers: [1] },
  schedule: { kind: 'recurring', cron: '0 16 * * 5', duration: 64 * HOUR, timeZone: 'Europe/London' },
};

describe('freeze window occurrences', () => {
  test('a recurring window follows local time across daylight saving', () => {
    // Winter: Friday 16:00 in London is 16:00 UTC.
    assert.equal(occurrenceAt(weekend, new Date('2026-11-27T15:59:00Z')), undefined);
    assert.equal(
      occurrenceAt(weekend, new Date('2026-11-27T16:00:00Z'))?.start.toISOString(),
      '2026-11-27T16:00:00.000Z',
    );
    // Summer: Friday 16:00 in London is 15:00 UTC.
    const summer = occurrenceAt(weekend, new Date('2027-07-02T15:30:00Z'));
    assert.equal(summer?.start.toISOString(), '2027-07-02T15:00:00.000Z');
    assert.equal(summer?.end.toISOString(), '2027-07-05T07:00:00.000Z');
    // Monday 08:00 local is the end, exclusive.
    assert.equal(occurrenceAt(weekend, new Date('2026-11-30T08:00:00Z')), undefined);
    assert.ok(occurrenceAt(weekend, new Date('2026-11-30T07:59:59Z')) !== undefined);
  });

  test('overlapping occurrences of a window longer than its period count as one', () => {
    const daily: FreezeWindow = {
      ...weekend,
      schedule: { kind: 'recurring', cron: '0 0 * * *', duration: 36 * HOUR, timeZone: 'UTC' },
    };
    const occurrence = occurrenceAt(daily, new Date('2026-12-02T10:00:00Z'));
    assert.equal(occurrence?.start.toISOString(), '2026-12-02T00:00:00.000Z');
    assert.equal(occurrence?.end.toISOString(), '2026-12-03T12:00:00.000Z');
  });

  test('one-off windows and the next occurrence', () => {
    const once: FreezeWindow = {
      ...weekend,
      schedule: { kind: 'once', start: '2026-12-18T17:00:00Z', end: '2026-12-19T09:00:00Z' },
    };
    assert.equal(occurrenceAt(once, new Date('2026-12-18T16:59:59Z')), undefined);
    assert.ok(occurrenceAt(once, new Date('2026-12-18T17:00:00Z')) !== undefined);
    assert.equal(nextOccurrence(once, new Date('2026-12-18T17:00:00Z')), undefined);
    assert.equal(
      nextOccurrence(weekend, new Date('2026-11-28T00:00:00Z'))?.start.toISOString(),
      '2026-12-04T16:00:00.000Z',
    );
  });

  test('scope by tier, by service or all', () => {
    assert.equal(freezeAppliesTo(weekend, { name: 'gateway', tier: 1 }), true);
    assert.equal(freezeAppliesTo(weekend, { name: 'reports', tier: 3 }), false);
    const named: FreezeWindow = { ...weekend, scope: { kind: 'services', services: ['reports'] } };
    assert.equal(freezeAppliesTo(named, { name: 'reports', tier: 3 }), true);
    assert.equal(freezeAppliesTo({ ...weekend, scope: { kind: 'all' } }, { name: 'x', tier: 4 }), true);
  });
});
