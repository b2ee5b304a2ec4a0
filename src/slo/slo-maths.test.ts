import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  budgetConsumed,
  budgetRemaining,
  burnRate,
  burnRateFactor,
  defaultTiers,
  errorBudget,
  errorRatio,
  meetsLowTrafficGuard,
  sliRatio,
  tierFiring,
  timeToExhaustion,
} from './slo-maths.js';
import type { BurnRateTier } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RUNS = { numRuns: 200 };

/** Relative closeness, with an absolute floor: products that underflow to subnormals keep only a few digits. */
function closeTo(actual: number | undefined, expected: number, relative = 1e-9): boolean {
  return actual !== undefined && Math.abs(actual - expected) <= relative * Math.abs(expected) + 1e-290;
}

function tierNamed(tiers: ReadonlyArray<BurnRateTier>, name: string): BurnRateTier {
  const tier = tiers.find((candidate) => candidate.name === name);
  assert.ok(tier, `no tier ${name}`);
  return tier;
}

const objective = fc.double({ min: 0, max: 100, minExcluded: true, maxExcluded: true, noNaN: true });
const period = fc.integer({ min: MINUTE, max: 400 * DAY });
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);

describe('errorBudget', () => {
  test('matches the float Sloth writes into its rules', () => {
    assert.equal(errorBudget(99.9), 0.0009999999999999432);
    assert.equal(errorBudget(99), 0.01);
    assert.equal(errorBudget(100), 0);
  });

  test('lies in (0, 1] for every objective in (0, 100)', () => {
    fc.assert(
      fc.property(objective, (percent) => {
        const budget = errorBudget(percent);
        return budget > 0 && budget <= 1;
      }),
      RUNS,
    );
  });
});

describe('sliRatio and errorRatio', () => {
  test('divide counts', () => {
    assert.equal(sliRatio(999, 1000), 0.999);
    assert.equal(errorRatio(1, 1000), 0.001);
    assert.equal(errorRatio(0, 5), 0);
  });

  test('return undefined instead of NaN for empty, negative, non-finite or inconsistent counts', () => {
    for (const [part, total] of [
      [0, 0],
      [-1, 10],
      [1, -10],
      [Number.NaN, 10],
      [1, Number.NaN],
      [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
      [11, 10],
    ] as const) {
      assert.equal(sliRatio(part, total), undefined, `${part}/${total}`);
      assert.equal(errorRatio(part, total), undefined, `${part}/${total}`);
    }
  });

  test('are never NaN, whatever the inputs', () => {
    fc.assert(
      fc.property(anyNumber, anyNumber, (part, total) => {
        for (const ratio of [sliRatio(part, total), errorRatio(part, total)]) {
          if (ratio !== undefined && !(ratio >= 0 && ratio <= 1)) return false;
        }
        return true;
      }),
      RUNS,
    );
  });
});

describe('burnRate', () => {
  test('divides the error ratio by the budget', () => {
    assert.ok(closeTo(burnRate(0.0144, 99.9), 14.4));
    assert.equal(burnRate(0, 99.9), 0);
  });

  test('is undefined when there is no budget or the ratio is unusable', () => {
    assert.equal(burnRate(0.01, 100), undefined);
    assert.equal(burnRate(Number.NaN, 99.9), undefined);
    assert.equal(burnRate(-0.1, 99.9), undefined);
  });

  test('scales linearly with the error ratio', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        objective,
        (ratio, scale, percent) => {
          const base = burnRate(ratio, percent);
          return base !== undefined && closeTo(burnRate(ratio * scale, percent), base * scale);
        },
      ),
      RUNS,
    );
  });
});

