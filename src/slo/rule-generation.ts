import { parseDuration } from '../clock/index.js';
import { nativeRuleGroups } from './rules/native-rules.js';
import type { RuleGroup } from './rules/prometheus-format.js';
import { type PromtoolTestResult, promtoolTestFor, type RuleFormat } from './rules/promtool-tests.js';
import { slothRuleGroups } from './rules/sloth-rules.js';
import type { SloDefinition } from './types.js';

export interface GenerateRulesOptions {
  readonly format: RuleFormat;
  readonly extraLabels: Readonly<Record<string, string>>;
  readonly version: string;
  /** Also write a promtool test per SLO (costly: sixteen scenarios each). */
  readonly withTests?: boolean;
}

export interface GroupSummary {
  readonly name: string;
  readonly rules: number;
  /** The longest range any rule of the group reads, such as `30d`; undefined when none reads a range. */
  readonly longestRange: string | undefined;
}

export interface GeneratedRules {
  readonly groups: ReadonlyArray<RuleGroup>;
  readonly summary: ReadonlyArray<GroupSummary>;
  readonly rules: number;
  /** SLOs left out, with why: their metrics are not in a Prometheus-compatible source. */
  readonly skipped: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  readonly tests: ReadonlyArray<PromtoolTestResult>;
}

/** Metric source types that speak Prometheus's query API, so Prometheus rules can compute their SLIs. */
const PROMETHEUS_COMPATIBLE = /^(prometheus|thanos|mimir|cortex|victoriametrics|promql)$/i;
const RANGE = /\[([0-9]+(?:ms|[smhdwy])(?:[0-9]+(?:ms|[smhdwy]))*)(?::[^\]]*)?\]/g;

/** Rules (and their promtool tests) for every SLO whose metrics Prometheus can query. */
export function generateRules(slos: ReadonlyArray<SloDefinition>, options: GenerateRulesOptions): GeneratedRules {
  const skipped: { id: string; reason: string }[] = [];
  const groups: RuleGroup[] = [];
  const tests: PromtoolTestResult[] = [];
  for (const slo of slos) {
    if (slo.metricSource !== undefined && !PROMETHEUS_COMPATIBLE.test(slo.metricSource)) {
      skipped.push({
        id: slo.id,
        reason: `its metric source is "${slo.metricSource}", not a Prometheus query API; it is evaluated from pushed or scraped points only`,
      });
      continue;
    }
    const generated =
      options.format === 'sloth'
        ? slothRuleGroups([slo], { extraLabels: options.extraLabels, version: options.version })
        : nativeRuleGroups([slo], { extraLabels: options.extraLabels, version: options.version });
    groups.push(...generated);
    if (options.withTests === true) tests.push(promtoolTestFor(slo, generated, options.format, options.extraLabels));
  }
  const summary = groups.map((group) => ({
    name: group.name,
    rules: group.rules.length,
    longestRange: longestRange(group.rules.map((rule) => rule.expr)),
  }));
  return { groups, summary, rules: summary.reduce((sum, group) => sum + group.rules, 0), skipped, tests };
}

function longestRange(expressions: ReadonlyArray<string>): string | undefined {
  let longest: { text: string; milliseconds: number } | undefined;
  for (const expression of expressions) {
    for (const match of expression.matchAll(RANGE)) {
      const text = match[1] ?? '';
      const parsed = parseDuration(text);
      if (parsed.ok && (longest === undefined || parsed.milliseconds > longest.milliseconds)) {
        longest = { text, milliseconds: parsed.milliseconds };
      }
    }
  }
  return longest?.text;
}
