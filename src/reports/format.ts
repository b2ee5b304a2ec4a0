/**
 * How contributions write numbers, durations and times: every number with its unit, times in the reader's zone.
 * @module
 */
import { DateTime } from 'luxon';
import { formatDuration } from '../clock/index.js';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const DEFAULT_TIME_ZONE = 'Europe/London';

/** `250,000`, `21.6`: en-GB grouping, at most `digits` decimals, trailing zeros dropped. */
export function num(value: number, digits = 2): string {
  return new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits }).format(value);
}

/** A fraction as a percentage with at most `digits` decimals: 0.0005 → `0.05%`. */
export function pct(fraction: number, digits = 2): string {
  return `${num(fraction * 100, digits)}%`;
}

/** A small fraction as a percentage to three significant figures: 0.000933 → `0.0933%`. */
export function pctSig(fraction: number): string {
  const text = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 3 }).format(fraction * 100);
  return `${text}%`;
}

/** A burn-rate multiple: 14.4 → `14.4×`. */
export function times(factor: number): string {
  return `${num(factor, 2)}×`;
}

/** An objective as written: 99.95 → `99.95%`. */
export function objective(percent: number): string {
  return `${num(percent, 4)}%`;
}

/** A duration in words: `30 minutes`, `90 minutes`, `2 hours`, `21.6 hours`, `50 hours`, `3.5 days`, `0 seconds`. */
export function duration(milliseconds: number): string {
  if (milliseconds === 0) return '0 seconds';
  const magnitude = Math.abs(milliseconds);
  if (magnitude >= DAY && magnitude % DAY === 0) return count(milliseconds / DAY, 'day');
  if (magnitude >= HOUR && magnitude % HOUR === 0 && magnitude < 3 * DAY) return count(milliseconds / HOUR, 'hour');
  if (magnitude >= MINUTE && magnitude % MINUTE === 0 && magnitude < 3 * HOUR)
    return count(milliseconds / MINUTE, 'minute');
  if (magnitude >= SECOND && magnitude % SECOND === 0 && magnitude < MINUTE)
    return count(milliseconds / SECOND, 'second');
  if (magnitude >= 2 * DAY) return `${num(milliseconds / DAY, 1)} days`;
  if (magnitude >= HOUR) return `${num(milliseconds / HOUR, 1)} hours`;
  if (magnitude >= MINUTE) return `${num(milliseconds / MINUTE, 1)} minutes`;
  return `${num(milliseconds / SECOND, 1)} seconds`;
}

/** A window as Prometheus writes it: `5m`, `1h`, `3d`. */
export function window(milliseconds: number): string {
  return formatDuration(Math.round(milliseconds));
}

/** `1 approval`, `3 approvals`; `irregular` when the plural is not the singular plus s. */
export function count(value: number, singular: string, irregular?: string): string {
  return `${num(value, 2)} ${value === 1 ? singular : (irregular ?? `${singular}s`)}`;
}

/** A date-time in `zone`: `2026-03-10 09:00 GMT`. */
export function localTime(at: string | Date, zone: string): string {
  const time = typeof at === 'string' ? DateTime.fromISO(at, { setZone: true }) : DateTime.fromJSDate(at);
  return time.setZone(zone).setLocale('en-GB').toFormat('yyyy-LL-dd HH:mm ZZZZ');
}

/** `a`, `a and b`, `a, b and c` (no serial comma). */
export function list(items: ReadonlyArray<string>, conjunction = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1) ?? ''}`;
}

/** Inline code, so identifiers are never read as prose. */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

export function money(amount: number, currency: string): string {
  return `${currency} ${num(amount, 2)}`;
}
