/**
 * Durations in the Prometheus notation (`30s`, `5m`, `1h30m`, `28d`, `1w`, `1y`), as milliseconds.
 * Units must appear largest first and at most once; `y` is 365 days and `w` 7 days, as in Prometheus.
 */

const UNITS = [
  ['y', 365 * 24 * 3_600_000],
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const satisfies ReadonlyArray<readonly [string, number]>;

const DURATION_PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export type DurationParseResult =
  | { readonly ok: true; readonly milliseconds: number }
  | { readonly ok: false; readonly message: string };

export function parseDuration(text: string): DurationParseResult {
  const match = DURATION_PATTERN.exec(text);
  if (text === '' || match === null) {
    return {
      ok: false,
      message: `"${text}" is not a duration: use a number and a unit, largest unit first, such as 30s, 15m, 4h, 1h30m, 28d or 1w`,
    };
  }
  let milliseconds = 0;
  for (const [index, [, size]] of UNITS.entries()) {
    const amount = match[index + 1];
    if (amount !== undefined) milliseconds += Number(amount) * size;
  }
  if (!Number.isSafeInteger(milliseconds)) {
    return { ok: false, message: `"${text}" is too long a duration` };
  }
  return { ok: true, milliseconds };
}

/** Prometheus-style text for a whole number of milliseconds, days the largest unit (`18d`, not `2w4d`; `0s` for zero). */
export function formatDuration(milliseconds: number): string {
  if (!Number.isSafeInteger(milliseconds) || milliseconds < 0) {
    throw new RangeError(`cannot format ${milliseconds} ms as a duration`);
  }
  if (milliseconds === 0) return '0s';
  let rest = milliseconds;
  let text = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'y' || unit === 'w') continue;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      text += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return text;
}
