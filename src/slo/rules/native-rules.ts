/**
 * sre-agent's own Prometheus rules: what Sloth's layout cannot say. Any period; one alert per enabled burn-rate tier,
 * each with its `for`, its labels and a `slo_tier` label so Alertmanager can route and inhibit by tier; an alert when
 * the SLI stops producing data; time-slice budgets; threshold SLIs; OpenSLO input as well as Sloth.
 * @module
 */
import { assertNever, InputError } from '../../errors/index.js';
import { errorBudget } from '../slo-maths.js';
import type { BurnRateTier, SliSpec, SloDefinition, ThresholdOperator } from '../types.js';
import {
  type AlertingRule,
  formatGoFloat,
  mergeLabels,
  promDuration,
  promFilter,
  type RecordingRule,
  type RuleGroup,
} from './prometheus-format.js';

export interface NativeRuleGroupsOptions {
  /** Labels added to every rule, winning over the SLO's own. */
  readonly extraLabels: Readonly<Record<string, string>>;
  readonly version: string;
  /** Name of the alert raised when an SLO's SLI has produced no data for a while. */
  readonly absentAlertName?: string;
}

type Labels = Readonly<Record<string, string>>;

export const NATIVE_SLI_METRIC = 'slo:sli_error:ratio_rate';
export const NATIVE_WINDOW_LABEL = 'slo_window';
const PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g;
const FIVE_MINUTES = 5 * 60_000;
/** Period rules read long ranges; every five minutes is often enough for a budget and spares Prometheus. */
const PERIOD_GROUP_INTERVAL = '5m';

const OPERATORS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const satisfies Readonly<
  Record<ThresholdOperator, string>
>;

/** Per SLO: its SLI recordings, its period and metadata recordings, and its alerts. */
export function nativeRuleGroups(slos: ReadonlyArray<SloDefinition>, options: NativeRuleGroupsOptions): RuleGroup[] {
  return slos.flatMap((slo) => sloGroups(slo, options));
}

/** The labels that identify an SLO's series; alerts and tests select on them. */
export function nativeIdLabels(slo: SloDefinition): Labels {
  return { slo_id: slo.id, slo_service: slo.service, slo_name: slo.name };
}

/** The labels every series of the SLO carries besides the window: identity, the SLO's labels, the extra labels. */
export function nativeSeriesLabels(slo: SloDefinition, extraLabels: Labels): Labels {
  return mergeLabels(slo.labels, extraLabels, nativeIdLabels(slo));
}

/** Windows the SLI is recorded over: each enabled tier's two, the five-minute base and the time slice. */
export function nativeWindows(slo: SloDefinition): number[] {
  const windows = new Set<number>([FIVE_MINUTES]);
  for (const tier of slo.alerting.tiers) {
    if (!tier.enabled) continue;
    windows.add(tier.shortWindow);
    windows.add(tier.longWindow);
  }
  if (slo.timeSliceWindow !== undefined) windows.add(slo.timeSliceWindow);
  return [...windows].filter((window) => window < slo.period.duration).sort((a, b) => a - b);
}

function sloGroups(slo: SloDefinition, options: NativeRuleGroupsOptions): RuleGroup[] {
  const ids = nativeIdLabels(slo);
  const labels = nativeSeriesLabels(slo, options.extraLabels);
  const filter = promFilter(ids);
  const template = errorRatioTemplate(slo);
  const windows = nativeWindows(slo);

  const sliRules: RecordingRule[] = windows.map((window) => ({
    kind: 'recording',
    record: sliMetric(window),
    expr: template.replace(PLACEHOLDER, promDuration(window)),
    labels: mergeLabels(labels, { [NATIVE_WINDOW_LABEL]: promDuration(window) }),
  }));

  const objective = formatGoFloat(slo.objectivePercent / 100);
  const budget = formatGoFloat(errorBudget(slo.objectivePercent));
  const period = promDuration(slo.period.duration);
  const rule = (record: string, expr: string, extra: Labels = {}): RecordingRule => ({
    kind: 'recording',
    record,
    expr,
    labels: mergeLabels(labels, extra),
  });
  const burnRate = (metric: string): string =>
    `${metric}${filter}\n/ on(slo_id) group_left\nslo:error_budget:ratio${filter}\n`;
  const periodRules: RecordingRule[] = [
    rule(sliMetric(slo.period.duration), periodErrorRatio(slo, template, filter, period), {
      [NATIVE_WINDOW_LABEL]: period,
    }),
    rule('slo:objective:ratio', `vector(${objective})`),
    rule('slo:error_budget:ratio', `vector(${budget})`),
    rule('slo:time_period:days', `vector(${formatGoFloat(slo.period.duration / 86_400_000)})`),
    rule('slo:current_burn_rate:ratio', burnRate(sliMetric(windows[0] ?? FIVE_MINUTES))),
    rule('slo:period_burn_rate:ratio', burnRate(sliMetric(slo.period.duration))),
    rule('slo:period_error_budget_remaining:ratio', `1 - slo:period_burn_rate:ratio${filter}`),
    rule('sre_agent_slo_info', 'vector(1)', {
      sre_agent_version: options.version,
      slo_objective: formatGoFloat(slo.objectivePercent),
      slo_period: period,
      slo_budgeting: slo.budgeting,
      slo_spec: slo.source.spec,
    }),
  ];

  const alerts: AlertingRule[] = [];
  for (const tier of slo.alerting.tiers) {
    const alert = tierAlert(slo, tier, filter, budget);
    if (alert !== undefined) alerts.push(alert);
  }
  const shortest = windows[0] ?? FIVE_MINUTES;
  alerts.push({
    kind: 'alerting',
    alert: options.absentAlertName ?? 'SLOSLIAbsent',
    expr: `absent(${sliMetric(shortest)}${filter})\n`,
    for: promDuration(Math.max(10 * 60_000, 2 * shortest)),
    labels: mergeLabels(slo.alerting.labels, ids, { slo_severity: 'ticket' }),
    annotations: {
      summary: `SLO ${slo.id} has no SLI data: its error ratio over ${promDuration(shortest)} is not being recorded.`,
      description:
        'The SLI queries return nothing, so burn-rate alerts for this SLO cannot fire. Check that the service is ' +
        'scraped and that the metric names in the SLO still exist.',
    },
  });

  return [
    { name: `sre-agent-slo-sli-${slo.id}`, rules: sliRules },
    { name: `sre-agent-slo-period-${slo.id}`, interval: PERIOD_GROUP_INTERVAL, rules: periodRules },
    { name: `sre-agent-slo-alerts-${slo.id}`, rules: alerts },
  ];
}