describe('budgetConsumed and budgetRemaining', () => {
  test('count the spend against the whole period', () => {
    assert.ok(closeTo(budgetConsumed(errorBudget(99.9) * 2, 15 * DAY, 30 * DAY, 99.9), 1));
    assert.ok(closeTo(budgetConsumed(errorBudget(99.9), 3 * DAY, 30 * DAY, 99.9), 0.1));
    assert.ok(closeTo(budgetRemaining(errorBudget(99.9), 3 * DAY, 30 * DAY, 99.9), 0.9));
  });

  test('leaves the remainder negative once the budget is overspent', () => {
    assert.ok(closeTo(budgetRemaining(errorBudget(99.9) * 3, 30 * DAY, 30 * DAY, 99.9), -2));
  });

  test('is undefined for a period that is not positive or an unusable elapsed time', () => {
    assert.equal(budgetConsumed(0.001, DAY, 0, 99.9), undefined);
    assert.equal(budgetConsumed(0.001, -DAY, 30 * DAY, 99.9), undefined);
    assert.equal(budgetRemaining(0.001, Number.NaN, 30 * DAY, 99.9), undefined);
  });

  test('spends exactly the whole budget at burn rate 1 over the whole period, however it is split', () => {
    fc.assert(
      fc.property(objective, period, fc.double({ min: 0, max: 1, noNaN: true }), (percent, length, split) => {
        const atRateOne = errorBudget(percent);
        const first = Math.round(length * split);
        const whole = budgetConsumed(atRateOne, length, length, percent);
        const before = budgetConsumed(atRateOne, first, length, percent);
        const after = budgetConsumed(atRateOne, length - first, length, percent);
        const remaining = budgetRemaining(atRateOne, length, length, percent);
        return (
          closeTo(whole, 1) &&
          before !== undefined &&
          after !== undefined &&
          closeTo(before + after, 1) &&
          remaining !== undefined &&
          Math.abs(remaining) <= 1e-9
        );
      }),
      RUNS,
    );
  });
});

describe('timeToExhaustion', () => {
  test('at 14.4 a full 30-day budget lasts about 2.08 days', () => {
    const time = timeToExhaustion(1, 14.4, 30 * DAY);
    assert.ok(time !== undefined && Math.abs(time / DAY - 2.0833) < 1e-4, `${time}`);
  });

  test('follows the workbook ladder at 30 days', () => {
    assert.equal(timeToExhaustion(1, 6, 30 * DAY), 5 * DAY);
    assert.equal(timeToExhaustion(1, 3, 30 * DAY), 10 * DAY);
    assert.equal(timeToExhaustion(1, 1, 30 * DAY), 30 * DAY);
    assert.equal(timeToExhaustion(0.5, 1, 30 * DAY), 15 * DAY);
  });

  test('is 0 once the budget is gone and undefined while it is not being spent', () => {
    assert.equal(timeToExhaustion(0, 2, 30 * DAY), 0);
    assert.equal(timeToExhaustion(-0.5, 0, 30 * DAY), 0);
    assert.equal(timeToExhaustion(0.5, 0, 30 * DAY), undefined);
    assert.equal(timeToExhaustion(0.5, -1, 30 * DAY), undefined);
    assert.equal(timeToExhaustion(Number.NaN, 1, 30 * DAY), undefined);
  });
});

describe('burnRateFactor', () => {
  test('inverts back to the budget fraction', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }),
        period,
        fc.integer({ min: MINUTE, max: 30 * DAY }),
        (fraction, length, window) => closeTo((burnRateFactor(fraction, length, window) * window) / length, fraction),
      ),
      RUNS,
    );
  });
});

