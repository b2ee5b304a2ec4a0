import { DateTime } from 'luxon';
import { formatDuration } from '../clock/index.js';
import type { WindowSli } from '../telemetry/telemetry-source.js';
import { burnRate, errorBudget, meetsLowTrafficGuard, tierFiring, timeToExhaustion } from './slo-maths.js';
import type { AlertSeverity, BurnRateTier, SloDefinition } from './types.js';

/**
 * A tier's state. inactive: never fired, or a pending condition went away; pending: burning, waiting out its `for`;
 * firing: burning for at least `for`; resolved: fired earlier and quiet now.
 */
export type TierState = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface TierMemory {
  readonly state: TierState;
  /** When the tier entered this state (ISO 8601 UTC). */
  readonly since: string | undefined;
}

export interface TierStatus extends TierMemory {
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly shortWindow: string;
  readonly longWindow: string;
  readonly factor: number;
  readonly shortBurnRate: number | undefined;
  readonly longBurnRate: number | undefined;
  /** True when the long window held fewer events than the SLO's minimum, so the tier could not fire. */
  readonly lowTraffic: boolean;
}

export interface SloStatus {
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly evaluatedAt: string;
  readonly objectivePercent: number;
  readonly period: string;
  readonly periodStart: string;
  readonly budgeting: SloDefinition['budgeting'];
  /** The SLI (success ratio) over the period so far; undefined without data. */
  readonly sli: number | undefined;
  readonly errorBudget: number;
  /** Fraction of the period's error budget left: 1 untouched, 0 spent, negative overspent. */
  readonly budgetRemaining: number | undefined;
  /** Minutes of complete failure the remaining budget still allows. */
  readonly budgetRemainingMinutes: number | undefined;
  /** Burn rate per window, keyed by the window as Prometheus writes it (`5m`, `1h`, `30d`). */
  readonly burnRates: Readonly<Record<string, number | undefined>>;
  readonly errorRatios: Readonly<Record<string, number | undefined>>;
  readonly events: Readonly<Record<string, number | undefined>>;
  /** At the current (one-hour) burn rate, how long the remaining budget lasts; undefined when not burning. */
  readonly timeToExhaustion: string | undefined;
  readonly timeToExhaustionMs: number | undefined;
  readonly tiers: ReadonlyArray<TierStatus>;
}

export interface TierTransition {
  readonly tier: BurnRateTier;
  readonly from: TierState;
  readonly to: TierState;
  readonly status: TierStatus;
}

const HOUR = 3_600_000;

/** The windows an SLO's evaluation reads: every tier's two, an hour for the current burn rate, and the period so far. */
export function windowsOf(slo: SloDefinition, now: Date): number[] {
  const windows = new Set<number>([HOUR, periodElapsed(slo, now)]);
  for (const tier of slo.alerting.tiers) {
    if (!tier.enabled) continue;
    windows.add(tier.shortWindow);
    windows.add(tier.longWindow);
  }
  return [...windows].filter((window) => window > 0).sort((a, b) => a - b);
}

/** When the current period began: `period` ago for rolling windows, the last calendar boundary for calendar ones. */
export function periodStart(slo: SloDefinition, now: Date): Date {
  const period = slo.period;
  if (period.kind === 'rolling') return new Date(now.getTime() - period.duration);
  const start = DateTime.fromISO(period.startTime, { zone: period.timeZone });
  const unit = period.text.at(-1);
  const count = Number(period.text.slice(0, -1));
  const step =
    unit === 'M'
      ? { months: count }
      : unit === 'Q'
        ? { months: 3 * count }
        : unit === 'Y'
          ? { years: count }
          : { milliseconds: period.duration };
  const target = DateTime.fromJSDate(now);
  if (target < start) return start.toJSDate();
  // Step whole periods; calendar arithmetic keeps months and DST right.
  let cursor = start;
  let periods = Math.max(0, Math.floor(target.diff(start).toMillis() / period.duration) - 1);
  cursor = start.plus(multiply(step, periods));
  while (cursor.plus(step) <= target) {
    periods += 1;
    cursor = start.plus(multiply(step, periods));
  }
  return cursor.toJSDate();
}

function multiply(step: Record<string, number>, times: number): Record<string, number> {
  return Object.fromEntries(Object.entries(step).map(([key, value]) => [key, value * times]));
}

function periodElapsed(slo: SloDefinition, now: Date): number {
  return slo.period.kind === 'rolling' ? slo.period.duration : now.getTime() - periodStart(slo, now).getTime();
}

/**
 * One evaluation of one SLO from its SLI over each window, moving each tier's state on from what it was. Pure: the
 * caller supplies the SLIs, the previous states and the time.
 */
