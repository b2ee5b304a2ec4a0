/** The SLO area's model: what an SLO means, whichever format it was written in. Durations are milliseconds. */

export type SloSpecFormat = 'openslo' | 'sloth';

/**
 * How the budget is counted. Occurrences: good events over all events in the period. Timeslices: good slices over
 * all slices, a slice being good when its own ratio meets `timeSliceTarget`. RatioTimeslices: the average of the
 * per-slice ratios, so a quiet slice weighs as much as a busy one.
 */
export type BudgetingMethod = 'Occurrences' | 'Timeslices' | 'RatioTimeslices';

export type ThresholdOperator = 'lt' | 'lte' | 'gt' | 'gte';

/**
 * What the SLI measures. Queries are PromQL with `{{.window}}` where the range goes (Sloth's placeholder; OpenSLO
 * queries are given one by the parser when they have none).
 */
export type SliSpec =
  /** Bad events over all events (Sloth `events`, OpenSLO `ratioMetric` with `bad`). */
  | { readonly kind: 'errors'; readonly errorQuery: string; readonly totalQuery: string }
  /** Good events over all events (OpenSLO `ratioMetric` with `good`). */
  | { readonly kind: 'good'; readonly goodQuery: string; readonly totalQuery: string }
  /** A query that is already the error ratio (Sloth `raw`, OpenSLO `raw` with rawType failure). */
  | { readonly kind: 'error-ratio'; readonly errorRatioQuery: string }
  /** A query that is already the success ratio (OpenSLO `raw` with rawType success). */
  | { readonly kind: 'success-ratio'; readonly successRatioQuery: string }
  /** A value compared with a threshold, good while `query op value` holds (OpenSLO `thresholdMetric`). */
  | { readonly kind: 'threshold'; readonly query: string; readonly op: ThresholdOperator; readonly value: number };

export type SloPeriod =
  | { readonly kind: 'rolling'; readonly duration: number; readonly text: string }
  | {
      readonly kind: 'calendar';
      readonly duration: number;
      readonly text: string;
      /** ISO 8601 local date-time the first period starts at, in `timeZone`. */
      readonly startTime: string;
      readonly timeZone: string;
    };

export type AlertSeverity = 'page' | 'ticket';

/** One multi-window burn-rate tier: both windows must burn faster than `factor` for it to fire. */
export interface BurnRateTier {
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly shortWindow: number;
  readonly longWindow: number;
  /** Fraction of the period's budget the long window consumes at `factor`. */
  readonly budgetFraction: number;
  /** Burn-rate threshold: budgetFraction × period ÷ longWindow. */
  readonly factor: number;
  readonly enabled: boolean;
  /** How long the condition must hold before firing (Prometheus `for`); 0 for at once. */
  readonly for: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface SeverityAlerting {
  readonly disabled: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface SloAlerting {
  /** The alert name; absent only when both severities are disabled. */
  readonly name: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly page: SeverityAlerting;
  readonly ticket: SeverityAlerting;
  readonly tiers: ReadonlyArray<BurnRateTier>;
  /** Tier states stay inactive while a window holds fewer events than this (the low-traffic guard). */
  readonly minimumEvents: number;
}

export interface SloSource {
  readonly format: SloSpecFormat;
  readonly file: string;
  readonly line: number;
  /** The spec version string as written: `prometheus/v1` or `openslo/v1`. */
  readonly spec: string;
}

/** Where a PrometheusText data source's counters are scraped from, and how often. */
export interface ScrapeTarget {
  /** http or https; credentials in it are sent as basic auth and never shown. */
  readonly url: string;
  readonly intervalMs: number;
}

export interface SloDefinition {
  /** `<service>-<name>`, unique in the catalogue (Sloth's `sloth_id`). */
  readonly id: string;
  readonly service: string;
  readonly name: string;
  readonly description: string | undefined;
  /** The objective as a percentage, exactly as written (99.9): rules print it, maths divides it. */
  readonly objectivePercent: number;
  readonly period: SloPeriod;
  readonly budgeting: BudgetingMethod;
  /** Timeslices: the ratio a slice must reach to count as good. */
  readonly timeSliceTarget: number | undefined;
  /** Timeslices and RatioTimeslices: the slice length. */
  readonly timeSliceWindow: number | undefined;
  readonly sli: SliSpec;
  /** The metric source's type as written (`prometheus` for Sloth); rules are generated for Prometheus-compatible ones. */
  readonly metricSource?: string | undefined;
  /** Set when the metric source is PrometheusText: the SLI's queries are then metric selectors, summed per scrape. */
  readonly scrape?: ScrapeTarget | undefined;
  /** Spec-level labels merged with the SLO's own (the SLO's win). */
  readonly labels: Readonly<Record<string, string>>;
  readonly alerting: SloAlerting;
  readonly source: SloSource;
}
