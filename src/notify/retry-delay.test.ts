import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_RETRY_AFTER_MS, retryDelay } from './retry-delay.js';

const POLICY = { initialBackoffMs: 10_000, maxBackoffMs: 900_000 };
const almostOne = () => 1 - Number.EPSILON;

describe('retryDelay', () => {
  test('the ceiling doubles from initialBackoff with each attempt, up to maxBackoff', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => retryDelay(attempt, POLICY, almostOne) + 1);
    assert.deepEqual(ceilings, [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 900_000, 900_000]);
  });

  test('full jitter: anywhere from zero to just under the ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, share) => {
          const ceiling = Math.min(POLICY.maxBackoffMs, POLICY.initialBackoffMs * 2 ** Math.min(attempt - 1, 40));
          const delay = retryDelay(attempt, POLICY, () => share);
          return Number.isSafeInteger(delay) && delay >= 0 && delay < ceiling;
        },
      ),
    );
    assert.equal(
      retryDelay(1, POLICY, () => 0),
      0,
    );
    assert.equal(
      retryDelay(3, POLICY, () => 0.5),
      20_000,
    );
  });

  test("obeys the receiver's Retry-After instead of the backoff, within a ceiling", () => {
    assert.equal(retryDelay(1, POLICY, almostOne, 2_000), 2_000);
    assert.equal(retryDelay(8, POLICY, almostOne, 0), 0);
    assert.equal(retryDelay(1, POLICY, almostOne, 86_400_000), MAX_RETRY_AFTER_MS);
    assert.equal(retryDelay(1, { initialBackoffMs: 1_000, maxBackoffMs: 7_200_000 }, almostOne, 86_400_000), 7_200_000);
  });
});
