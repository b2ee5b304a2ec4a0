import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  test('reads the Prometheus units', () => {
    assert.deepEqual(parseDuration('30s'), { ok: true, milliseconds: 30_000 });
    assert.deepEqual(parseDuration('1h30m'), { ok: true, milliseconds: 5_400_000 });
    assert.deepEqual(parseDuration('28d'), { ok: true, milliseconds: 28 * 86_400_000 });
    assert.deepEqual(parseDuration('1w'), { ok: true, milliseconds: 7 * 86_400_000 });
    assert.deepEqual(parseDuration('250ms'), { ok: true, milliseconds: 250 });
    assert.deepEqual(parseDuration('0s'), { ok: true, milliseconds: 0 });
  });

  test('refuses text that is not a duration, with a hint', () => {
    for (const text of ['', '4', 'h', '1.5h', '30m1h', '4 h', '-1h', 'PT4H', '1hour']) {
      const result = parseDuration(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) assert.match(result.message, /is not a duration/);
    }
  });

  test('writes days as the largest unit', () => {
    assert.equal(formatDuration(18 * 86_400_000), '18d');
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(0), '0s');
  });

  test('round-trips every whole number of milliseconds through formatDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }), (milliseconds) => {
        const parsed = parseDuration(formatDuration(milliseconds));
        return parsed.ok && parsed.milliseconds === milliseconds;
      }),
    );
  });

  test('agrees with the sum of its parts for any combination of units', () => {
    const units = [
      ['d', 86_400_000],
      ['h', 3_600_000],
      ['m', 60_000],
      ['s', 1_000],
    ] as const;
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }), { minLength: 4, maxLength: 4 }),
        (amounts) => {
          let text = '';
          let expected = 0;
          amounts.forEach((amount, index) => {
            const unit = units[index];
            if (amount !== undefined && unit !== undefined) {
              text += `${amount}${unit[0]}`;
              expected += amount * unit[1];
            }
          });
          const parsed = parseDuration(text);
          return text === '' ? !parsed.ok : parsed.ok && parsed.milliseconds === expected;
        },
      ),
    );
  });
});
