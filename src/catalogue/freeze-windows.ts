import { CronExpressionParser } from 'cron-parser';
import type { FreezeWindow, Service } from './types.js';

/** One occurrence of a freeze window, in UTC. */
export interface FreezeOccurrence {
  readonly window: FreezeWindow;
  readonly start: Date;
  readonly end: Date;
}

/** The occurrence of `window` in force at `at`, if any. */
export function occurrenceAt(window: FreezeWindow, at: Date): FreezeOccurrence | undefined {
  const schedule = window.schedule;
  if (schedule.kind === 'once') {
    const start = new Date(schedule.start);
    const end = new Date(schedule.end);
    return start <= at && at < end ? { window, start, end } : undefined;
  }
  // Every occurrence lasts as long, so the latest start at or before `at` is the one that ends last.
  const expression = CronExpressionParser.parse(schedule.cron, {
    tz: schedule.timeZone,
    currentDate: new Date(at.getTime() + 1),
  });
  if (!expression.hasPrev()) return undefined;
  const start = expression.prev().toDate();
  const end = new Date(start.getTime() + schedule.duration);
  return at < end ? { window, start, end } : undefined;
}

/** The next occurrence of `window` that starts after `after`, if there is one. */
export function nextOccurrence(window: FreezeWindow, after: Date): FreezeOccurrence | undefined {
  const schedule = window.schedule;
  if (schedule.kind === 'once') {
    const start = new Date(schedule.start);
    return start > after ? { window, start, end: new Date(schedule.end) } : undefined;
  }
  const expression = CronExpressionParser.parse(schedule.cron, { tz: schedule.timeZone, currentDate: after });
  if (!expression.hasNext()) return undefined;
  const start = expression.next().toDate();
  return { window, start, end: new Date(start.getTime() + schedule.duration) };
}

export function freezeAppliesTo(window: FreezeWindow, service: Pick<Service, 'name' | 'tier'>): boolean {
  switch (window.scope.kind) {
    case 'all':
      return true;
    case 'tiers':
      return window.scope.tiers.includes(service.tier);
    case 'services':
      return window.scope.services.includes(service.name);
  }
}
