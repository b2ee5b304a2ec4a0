/**
 * Error-budget and burn-rate arithmetic (Google SRE workbook, "Alerting on SLOs"; Sloth's factors). Pure: durations
 * are milliseconds, objectives percentages as written (99.9), ratios fractions in [0, 1].
 */

import type { BurnRateTier } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type DefaultTierWindows = Pick<BurnRateTier, 'name' | 'severity' | 'shortWindow' | 'longWindow' | 'budgetFraction'>;

/** The workbook's ladder (14.4 / 6 / 3 / 1 at 30 days), as Sloth's `google-30d.yaml` and `google-28d.yaml` hold it. */
const DEFAULT_TIER_WINDOWS = [
  { name: 'page-quick', severity: 'page', shortWindow: 5 * MINUTE, longWindow: HOUR, budgetFraction: 0.02 },
  { name: 'page-slow', severity: 'page', shortWindow: 30 * MINUTE, longWindow: 6 * HOUR, budgetFraction: 0.05 },
  { name: 'ticket-quick', severity: 'ticket', shortWindow: 2 * HOUR, longWindow: DAY, budgetFraction: 0.1 },
  { name: 'ticket-slow', severity: 'ticket', shortWindow: 6 * HOUR, longWindow: 3 * DAY, budgetFraction: 0.1 },
] as const satisfies ReadonlyArray<DefaultTierWindows>;

function isCount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/**
 * The allowed error ratio, `(100 − objective) / 100`. Kept in that order so the float matches Sloth's rules:
 * 99.9 gives 0.0009999999999999432, not 0.001.
 */
export function errorBudget(objectivePercent: number): number {
  return (100 - objectivePercent) / 100;
}

/** Good over total; undefined when total is 0, a count is negative or not finite, or good exceeds total. */
export function sliRatio(good: number, total: number): number | undefined {
  if (!isCount(good) || !isCount(total) || total === 0 || good > total) return undefined;
  return good / total;
}

/** Bad over total; undefined when total is 0, a count is negative or not finite, or bad exceeds total. */
export function errorRatio(bad: number, total: number): number | undefined {
  if (!isCount(bad) || !isCount(total) || total === 0 || bad > total) return undefined;
  return bad / total;
}

/**
 * How many times faster than sustainable the budget is being spent: error ratio ÷ budget, 1 lasting exactly one
 * period. Undefined when the ratio is negative or not finite, or the objective leaves no budget (100 %).
 */
export function burnRate(observedErrorRatio: number, objectivePercent: number): number | undefined {
  const budget = errorBudget(objectivePercent);
  if (!isCount(observedErrorRatio) || !Number.isFinite(budget) || budget <= 0) return undefined;
  return observedErrorRatio / budget;
}

/**
 * The fraction of the whole period's budget spent so far: burn rate × elapsed ÷ period. Above 1 once overspent.
 * Undefined for the inputs {@link burnRate} refuses, a negative or non-finite `elapsed`, or a period that is not
 * positive.
 *
 * @param periodErrorRatio - the error ratio over the `elapsed` part of the period
 */
export function budgetConsumed(
  periodErrorRatio: number,
  elapsed: number,
  period: number,
  objectivePercent: number,
): number | undefined {
  const rate = burnRate(periodErrorRatio, objectivePercent);
  if (rate === undefined || !isCount(elapsed) || !Number.isFinite(period) || period <= 0) return undefined;
  return rate * (elapsed / period);
}

/**
 * 1 − {@link budgetConsumed}. Negative once the budget is overspent, and left so: how far over is what a report
 * needs, where clamping to 0 would hide it.
 */
export function budgetRemaining(
  periodErrorRatio: number,
  elapsed: number,
  period: number,
  objectivePercent: number,
): number | undefined {
  const consumed = budgetConsumed(periodErrorRatio, elapsed, period, objectivePercent);
  return consumed === undefined ? undefined : 1 - consumed;
}

/**
 * Milliseconds until the remaining budget is gone at the current burn rate: remaining × period ÷ burn rate (not
 * rounded). 0 when nothing remains; undefined when the budget is not being spent (burn rate ≤ 0) or an input is
 * not finite.
 *
 * @param remainingFraction - the remaining fraction of the whole period's budget, as {@link budgetRemaining} gives it
 */
export function timeToExhaustion(
  remainingFraction: number,
  currentBurnRate: number,
  period: number,
): number | undefined {
  if (!Number.isFinite(remainingFraction) || !Number.isFinite(currentBurnRate) || !Number.isFinite(period)) {
    return undefined;
  }
  if (remainingFraction <= 0) return 0;
  if (currentBurnRate <= 0) return undefined;
  return (remainingFraction * period) / currentBurnRate;
}

/** The burn rate at which `longWindow` spends `budgetFraction` of the period's budget: fraction × period ÷ window. */
export function burnRateFactor(budgetFraction: number, period: number, longWindow: number): number {
  return (budgetFraction * period) / longWindow;
}

/**
 * The workbook's four tiers for `period`, windows fixed whatever the period (as Sloth's 28d and 30d sets). A tier
 * whose long window exceeds the period is disabled: its factor (fraction × period ÷ window) would fall below 1, a
 * burn rate that cannot exhaust the budget within a period, and its window would average in errors the period no
 * longer counts.
 */
export function defaultTiers(period: number): ReadonlyArray<BurnRateTier> {
  return DEFAULT_TIER_WINDOWS.map((tier) => ({
    ...tier,
    factor: burnRateFactor(tier.budgetFraction, period, tier.longWindow),
    enabled: tier.longWindow <= period,
    for: 0,
    labels: {},
  }));
}

/**
 * Whether an enabled tier's condition holds: both windows' error ratios strictly above factor × budget, as the
 * Prometheus `>` in the generated rule. False when either ratio is unknown.
 */
export function tierFiring(
  shortErrorRatio: number | undefined,
  longErrorRatio: number | undefined,
  tier: BurnRateTier,
  objectivePercent: number,
): boolean {
  if (!tier.enabled || shortErrorRatio === undefined || longErrorRatio === undefined) return false;
  const threshold = tier.factor * errorBudget(objectivePercent);
  return shortErrorRatio > threshold && longErrorRatio > threshold;
}

/** Whether a window holds enough events for its ratio to be trusted (at least `minimumEvents`). */
export function meetsLowTrafficGuard(total: number, minimumEvents: number): boolean {
  return isCount(total) && total >= minimumEvents;
}
