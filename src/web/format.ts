/** How the dashboard writes times, durations and ratios: UK English, the organisation's time zone beside UTC. */

export const DEFAULT_TIME_ZONE = 'Europe/London';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withSeconds}`;
  let found = formatters.get(key);
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      hour12: false,
      timeZoneName: 'short',
    });
    formatters.set(key, found);
  }
  return found;
}

/** `28 Nov 2026, 05:13 GMT`; an invalid or missing time is a dash. */
export function formatTime(iso: string | undefined, timeZone: string = DEFAULT_TIME_ZONE, withSeconds = false): string {
  if (iso === undefined) return '—';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '—';
  return formatter(timeZone, withSeconds).format(time);
}

export function formatUtc(iso: string | undefined): string {
  return formatTime(iso, 'UTC');
}

/** `2 h 05 min`, `45 s`; negative durations are shown by the caller as overdue. */
export function formatDuration(milliseconds: number): string {
  const total = Math.floor(Math.abs(milliseconds) / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${seconds} s`;
}

/** `in 1 h 59 min` or `overdue by 3 min 10 s`. */
export function formatTimeLeft(dueAt: string, now: number): string {
  const left = Date.parse(dueAt) - now;
  return left >= 0 ? `in ${formatDuration(left)}` : `overdue by ${formatDuration(left)}`;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return 'no data';
  return `${(ratio * 100).toFixed(digits)} %`;
}

export function formatBurnRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return 'no data';
  return `${rate < 10 ? rate.toFixed(2) : rate.toFixed(1)}×`;
}

export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return 'no data';
  return formatDuration(minutes * 60_000);
}
