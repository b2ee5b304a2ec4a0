/**
 * The numbers a contribution states about an SLO: its budget in minutes, and for each burn-rate tier the error
 * ratio that trips it, the share of budget gone when it fires and how long the budget lasts at that rate.
 * @module
 */
import type { Tier } from '../catalogue/index.js';
import { burnRateFactor, defaultTiers, errorBudget } from '../slo/slo-maths.js';
import type { AlertSeverity, BudgetingMethod, SloDefinition } from '../slo/types.js';
import { DAY, duration, HOUR, MINUTE } from './format.js';
import { TIER_GUIDE } from './tier-guide.js';

export interface TierFacts {
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly enabled: boolean;
  readonly shortWindowMs: number;
  readonly longWindowMs: number;
  readonly factor: number;
  /** The error ratio both windows must exceed: factor × budget. */
  readonly errorRatio: number;
  /** Share of the period's budget the long window has used when the tier fires: factor × long window ÷ period. */
  readonly budgetConsumed: number;
  /** How long a whole budget lasts at this burn rate: period ÷ factor. */
  readonly exhaustionMs: number;
  /** How long the condition must hold before it fires. */
  readonly holdMs: number;
}

export interface SloFacts {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  /** True when the service has no SLO and these figures are for the one sre-agent proposes. */
  readonly proposed: boolean;
  readonly objectivePercent: number;
  readonly periodMs: number;
  /** `a rolling 30 days`, `calendar periods of 1 month from …`. */
  readonly periodText: string;
  readonly budgeting: BudgetingMethod;
  /** The allowed error ratio, (100 − objective) ÷ 100. */
  readonly budget: number;
  /** The budget as minutes of complete failure over one period. */
  readonly budgetMinutes: number;
  readonly tiers: ReadonlyArray<TierFacts>;
  readonly minimumEvents: number;
}

const PROPOSED_PERIOD_MS = 30 * DAY;

export function sloFacts(slo: SloDefinition): SloFacts {
  return factsOf({
    id: slo.id,
    name: slo.name,
    description: slo.description,
    proposed: false,
    objectivePercent: slo.objectivePercent,
    periodMs: slo.period.duration,
    periodText:
      slo.period.kind === 'rolling'
        ? `a rolling ${duration(slo.period.duration)}`
        : `calendar periods of ${duration(slo.period.duration)} starting ${slo.period.startTime} (${slo.period.timeZone})`,
    budgeting: slo.budgeting,
    tiers: slo.alerting.tiers,
    minimumEvents: slo.alerting.minimumEvents,
  });
}

/** The availability SLO sre-agent proposes for a service of `tier` that has none, with the workbook's tiers. */
export function proposedSlo(service: string, tier: Tier): SloFacts {
  return factsOf({
    id: `${service}-availability`,
    name: 'availability',
    description: 'proposed: requests answered without a server error',
    proposed: true,
    objectivePercent: TIER_GUIDE[tier].startingObjectivePercent,
    periodMs: PROPOSED_PERIOD_MS,
    periodText: `a rolling ${duration(PROPOSED_PERIOD_MS)}`,
    budgeting: 'Occurrences',
    tiers: defaultTiers(PROPOSED_PERIOD_MS),
    minimumEvents: 0,
  });
}

/**
 * Events a canary step must serve before a clean result means anything: with none failing, the 95% upper bound
 * on the error ratio is about 3 ÷ n (the rule of three), so n must reach 3 ÷ budget.
 */
export function eventsToJudge(budget: number): number {
  // Rounded first: 99.95 leaves 0.00049999999999997 in floating point, which would make 6,000 into 6,001.
  return budget > 0 ? Math.ceil(Number((3 / budget).toPrecision(10))) : Number.POSITIVE_INFINITY;
}

/** The SLO with the least budget: the one a release is most likely to break. */
export function strictest(slos: ReadonlyArray<SloFacts>): SloFacts | undefined {
  return slos.reduce<SloFacts | undefined>(
    (best, slo) => (best === undefined || slo.budget < best.budget ? slo : best),
    undefined,
  );
}

/** The first enabled tier of `severity` with the highest factor, or the lowest when `fastest` is false. */
export function tierOf(slo: SloFacts, severity: AlertSeverity, fastest = true): TierFacts | undefined {
  const tiers = slo.tiers.filter((tier) => tier.enabled && tier.severity === severity);
  return tiers.reduce<TierFacts | undefined>(
    (best, tier) =>
      best === undefined || (fastest ? tier.factor > best.factor : tier.factor < best.factor) ? tier : best,
    undefined,
  );
}

/** The figures a release is judged by: the strictest SLO's budget, its page thresholds and the events a step needs. */
export interface ReleaseFigures {
  readonly slo: SloFacts;
  readonly budget: number;
  readonly fast: number;
  readonly fastFactor: number;
  readonly slow: number;
  readonly slowFactor: number;
  readonly slowLongMs: number;
  readonly slowShortMs: number;
  readonly events: number;
}

export function releaseFigures(slos: ReadonlyArray<SloFacts>): ReleaseFigures | undefined {
  const slo = strictest(slos);
  if (slo === undefined) return undefined;
  const fastTier = tierOf(slo, 'page');
  const slowTier = tierOf(slo, 'page', false);
  const fastFactor = fastTier?.factor ?? burnRateFactor(0.02, slo.periodMs, HOUR);
  const slowFactor =
    slowTier === fastTier || slowTier === undefined ? burnRateFactor(0.05, slo.periodMs, 6 * HOUR) : slowTier.factor;
  return {
    slo,
    budget: slo.budget,
    fast: fastFactor * slo.budget,
    fastFactor,
    slow: slowFactor * slo.budget,
    slowFactor,
    slowLongMs: slowTier === fastTier || slowTier === undefined ? 6 * HOUR : slowTier.longWindowMs,
    slowShortMs: slowTier === fastTier || slowTier === undefined ? 30 * MINUTE : slowTier.shortWindowMs,
    events: eventsToJudge(slo.budget),
  };
}

interface FactsSource {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly proposed: boolean;
  readonly objectivePercent: number;
  readonly periodMs: number;
  readonly periodText: string;
  readonly budgeting: BudgetingMethod;
  readonly tiers: ReadonlyArray<{
    readonly name: string;
    readonly severity: AlertSeverity;
    readonly enabled: boolean;
    readonly shortWindow: number;
    readonly longWindow: number;
    readonly factor: number;
    readonly for: number;
  }>;
  readonly minimumEvents: number;
}

function factsOf(source: FactsSource): SloFacts {
  const budget = errorBudget(source.objectivePercent);
  return {
    id: source.id,
    name: source.name,
    description: source.description,
    proposed: source.proposed,
    objectivePercent: source.objectivePercent,
    periodMs: source.periodMs,
    periodText: source.periodText,
    budgeting: source.budgeting,
    budget,
    budgetMinutes: (budget * source.periodMs) / MINUTE,
    tiers: source.tiers.map((tier) => ({
      name: tier.name,
      severity: tier.severity,
      enabled: tier.enabled,
      shortWindowMs: tier.shortWindow,
      longWindowMs: tier.longWindow,
      factor: tier.factor,
      errorRatio: tier.factor * budget,
      budgetConsumed: (tier.factor * tier.longWindow) / source.periodMs,
      exhaustionMs: tier.factor > 0 ? source.periodMs / tier.factor : Number.POSITIVE_INFINITY,
      holdMs: tier.for,
    })),
    minimumEvents: source.minimumEvents,
  };
}
