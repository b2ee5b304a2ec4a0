/**
 * `promtool test rules` scenarios for generated alerts. Each SLO gets its alert groups in a file of their own and a
 * test that feeds the recorded SLI series directly, at 20, 5 and 0.5 times the error budget, and expects exactly
 * the alerts whose tiers that burn rate exceeds. The SLI queries themselves are the user's; what is tested is that
 * the thresholds, windows, tiers, labels and annotations sre-agent generated do what the SLO says.
 * @module
 */
import { stringify } from 'yaml';
import { errorBudget } from '../slo-maths.js';
import type { BurnRateTier, SloDefinition } from '../types.js';
import { NATIVE_SLI_METRIC, NATIVE_WINDOW_LABEL, nativeSeriesLabels, nativeWindows } from './native-rules.js';
import { type AlertingRule, formatGoFloat, mergeLabels, promDuration, type RuleGroup } from './prometheus-format.js';

export type RuleFormat = 'sloth' | 'native';

export interface PromtoolTestFile {
  /** File name for the SLO's alert groups, next to the test. */
  readonly alertsFile: string;
  readonly alertsGroups: ReadonlyArray<RuleGroup>;
  readonly testFile: string;
  readonly testText: string;
}

interface Scenario {
  readonly name: string;
  /** The error ratio fed for each window. */
  readonly value: (window: number) => number;
}

export type PromtoolTestResult =
  | { readonly ok: true; readonly file: PromtoolTestFile }
  | { readonly ok: false; readonly sloId: string; readonly reason: string };

/** Burn-rate multiples of the budget each scenario feeds, as the issue asks: pages, tickets only, silent. */
export const SCENARIO_MULTIPLES = [20, 5, 0.5] as const;

const SLOTH_SLI_METRIC = 'slo:sli_error:ratio_rate';
const LABEL_TEMPLATE = /\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

/**
 * The test for one SLO, given the rule groups generated for it in `format`. Refused (with the reason) when an
 * annotation uses template features other than `$labels`, whose expansion promtool checks exactly.
 */