describe('defaultTiers', () => {
  test('gives the workbook ladder at 30 days, exactly', () => {
    assert.deepEqual(defaultTiers(30 * DAY), [
      {
        name: 'page-quick',
        severity: 'page',
        shortWindow: 5 * MINUTE,
        longWindow: HOUR,
        budgetFraction: 0.02,
        factor: 14.4,
        enabled: true,
        for: 0,
        labels: {},
      },
      {
        name: 'page-slow',
        severity: 'page',
        shortWindow: 30 * MINUTE,
        longWindow: 6 * HOUR,
        budgetFraction: 0.05,
        factor: 6,
        enabled: true,
        for: 0,
        labels: {},
      },
      {
        name: 'ticket-quick',
        severity: 'ticket',
        shortWindow: 2 * HOUR,
        longWindow: DAY,
        budgetFraction: 0.1,
        factor: 3,
        enabled: true,
        for: 0,
        labels: {},
      },
      {
        name: 'ticket-slow',
        severity: 'ticket',
        shortWindow: 6 * HOUR,
        longWindow: 3 * DAY,
        budgetFraction: 0.1,
        factor: 1,
        enabled: true,
        for: 0,
        labels: {},
      },
    ]);
  });

  test('scales the factors, not the windows, at 28 days', () => {
    const tiers = defaultTiers(28 * DAY);
    assert.deepEqual(
      tiers.map((tier) => tier.factor),
      [13.44, 5.6, 2.8, 0.9333333333333333],
    );
    assert.deepEqual(
      tiers.map((tier) => [tier.shortWindow, tier.longWindow]),
      defaultTiers(30 * DAY).map((tier) => [tier.shortWindow, tier.longWindow]),
    );
    assert.ok(tiers.every((tier) => tier.enabled));
  });

  test('keeps the short window at 1/12 of the long one', () => {
    for (const tier of defaultTiers(30 * DAY)) assert.equal(tier.shortWindow * 12, tier.longWindow, tier.name);
  });

  test('disables the tiers whose long window exceeds a short period', () => {
    const enabledAt = (length: number): ReadonlyArray<string> =>
      defaultTiers(length)
        .filter((tier) => tier.enabled)
        .map((tier) => tier.name);
    assert.deepEqual(enabledAt(3 * DAY), ['page-quick', 'page-slow', 'ticket-quick', 'ticket-slow']);
    assert.deepEqual(enabledAt(DAY), ['page-quick', 'page-slow', 'ticket-quick']);
    assert.deepEqual(enabledAt(6 * HOUR), ['page-quick', 'page-slow']);
    assert.deepEqual(enabledAt(30 * MINUTE), []);
  });
});

describe('tierFiring', () => {
  const pageQuick = tierNamed(defaultTiers(30 * DAY), 'page-quick');
  const threshold = 14.4 * 0.0009999999999999432;
  const above = threshold + Number.EPSILON * threshold;

  test('fires only when both windows are strictly above factor × budget', () => {
    assert.equal(tierFiring(above, above, pageQuick, 99.9), true);
    assert.equal(tierFiring(threshold, above, pageQuick, 99.9), false);
    assert.equal(tierFiring(above, threshold, pageQuick, 99.9), false);
    assert.equal(tierFiring(1, 0, pageQuick, 99.9), false);
  });

  test('does not fire on an unknown ratio or a disabled tier', () => {
    assert.equal(tierFiring(undefined, 1, pageQuick, 99.9), false);
    assert.equal(tierFiring(1, undefined, pageQuick, 99.9), false);
    assert.equal(tierFiring(1, 1, { ...pageQuick, enabled: false }, 99.9), false);
  });

  test('never stops firing when either error ratio rises', () => {
    const ratio = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        ratio,
        ratio,
        ratio,
        ratio,
        fc.constantFrom(...defaultTiers(30 * DAY)),
        fc.double({ min: 90, max: 99.999, noNaN: true }),
        (short, long, shortRise, longRise, tier, percent) =>
          !tierFiring(short, long, tier, percent) ||
          (tierFiring(short + shortRise, long, tier, percent) && tierFiring(short, long + longRise, tier, percent)),
      ),
      RUNS,
    );
  });
});

describe('meetsLowTrafficGuard', () => {
  test('needs at least the minimum number of events', () => {
    assert.equal(meetsLowTrafficGuard(10, 10), true);
    assert.equal(meetsLowTrafficGuard(9, 10), false);
    assert.equal(meetsLowTrafficGuard(0, 0), true);
    assert.equal(meetsLowTrafficGuard(Number.NaN, 0), false);
    assert.equal(meetsLowTrafficGuard(Number.POSITIVE_INFINITY, 10), false);
  });
});
