import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { duration, localTime } from './format.js';
import { eventsToJudge, proposedSlo, releaseFigures } from './slo-facts.js';

describe('slo facts', () => {
  test('a proposed tier 2 SLO gives the workbook figures over 30 days', () => {
    const slo = proposedSlo('payments', 2);
    assert.equal(slo.objectivePercent, 99.9);
    assert.ok(Math.abs(slo.budgetMinutes - 43.2) < 1e-9);
    assert.deepEqual(
      slo.tiers.map((tier) => [tier.name, Number(tier.factor.toFixed(2)), Number(tier.budgetConsumed.toFixed(3))]),
      [
        ['page-quick', 14.4, 0.02],
        ['page-slow', 6, 0.05],
        ['ticket-quick', 3, 0.1],
        ['ticket-slow', 1, 0.1],
      ],
    );
    assert.equal(duration(slo.tiers[0]?.exhaustionMs ?? 0), '50 hours');
  });

  test('a canary step needs 3 divided by the budget in events', () => {
    assert.equal(eventsToJudge((100 - 99.95) / 100), 6_000);
    assert.equal(eventsToJudge((100 - 99.99) / 100), 30_000);
  });

  test('release figures fall back to the workbook factors when an SLO has one page tier', () => {
    const slo = { ...proposedSlo('ledger', 1), tiers: proposedSlo('ledger', 1).tiers.slice(0, 1) };
    const figures = releaseFigures([slo]);
    assert.equal(figures?.fastFactor, 14.4);
    assert.equal(figures?.slowFactor, 6);
  });
});

describe('format', () => {
  test('writes durations in words', () => {
    assert.deepEqual(
      [0, 90_000, 30 * 60_000, 90 * 60_000, 2 * 3_600_000, 77_760_000, 86_400_000, 180_000_000, 3.5 * 86_400_000].map(
        duration,
      ),
      [
        '0 seconds',
        '1.5 minutes',
        '30 minutes',
        '90 minutes',
        '2 hours',
        '21.6 hours',
        '1 day',
        '50 hours',
        '3.5 days',
      ],
    );
  });

  test('shows times in the reader’s zone with GMT or BST', () => {
    assert.equal(localTime('2026-03-10T09:00:00Z', 'Europe/London'), '2026-03-10 09:00 GMT');
    assert.equal(localTime('2026-07-10T09:00:00Z', 'Europe/London'), '2026-07-10 10:00 BST');
  });
});