export function promtoolTestFor(
  slo: SloDefinition,
  groups: ReadonlyArray<RuleGroup>,
  format: RuleFormat,
  extraLabels: Readonly<Record<string, string>>,
): PromtoolTestResult {
  const alertGroups = groups.filter((group) => group.rules.some((rule) => rule.kind === 'alerting'));
  const alerts = alertGroups.flatMap((group) =>
    group.rules.filter((rule): rule is AlertingRule => rule.kind === 'alerting'),
  );
  const seriesLabels =
    format === 'native'
      ? nativeSeriesLabels(slo, extraLabels)
      : mergeLabels({ sloth_id: slo.id, sloth_service: slo.service, sloth_slo: slo.name }, slo.labels, extraLabels);
  const windowLabel = format === 'native' ? NATIVE_WINDOW_LABEL : 'sloth_window';
  const metric = format === 'native' ? NATIVE_SLI_METRIC : SLOTH_SLI_METRIC;
  const windows =
    format === 'native'
      ? nativeWindows(slo)
      : [...new Set(slo.alerting.tiers.flatMap((tier) => [tier.shortWindow, tier.longWindow]))].sort((a, b) => a - b);

  const isBurnAlert = (alert: AlertingRule): boolean =>
    alert.labels.slo_tier !== undefined || alert.labels.sloth_severity !== undefined;
  const longestFor = Math.max(0, ...slo.alerting.tiers.map((tier) => tier.for));
  const evalMinutes = Math.ceil(longestFor / 60_000) + 10;
  const budget = errorBudget(slo.objectivePercent);

  const scenarios: Scenario[] = SCENARIO_MULTIPLES.map((multiple) => ({
    name: `error ratio at ${multiple} times the budget in every window`,
    value: () => budget * multiple,
  }));
  // Per tier: just above its factor in its own two windows fires it alone; just below, or only in the long
  // window, fires nothing. These catch a wrong factor or window that the flat scenarios cannot.
  for (const tier of slo.alerting.tiers.filter((candidate) => candidate.enabled)) {
    const own = (factor: number, long: boolean, short: boolean) => (window: number) =>
      (window === tier.longWindow && long) || (window === tier.shortWindow && short) ? budget * factor : 0;
    scenarios.push(
      {
        name: `${tier.name} just above ${formatGoFloat(tier.factor)}x in its windows`,
        value: own(tier.factor * 1.05, true, true),
      },
      {
        name: `${tier.name} just below ${formatGoFloat(tier.factor)}x in its windows`,
        value: own(tier.factor * 0.95, true, true),
      },
      {
        name: `${tier.name} above ${formatGoFloat(tier.factor)}x in its long window only`,
        value: own(tier.factor * 1.05, true, false),
      },
    );
  }

  const tests = [];
  for (const scenario of scenarios) {
    // The exact doubles promtool will read from the series text.
    const values = new Map(windows.map((window) => [window, Number(formatGoFloat(scenario.value(window)))]));
    const inputSeries = windows.map((window) => ({
      series: seriesText(
        `${metric}${promDuration(window)}`,
        mergeLabels(seriesLabels, { [windowLabel]: promDuration(window) }),
      ),
      values: `${formatGoFloat(values.get(window) ?? 0)}x${evalMinutes + 10}`,
    }));
    const alertRuleTests = [];
    // Every alert name is checked: burn-rate alerts fire as their tiers say; the no-data alert stays silent.
    for (const name of new Set(alerts.map((alert) => alert.alert))) {
      const expected = [];
      for (const alert of alerts.filter((candidate) => candidate.alert === name)) {
        if (!isBurnAlert(alert) || !firesWith(alert, slo, format, values)) continue;
        const labels = mergeLabels(seriesLabels, alert.labels);
        const annotations: Record<string, string> = {};
        for (const [key, text] of Object.entries(alert.annotations)) {
          const expanded = text.replace(LABEL_TEMPLATE, (_, label: string) => labels[label] ?? '');
          if (expanded.includes('{{')) {
            return { ok: false, sloId: slo.id, reason: `annotation ${key} uses template features other than $labels` };
          }
          annotations[key] = expanded;
        }
        expected.push({ exp_labels: labels, exp_annotations: annotations });
      }
      alertRuleTests.push({ eval_time: `${evalMinutes}m`, alertname: name, exp_alerts: expected });
    }
    tests.push({
      name: `${slo.id}: ${scenario.name}`,
      interval: '1m',
      input_series: inputSeries,
      alert_rule_test: alertRuleTests,
    });
  }
  const alertsFile = `${slo.id}.alerts.yaml`;
  const testText = stringify({ rule_files: [alertsFile], evaluation_interval: '1m', tests }, { lineWidth: 0 });
  return { ok: true, file: { alertsFile, alertsGroups: alertGroups, testFile: `${slo.id}.test.yaml`, testText } };
}

/** Whether an alert's tiers fire with these per-window error ratios: both windows strictly above, as `>` does. */
function firesWith(
  alert: AlertingRule,
  slo: SloDefinition,
  format: RuleFormat,
  values: ReadonlyMap<number, number>,
): boolean {
  const tiers = slo.alerting.tiers.filter((tier) => tier.enabled);
  const threshold = (tier: BurnRateTier): number =>
    Number(formatGoFloat(tier.factor)) * Number(formatGoFloat(errorBudget(slo.objectivePercent)));
  const burning = (tier: BurnRateTier): boolean =>
    (values.get(tier.shortWindow) ?? 0) > threshold(tier) && (values.get(tier.longWindow) ?? 0) > threshold(tier);
  if (format === 'native') {
    const tier = tiers.find((candidate) => candidate.name === alert.labels.slo_tier);
    return tier !== undefined && burning(tier);
  }
  const severity = alert.labels.sloth_severity;
  return tiers.some((tier) => tier.severity === severity && burning(tier));
}

function seriesText(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name}{${pairs.join(', ')}}`;
}