function tierAlert(slo: SloDefinition, tier: BurnRateTier, filter: string, budget: string): AlertingRule | undefined {
  if (!tier.enabled || tier.longWindow >= slo.period.duration) return undefined;
  const severity = tier.severity === 'page' ? slo.alerting.page : slo.alerting.ticket;
  if (severity.disabled) return undefined;
  const name = slo.alerting.name;
  if (name === undefined || name === '') {
    throw new InputError(`SLO ${slo.id}: the ${tier.severity} tier ${tier.name} is enabled but the alert has no name`, {
      details: [{ path: 'alerting.name', message: 'is required', file: slo.source.file, line: slo.source.line }],
    });
  }
  const factor = formatGoFloat(tier.factor);
  const condition = (window: number): string =>
    `max(${sliMetric(window)}${filter} > (${factor} * ${budget})) without (${NATIVE_WINDOW_LABEL})`;
  return {
    kind: 'alerting',
    alert: name,
    expr: `${condition(tier.shortWindow)}\nand\n${condition(tier.longWindow)}\n`,
    for: tier.for > 0 ? promDuration(tier.for) : undefined,
    labels: mergeLabels(slo.alerting.labels, severity.labels, tier.labels, {
      slo_severity: tier.severity,
      slo_tier: tier.name,
      slo_burn_rate: factor,
      slo_long_window: promDuration(tier.longWindow),
      slo_short_window: promDuration(tier.shortWindow),
    }),
    annotations: mergeLabels(
      {
        summary: `{{$labels.slo_service}} {{$labels.slo_name}} is burning its error budget at over ${factor} times the sustainable rate (${tier.name}).`,
        description:
          `Both the ${promDuration(tier.longWindow)} and ${promDuration(tier.shortWindow)} error ratios are above ` +
          `${factor} x ${budget}. At this rate the ${promDuration(slo.period.duration)} budget lasts ` +
          `${promDuration(Math.round(slo.period.duration / tier.factor / 60_000) * 60_000)}.`,
      },
      slo.alerting.annotations,
      severity.annotations,
    ),
  };
}

/** The SLI as an error-ratio expression holding `{{.window}}`. */
function errorRatioTemplate(slo: SloDefinition): string {
  const sli: SliSpec = slo.sli;
  switch (sli.kind) {
    case 'errors':
      return `(${sli.errorQuery.trim()})\n/\n(${sli.totalQuery.trim()})\n`;
    case 'good':
      return `1 - (\n(${sli.goodQuery.trim()})\n/\n(${sli.totalQuery.trim()})\n)\n`;
    case 'error-ratio':
      return `(${sli.errorRatioQuery.trim()})\n`;
    case 'success-ratio':
      return `1 - (${sli.successRatioQuery.trim()})\n`;
    case 'threshold':
      // The share of minutes in the window when the value broke the threshold.
      return `1 - avg_over_time((${sli.query.trim()} ${OPERATORS[sli.op]} bool ${formatGoFloat(sli.value)})[{{.window}}:1m])\n`;
    default:
      return assertNever(sli, 'SLI kind');
  }
}

/** The error ratio over the whole period, as the SLO's budgeting method defines it. */
function periodErrorRatio(slo: SloDefinition, template: string, filter: string, period: string): string {
  switch (slo.budgeting) {
    case 'Occurrences':
      // Exact: the queries over the whole period. Raw ratio and threshold SLIs have no counts, so they fall back
      // to averaging five-minute ratios, like RatioTimeslices.
      if (slo.sli.kind === 'errors' || slo.sli.kind === 'good') return template.replace(PLACEHOLDER, period);
      return averageOf(sliMetric(FIVE_MINUTES), filter, period);
    case 'RatioTimeslices':
      return averageOf(sliMetric(slo.timeSliceWindow ?? FIVE_MINUTES), filter, period);
    case 'Timeslices': {
      const slice = slo.timeSliceWindow ?? FIVE_MINUTES;
      const allowed = formatGoFloat(1 - (slo.timeSliceTarget ?? 1));
      // The share of slices whose own error ratio broke the slice target.
      return `avg_over_time((${sliMetric(slice)}${filter} > bool ${allowed})[${period}:${promDuration(slice)}])\n`;
    }
    default:
      return assertNever(slo.budgeting, 'budgeting method');
  }
}

function averageOf(metric: string, filter: string, period: string): string {
  return `sum_over_time(${metric}${filter}[${period}])\n/ ignoring (${NATIVE_WINDOW_LABEL})\ncount_over_time(${metric}${filter}[${period}])\n`;
}

function sliMetric(window: number): string {
  return `${NATIVE_SLI_METRIC}${promDuration(window)}`;
}