export function evaluateSlo(
  slo: SloDefinition,
  sli: ReadonlyMap<number, WindowSli>,
  previous: ReadonlyMap<string, TierMemory>,
  now: Date,
): { readonly status: SloStatus; readonly transitions: ReadonlyArray<TierTransition> } {
  const nowText = now.toISOString();
  const budget = errorBudget(slo.objectivePercent);
  const ratio = (window: number): number | undefined => sli.get(window)?.errorRatio;
  const burn = (window: number): number | undefined => {
    const value = ratio(window);
    return value === undefined ? undefined : burnRate(value, slo.objectivePercent);
  };

  const elapsed = periodElapsed(slo, now);
  const periodRatio = ratio(elapsed);
  const consumed = periodRatio === undefined ? undefined : periodRatio / budget;
  // A calendar period part-way through has spent its errors against the whole period's budget.
  const spent =
    consumed === undefined
      ? undefined
      : slo.period.kind === 'rolling'
        ? consumed
        : (consumed * elapsed) / slo.period.duration;
  const remaining = spent === undefined ? undefined : 1 - spent;
  const current = burn(HOUR);
  const exhaustion =
    remaining === undefined || current === undefined
      ? undefined
      : timeToExhaustion(remaining, current, slo.period.duration);

  const tiers: TierStatus[] = [];
  const transitions: TierTransition[] = [];
  for (const tier of slo.alerting.tiers) {
    const before = previous.get(tier.name) ?? { state: 'inactive', since: undefined };
    const longEvents = sli.get(tier.longWindow)?.events;
    const lowTraffic = longEvents !== undefined && !meetsLowTrafficGuard(longEvents, slo.alerting.minimumEvents);
    const burning =
      tier.enabled &&
      !lowTraffic &&
      tierFiring(ratio(tier.shortWindow), ratio(tier.longWindow), tier, slo.objectivePercent);
    const after = nextState(before, burning, tier.for, now);
    const status: TierStatus = {
      name: tier.name,
      severity: tier.severity,
      state: after.state,
      since: after.since,
      shortWindow: windowText(tier.shortWindow),
      longWindow: windowText(tier.longWindow),
      factor: tier.factor,
      shortBurnRate: burn(tier.shortWindow),
      longBurnRate: burn(tier.longWindow),
      lowTraffic,
    };
    tiers.push(status);
    if (after.state !== before.state) transitions.push({ tier, from: before.state, to: after.state, status });
  }

  const burnRates: Record<string, number | undefined> = {};
  const errorRatios: Record<string, number | undefined> = {};
  const events: Record<string, number | undefined> = {};
  for (const [window, value] of [...sli.entries()].sort(([a], [b]) => a - b)) {
    const key = window === elapsed && slo.period.kind === 'calendar' ? 'period' : windowText(window);
    burnRates[key] = burn(window);
    errorRatios[key] = value.errorRatio;
    events[key] = value.events;
  }

  return {
    status: {
      id: slo.id,
      service: slo.service,
      name: slo.name,
      evaluatedAt: nowText,
      objectivePercent: slo.objectivePercent,
      period: slo.period.text,
      periodStart: periodStart(slo, now).toISOString(),
      budgeting: slo.budgeting,
      sli: periodRatio === undefined ? undefined : 1 - periodRatio,
      errorBudget: budget,
      budgetRemaining: remaining,
      budgetRemainingMinutes: remaining === undefined ? undefined : (remaining * budget * slo.period.duration) / 60_000,
      burnRates,
      errorRatios,
      events,
      timeToExhaustion: exhaustion === undefined ? undefined : windowText(Math.round(exhaustion / 60_000) * 60_000),
      timeToExhaustionMs: exhaustion,
      tiers,
    },
    transitions,
  };
}

function nextState(before: TierMemory, burning: boolean, holdFor: number, now: Date): TierMemory {
  const at = now.toISOString();
  switch (before.state) {
    case 'inactive':
    case 'resolved':
      if (!burning) return before;
      return holdFor > 0 ? { state: 'pending', since: at } : { state: 'firing', since: at };
    case 'pending': {
      if (!burning) return { state: 'inactive', since: at };
      const since = before.since === undefined ? now.getTime() : Date.parse(before.since);
      return now.getTime() - since >= holdFor ? { state: 'firing', since: at } : before;
    }
    case 'firing':
      return burning ? before : { state: 'resolved', since: at };
  }
}

function windowText(milliseconds: number): string {
  return milliseconds <= 0 ? '0s' : formatDuration(milliseconds);
}
