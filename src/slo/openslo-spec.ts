import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { didYouMean } from '../catalogue/suggest.js';
import type { CatalogueProblem } from '../catalogue/types.js';
import type { FieldPath } from '../catalogue/yaml-locator.js';
import { parseDuration } from '../clock/index.js';
import { parseSelector } from '../telemetry/prometheus-text.js';
import { defaultTiers } from './slo-maths.js';
import { type LocatedSpec, ProblemSink, WINDOW_PLACEHOLDER } from './spec-support.js';
import type {
  BudgetingMethod,
  BurnRateTier,
  ScrapeTarget,
  SliSpec,
  SloDefinition,
  SloPeriod,
  ThresholdOperator,
} from './types.js';

export const OPENSLO_KINDS = [
  'SLO',
  'SLI',
  'DataSource',
  'Service',
  'AlertPolicy',
  'AlertCondition',
  'AlertNotificationTarget',
] as const;
type Kind = (typeof OPENSLO_KINDS)[number];

/**
 * The alert name an OpenSLO SLO gets, which OpenSLO has no field for: its id in PascalCase, such as
 * CoreLedgerPostingAvailabilityBudgetBurn. One per SLO, so rules in Sloth's layout (whose alert labels do not
 * name the SLO) never repeat a name and label set.
 */
export function openSloAlertName(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  const name = words.map((word) => `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}`).join('');
  return `${/^[A-Za-z_]/.test(name) ? name : `Slo${name}`}BudgetBurn`;
}

const MINUTE = 60_000;
const UNIT_MS: Readonly<Record<string, number>> = {
  m: MINUTE,
  h: 60 * MINUTE,
  d: 1_440 * MINUTE,
  w: 10_080 * MINUTE,
  // Calendar units, for calendar windows only: their nominal length drives the budget maths.
  M: 30 * 1_440 * MINUTE,
  Q: 91 * 1_440 * MINUTE,
  Y: 365 * 1_440 * MINUTE,
};
const DURATION = /^([1-9][0-9]*)([mhdwMQY])$/;

/** The DataSource type whose metrics sre-agent scrapes itself, matched case-insensitively. */
export const PROMETHEUS_TEXT_TYPE = 'PrometheusText';
const PROMETHEUS_TEXT = /^prometheustext$/i;
const SCRAPE_INTERVAL = { default: 15_000, min: 1_000, max: 3_600_000 } as const;

export function isPrometheusTextSource(type: string | undefined): boolean {
  return type !== undefined && PROMETHEUS_TEXT.test(type);
}

const PrometheusTextConnection = z.strictObject({ url: z.string().min(1), interval: z.string().optional() });

const DnsLabel = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: 'must be a DNS label: lower-case letters, digits and "-", at most 63',
});
const Duration = z.string().regex(DURATION, { error: 'must be a duration shorthand such as 5m, 1h, 28d, 2w or 1M' });

const Metadata = z.strictObject({
  name: DnsLabel,
  displayName: z.string().optional(),
  labels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const MetricSource = z.strictObject({
  metricSourceRef: DnsLabel.optional(),
  type: z.string().optional(),
  spec: z.record(z.string(), z.unknown()),
});
const Metric = z.strictObject({ metricSource: MetricSource });

const SliSpecSchema = z.strictObject({
  description: z.string().max(1050).optional(),
  thresholdMetric: Metric.optional(),
  ratioMetric: z
    .strictObject({
      counter: z.boolean().optional(),
      good: Metric.optional(),
      bad: Metric.optional(),
      total: Metric.optional(),
      raw: Metric.optional(),
      rawType: z.enum(['success', 'failure']).optional(),
    })
    .optional(),
});
const InlineSli = z.strictObject({ metadata: Metadata, spec: SliSpecSchema });

const ConditionSpec = z.strictObject({
  description: z.string().optional(),
  severity: z.string().min(1),
  condition: z.strictObject({
    kind: z.literal('burnrate'),
    op: z.enum(['lt', 'lte', 'gt', 'gte']),
    threshold: z.number().gt(0),
    lookbackWindow: Duration,
    alertAfter: Duration,
  }),
});
const PolicySpec = z.strictObject({
  description: z.string().optional(),
  alertWhenNoData: z.boolean().optional(),
  alertWhenResolved: z.boolean().optional(),
  alertWhenBreaching: z.boolean().optional(),
  conditions: z
    .array(
      z.union([
        z.strictObject({ conditionRef: DnsLabel }),
        z.strictObject({ kind: z.literal('AlertCondition'), metadata: Metadata, spec: ConditionSpec }),
      ]),
    )
    .length(1, { error: 'an alert policy takes exactly one condition' }),
  notificationTargets: z
    .array(
      z.union([
        z.strictObject({ targetRef: DnsLabel }),
        z.strictObject({
          kind: z.literal('AlertNotificationTarget'),
          metadata: Metadata,
          spec: z.strictObject({ target: z.string().min(1), description: z.string().optional() }),
        }),
      ]),
    )
    .optional(),
});

const Objective = z.strictObject({
  displayName: z.string().optional(),
  op: z.enum(['lt', 'lte', 'gt', 'gte']).optional(),
  value: z.number().optional(),
  target: z
    .number()
    .gte(0)
    .lt(1, { error: 'must be below 1 (target is a fraction; use targetPercent for 99.9)' })
    .optional(),
  targetPercent: z.number().gte(0).lt(100, { error: 'must be below 100' }).optional(),
  timeSliceTarget: z.number().gt(0).lte(1).optional(),
  timeSliceWindow: Duration.optional(),
  indicator: InlineSli.optional(),
  indicatorRef: DnsLabel.optional(),
  compositeWeight: z.number().gt(0).optional(),
});

const SloSpecSchema = z.strictObject({
  description: z.string().max(1050).optional(),
  service: z.string().min(1),
  indicator: InlineSli.optional(),
  indicatorRef: DnsLabel.optional(),
  timeWindow: z
    .array(
      z.strictObject({
        duration: Duration,
        // The spec: "if omitted assumed `false` if `calendar:` is present".
        isRolling: z.boolean().optional(),
        calendar: z.strictObject({ startTime: z.string(), timeZone: z.string() }).optional(),
      }),
    )
    .length(1, { error: 'timeWindow takes exactly one window' }),
  budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
  objectives: z.array(Objective).min(1),
  alertPolicies: z
    .array(
      z.union([
        z.strictObject({ alertPolicyRef: DnsLabel }),
        z.strictObject({ kind: z.literal('AlertPolicy'), metadata: Metadata, spec: PolicySpec }),
      ]),
    )
    .nullable()
    .optional(),
});

const SPEC_SCHEMAS = {
  SLO: SloSpecSchema,
  SLI: SliSpecSchema,
  DataSource: z.strictObject({
    description: z.string().optional(),
    type: z.string().min(1),
    connectionDetails: z.record(z.string(), z.unknown()).optional(),
  }),
  Service: z.strictObject({ description: z.string().max(1050).optional() }),
  AlertPolicy: PolicySpec,
  AlertCondition: ConditionSpec,
  AlertNotificationTarget: z.strictObject({ target: z.string().min(1), description: z.string().optional() }),
} as const satisfies Readonly<Record<Kind, z.ZodType>>;

const OPENSLO_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'spec',
  'name',
  'displayName',
  'labels',
  'annotations',
  'description',
  'service',
  'indicator',
  'indicatorRef',
  'timeWindow',
  'duration',
  'isRolling',
  'calendar',
  'startTime',
  'timeZone',
  'budgetingMethod',
  'objectives',
  'op',
  'value',
  'target',
  'targetPercent',
  'timeSliceTarget',
  'timeSliceWindow',
  'compositeWeight',
  'alertPolicies',
  'alertPolicyRef',
  'thresholdMetric',
  'ratioMetric',
  'counter',
  'good',
  'bad',
  'total',
  'raw',
  'rawType',
  'metricSource',
  'metricSourceRef',
  'type',
  'connectionDetails',
  'url',
  'interval',
  'alertWhenNoData',
  'alertWhenResolved',
  'alertWhenBreaching',
  'conditions',
  'conditionRef',
  'notificationTargets',
  'targetRef',
  'severity',
  'condition',
  'threshold',
  'lookbackWindow',
  'alertAfter',
]);

interface Parsed<K extends Kind> {
  readonly name: string;
  readonly spec: z.output<(typeof SPEC_SCHEMAS)[K]>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly sink: ProblemSink;
}

type Registry = { [K in Kind]: Map<string, Parsed<K>> } & {
  /** Each PrometheusText DataSource's target by name; undefined when its connectionDetails are not valid. */
  readonly scrapeTargets: Map<string, ScrapeTarget | undefined>;
};

/**
 * Reads every OpenSLO v1 document of the catalogue together, since SLOs refer to SLIs, data sources and alert
 * policies by name, and turns each SLO objective into an SLO definition.
 */
export function parseOpenSloSpecs(
  specs: ReadonlyArray<LocatedSpec>,
  services: ReadonlySet<string>,
): { readonly slos: SloDefinition[]; readonly problems: CatalogueProblem[] } {
  const registry: Registry = {
    SLO: new Map(),
    SLI: new Map(),
    DataSource: new Map(),
    Service: new Map(),
    AlertPolicy: new Map(),
    AlertCondition: new Map(),
    AlertNotificationTarget: new Map(),
    scrapeTargets: new Map(),
  };
  const sinks: ProblemSink[] = [];
  const lines = new Map<string, number>();
  for (const located of specs) {
    const sink = new ProblemSink(located.locator, located.value, OPENSLO_FIELDS);
    sinks.push(sink);
    register(located, sink, registry, lines);
  }

  for (const [name, dataSource] of registry.DataSource) {
    if (isPrometheusTextSource(dataSource.spec.type)) registry.scrapeTargets.set(name, scrapeTargetOf(dataSource));
  }

  for (const [name, service] of registry.Service) {
    if (!services.has(name)) {
      service.sink.add(
        'unknown-reference',
        ['metadata', 'name'],
        `OpenSLO Service "${name}" is not a catalogue service${didYouMean(name, services)}`,
      );
    }
  }

  const slos: SloDefinition[] = [];
  for (const [name, slo] of registry.SLO) {
    slos.push(...definitionsOf(name, slo, registry, services, lines.get(`SLO/${name}`) ?? 1));
  }
  return { slos, problems: sinks.flatMap((sink) => sink.problems) };
}

function register(located: LocatedSpec, sink: ProblemSink, registry: Registry, lines: Map<string, number>): void {
  const kind = located.value.kind;
  if (typeof kind !== 'string' || !(OPENSLO_KINDS as ReadonlyArray<string>).includes(kind)) {
    sink.add(
      'invalid-value',
      ['kind'],
      `${JSON.stringify(kind)} is not an OpenSLO v1 kind: must be one of ${OPENSLO_KINDS.join(', ')}`,
    );
    return;
  }
  const known = kind as Kind;
  const envelope = z
    .strictObject({ apiVersion: z.literal('openslo/v1'), kind: z.string(), metadata: Metadata, spec: z.unknown() })
    .safeParse(located.value);
  if (!envelope.success) {
    sink.zod(envelope.error);
    return;
  }
  // Parsed under its own key so each issue's path leads from the document root to the value it is about.
  const spec = z.object({ spec: SPEC_SCHEMAS[known] }).safeParse({ spec: envelope.data.spec });
  if (!spec.success) {
    sink.zod(spec.error);
    return;
  }
  const name = envelope.data.metadata.name;
  const target = registry[known] as Map<string, Parsed<Kind>>;
  if (target.has(name)) {
    sink.add('duplicate-name', ['metadata', 'name'], `a second OpenSLO ${known} named "${name}"`);
    return;
  }
  target.set(name, { name, spec: spec.data.spec, annotations: envelope.data.metadata.annotations ?? {}, sink });
  lines.set(`${known}/${name}`, located.locator.position([]).line);
}

function definitionsOf(
  name: string,
  slo: Parsed<'SLO'>,
  registry: Registry,
  services: ReadonlySet<string>,
  line: number,
): SloDefinition[] {
  const { spec, sink } = slo;
  const at: FieldPath = ['spec'];
  if (!services.has(spec.service)) {
    sink.add(
      'unknown-reference',
      [...at, 'service'],
      `unknown service "${spec.service}": SLOs belong to catalogue services${didYouMean(spec.service, services)}`,
    );
  }
  const period = periodOf(spec.timeWindow[0], sink, [...at, 'timeWindow', 0]);
  const policyTiers = period === undefined ? [] : tiersOf(spec.alertPolicies ?? [], registry, sink, period.duration);
  const tuned = tuneTiers(policyTiers, slo.annotations, sink);
  const tiers = tuned.tiers;
  const definitions: SloDefinition[] = [];
  for (const [index, objective] of spec.objectives.entries()) {
    const where: FieldPath = [...at, 'objectives', index];
    if (objective.target !== undefined && objective.targetPercent !== undefined) {
      sink.add('invalid-value', where, 'give target or targetPercent, not both');
      continue;
    }
    const percent = objective.targetPercent ?? (objective.target === undefined ? undefined : objective.target * 100);
    if (percent === undefined) {
      sink.add('missing-field', where, 'missing required field "target" (a fraction such as 0.999) or "targetPercent"');
      continue;
    }
    if (percent <= 0) sink.add('invalid-value', where, 'the target must be above 0');
    const budgeting: BudgetingMethod = spec.budgetingMethod;
    if (
      budgeting === 'Timeslices' &&
      (objective.timeSliceTarget === undefined || objective.timeSliceWindow === undefined)
    ) {
      sink.add('missing-field', where, 'Timeslices needs timeSliceTarget and timeSliceWindow');
    }
    if (budgeting === 'RatioTimeslices' && objective.timeSliceWindow === undefined) {
      sink.add('missing-field', where, 'RatioTimeslices needs timeSliceWindow');
    }
    const indicatorGiven = [spec.indicator, spec.indicatorRef, objective.indicator, objective.indicatorRef].filter(
      (given) => given !== undefined,
    ).length;
    if (indicatorGiven !== 1) {
      sink.add('invalid-value', at, 'give exactly one of indicator or indicatorRef, on the SLO or on each objective');
      continue;
    }
    const indicator = resolveIndicator(spec, objective, registry, sink, where);
    if (indicator === undefined || period === undefined) continue;
    const sli = sliOf(indicator.spec, objective, registry, { sink, path: where }, indicator.at);
    if (sli === undefined) continue;
    const objectiveName = spec.objectives.length === 1 ? name : `${name}-${index}`;
    definitions.push({
      id: `${spec.service}-${objectiveName}`,
      service: spec.service,
      name: objectiveName,
      description: spec.description,
      objectivePercent: percent,
      period,
      budgeting,
      timeSliceTarget: objective.timeSliceTarget,
      timeSliceWindow: objective.timeSliceWindow === undefined ? undefined : durationOf(objective.timeSliceWindow),
      sli: sli.spec,
      metricSource: sli.source,
      ...(sli.scrape === undefined ? {} : { scrape: sli.scrape }),
      labels: {},
      alerting: {
        name: openSloAlertName(`${spec.service}-${objectiveName}`),
        labels: {},
        annotations: {},
        page: { disabled: false, labels: {}, annotations: {} },
        ticket: { disabled: false, labels: {}, annotations: {} },
        tiers,
        minimumEvents: tuned.minimumEvents,
      },
      source: { format: 'openslo', file: sink.locator.file, line, spec: 'openslo/v1' },
    });
  }
  return definitions;
}

function periodOf(
  window: z.output<typeof SloSpecSchema>['timeWindow'][number] | undefined,
  sink: ProblemSink,
  at: FieldPath,
): SloPeriod | undefined {
  if (window === undefined) return undefined;
  const duration = durationOf(window.duration);
  const unit = window.duration.at(-1) ?? '';
  if (window.isRolling === undefined && window.calendar === undefined) {
    sink.add(
      'missing-field',
      [...at, 'isRolling'],
      'missing required field "isRolling" (true for a rolling window; false, with calendar, for a calendar one)',
    );
    return undefined;
  }
  if (window.isRolling === true) {
    if (window.calendar !== undefined) {
      sink.add(
        'invalid-value',
        [...at, 'calendar'],
        'a rolling window has no calendar; set isRolling: false to align it',
      );
      return undefined;
    }
    if ('MQY'.includes(unit)) {
      sink.add(
        'invalid-value',
        [...at, 'duration'],
        `a rolling window is measured in m, h, d or w; "${window.duration}" is a calendar length (M, Q and Y are for calendar windows)`,
      );
      return undefined;
    }
    return { kind: 'rolling', duration, text: window.duration };
  }
  if (window.calendar === undefined) {
    sink.add(
      'missing-field',
      [...at, 'calendar'],
      'a calendar window (isRolling: false) needs calendar.startTime and calendar.timeZone',
    );
    return undefined;
  }
  if (!isDateTime(window.calendar.startTime)) {
    sink.add(
      'invalid-value',
      [...at, 'calendar', 'startTime'],
      'must be a real date and time as "YYYY-MM-DD hh:mm:ss"',
    );
    return undefined;
  }
  if (!IANAZone.isValidZone(window.calendar.timeZone)) {
    sink.add('invalid-value', [...at, 'calendar', 'timeZone'], 'must be an IANA time zone such as Europe/London');
    return undefined;
  }
  return {
    kind: 'calendar',
    duration,
    text: window.duration,
    startTime: window.calendar.startTime.replace(' ', 'T'),
    timeZone: window.calendar.timeZone,
  };
}

function tiersOf(
  policies: ReadonlyArray<NonNullable<z.output<typeof SloSpecSchema>['alertPolicies']>[number]>,
  registry: Registry,
  sink: ProblemSink,
  period: number,
): BurnRateTier[] {
  if (policies.length === 0) return [...defaultTiers(period)];
  const tiers: BurnRateTier[] = [];
  for (const [index, entry] of policies.entries()) {
    const at: FieldPath = ['spec', 'alertPolicies', index];
    let policy: z.output<typeof PolicySpec> | undefined;
    let policyName: string;
    if ('alertPolicyRef' in entry) {
      policyName = entry.alertPolicyRef;
      policy = reference(registry.AlertPolicy, entry.alertPolicyRef, 'AlertPolicy', sink, [
        ...at,
        'alertPolicyRef',
      ])?.spec;
    } else {
      policyName = entry.metadata.name;
      policy = entry.spec;
    }
    const first = policy?.conditions[0];
    if (first === undefined) continue;
    const condition =
      'conditionRef' in first
        ? reference(registry.AlertCondition, first.conditionRef, 'AlertCondition', sink, at)?.spec
        : first.spec;
    if (condition === undefined) continue;
    const longWindow = durationOf(condition.condition.lookbackWindow);
    const factor = condition.condition.threshold;
    tiers.push({
      name: policyName,
      severity: /page|critical|high|sev1|p1/i.test(condition.severity) ? 'page' : 'ticket',
      // OpenSLO has one lookback window; the short window is a twelfth of it, as the SRE workbook advises.
      shortWindow: Math.max(MINUTE, Math.round(longWindow / 12 / MINUTE) * MINUTE),
      longWindow,
      budgetFraction: (factor * longWindow) / period,
      factor,
      enabled: true,
      for: durationOf(condition.condition.alertAfter),
      labels: {
        severity: condition.severity,
        // OpenSLO suggests passing notification targets on as labels, for Alertmanager to route by.
        ...notificationLabel(policy?.notificationTargets ?? [], registry, sink, at),
      },
    });
  }
  return tiers;
}

function notificationLabel(
  targets: NonNullable<z.output<typeof PolicySpec>['notificationTargets']>,
  registry: Registry,
  sink: ProblemSink,
  at: FieldPath,
): Record<string, string> {
  const names: string[] = [];
  for (const target of targets) {
    if ('targetRef' in target) {
      const found = reference(registry.AlertNotificationTarget, target.targetRef, 'AlertNotificationTarget', sink, at);
      if (found !== undefined) names.push(found.spec.target);
    } else {
      names.push(target.spec.target);
    }
  }
  return names.length === 0 ? {} : { notification_target: names.join(',') };
}

function resolveIndicator(
  spec: z.output<typeof SloSpecSchema>,
  objective: z.output<typeof Objective>,
  registry: Registry,
  sink: ProblemSink,
  where: FieldPath,
): { spec: z.output<typeof SliSpecSchema>; at: { sink: ProblemSink; path: FieldPath } } | undefined {
  if (objective.indicator !== undefined)
    return { spec: objective.indicator.spec, at: { sink, path: [...where, 'indicator', 'spec'] } };
  if (spec.indicator !== undefined)
    return { spec: spec.indicator.spec, at: { sink, path: ['spec', 'indicator', 'spec'] } };
  const ref = objective.indicatorRef ?? spec.indicatorRef;
  const refPath: FieldPath =
    objective.indicatorRef !== undefined ? [...where, 'indicatorRef'] : ['spec', 'indicatorRef'];
  if (ref === undefined) return undefined;
  const found = reference(registry.SLI, ref, 'SLI', sink, refPath);
  return found === undefined ? undefined : { spec: found.spec, at: { sink: found.sink, path: ['spec'] } };
}

function sliOf(
  sli: z.output<typeof SliSpecSchema>,
  objective: z.output<typeof Objective>,
  registry: Registry,
  owner: { sink: ProblemSink; path: FieldPath },
  at: { sink: ProblemSink; path: FieldPath },
): { spec: SliSpec; source: string | undefined; scrape: ScrapeTarget | undefined } | undefined {
  const { sink, path } = at;
  if ((sli.thresholdMetric === undefined) === (sli.ratioMetric === undefined)) {
    sink.add('invalid-value', path, 'an SLI takes exactly one of thresholdMetric or ratioMetric');
    return undefined;
  }
  if (sli.thresholdMetric !== undefined) {
    if (objective.op === undefined || objective.value === undefined) {
      owner.sink.add('missing-field', owner.path, 'a thresholdMetric objective needs op and value');
      return undefined;
    }
    const metric = metricOf(sli.thresholdMetric, registry, sink, [...path, 'thresholdMetric'], false);
    if (metric === undefined) return undefined;
    return {
      spec: { kind: 'threshold', query: metric.query, op: objective.op as ThresholdOperator, value: objective.value },
      source: metric.source,
      scrape: undefined,
    };
  }
  const ratio = sli.ratioMetric;
  if (ratio === undefined) return undefined;
  const ratioPath: FieldPath = [...path, 'ratioMetric'];
  const counter = ratio.counter !== false;
  if (ratio.raw !== undefined) {
    if (ratio.good !== undefined || ratio.bad !== undefined || ratio.total !== undefined) {
      sink.add('invalid-value', ratioPath, 'raw stands alone: no good, bad or total beside it');
      return undefined;
    }
    const raw = metricOf(ratio.raw, registry, sink, [...ratioPath, 'raw'], false);
    if (raw === undefined) return undefined;
    return ratio.rawType === 'success'
      ? { spec: { kind: 'success-ratio', successRatioQuery: raw.query }, source: raw.source, scrape: undefined }
      : { spec: { kind: 'error-ratio', errorRatioQuery: raw.query }, source: raw.source, scrape: undefined };
  }
  if (ratio.total === undefined || (ratio.good === undefined) === (ratio.bad === undefined)) {
    sink.add('invalid-value', ratioPath, 'a ratioMetric takes total and exactly one of good or bad (or raw alone)');
    return undefined;
  }
  const total = metricOf(ratio.total, registry, sink, [...ratioPath, 'total'], counter);
  const part = ratio.good ?? ratio.bad;
  const partMetric =
    part === undefined
      ? undefined
      : metricOf(part, registry, sink, [...ratioPath, ratio.good ? 'good' : 'bad'], counter);
  if (total === undefined || partMetric === undefined) return undefined;
  const scrape = total.scrape;
  if (
    (scrape !== undefined || partMetric.scrape !== undefined) &&
    (scrape?.url !== partMetric.scrape?.url || scrape?.intervalMs !== partMetric.scrape?.intervalMs)
  ) {
    sink.add(
      'invalid-value',
      ratioPath,
      `${ratio.good ? 'good' : 'bad'} and total must be scraped from the same PrometheusText target at the same interval`,
    );
    return undefined;
  }
  return ratio.good !== undefined
    ? { spec: { kind: 'good', goodQuery: partMetric.query, totalQuery: total.query }, source: total.source, scrape }
    : { spec: { kind: 'errors', errorQuery: partMetric.query, totalQuery: total.query }, source: total.source, scrape };
}

/**
 * The metric's query, with a window placeholder added where it had none: counters are rated, gauges averaged. A
 * PrometheusText metric's query is a metric selector, kept as written, and comes with its scrape target.
 */
function metricOf(
  metric: z.output<typeof Metric>,
  registry: Registry,
  sink: ProblemSink,
  at: FieldPath,
  counter: boolean,
): { query: string; source: string | undefined; scrape?: ScrapeTarget } | undefined {
  const source = metric.metricSource;
  let type = source.type;
  if (source.metricSourceRef !== undefined) {
    const dataSource = reference(registry.DataSource, source.metricSourceRef, 'DataSource', sink, [
      ...at,
      'metricSource',
      'metricSourceRef',
    ]);
    if (dataSource === undefined) return undefined;
    type ??= dataSource.spec.type;
  }
  const query = source.spec.query ?? source.spec.promql;
  if (typeof query !== 'string' || query.trim() === '') {
    sink.add(
      'missing-field',
      [...at, 'metricSource', 'spec'],
      'missing required field "query" (the PromQL or other query)',
    );
    return undefined;
  }
  if (isPrometheusTextSource(type)) {
    const queryField = source.spec.query === undefined || source.spec.query === null ? 'promql' : 'query';
    return scrapedMetric(query, type, source.metricSourceRef, registry, sink, [...at, 'metricSource'], {
      counter,
      queryField,
    });
  }
  if (query.includes(WINDOW_PLACEHOLDER)) return { query, source: type };
  const wrapped = counter
    ? `sum(rate(${query.trim()}[${WINDOW_PLACEHOLDER}]))`
    : `sum(avg_over_time(${query.trim()}[${WINDOW_PLACEHOLDER}]))`;
  return { query: wrapped, source: type };
}

function scrapedMetric(
  query: string,
  type: string | undefined,
  dataSourceName: string | undefined,
  registry: Registry,
  sink: ProblemSink,
  at: FieldPath,
  options: { readonly counter: boolean; readonly queryField: string },
): { query: string; source: string | undefined; scrape: ScrapeTarget } | undefined {
  if (!options.counter) {
    sink.add(
      'invalid-value',
      at,
      `a ${PROMETHEUS_TEXT_TYPE} source serves counters only: use it for good or bad and total of a ratioMetric with counter: true`,
    );
    return undefined;
  }
  if (dataSourceName === undefined) {
    sink.add(
      'missing-field',
      at,
      `a ${PROMETHEUS_TEXT_TYPE} metric needs metricSourceRef, naming the DataSource whose connectionDetails.url is scraped`,
    );
    return undefined;
  }
  if (!registry.scrapeTargets.has(dataSourceName)) {
    sink.add(
      'invalid-value',
      [...at, 'type'],
      `DataSource "${dataSourceName}" is not of type ${PROMETHEUS_TEXT_TYPE}, so it gives no URL to scrape`,
    );
    return undefined;
  }
  const selector = parseSelector(query);
  if (!selector.ok) {
    sink.add(
      'invalid-value',
      [...at, 'spec', options.queryField],
      `not a metric selector: ${selector.message} (a ${PROMETHEUS_TEXT_TYPE} source takes a metric name with optional {label="value"} matchers, not PromQL)`,
    );
    return undefined;
  }
  // An invalid DataSource has no target; its own problems say why.
  const scrape = registry.scrapeTargets.get(dataSourceName);
  return scrape === undefined ? undefined : { query, source: type, scrape };
}

/** A PrometheusText DataSource's URL and interval, or undefined after reporting what is wrong with them. */
function scrapeTargetOf(dataSource: Parsed<'DataSource'>): ScrapeTarget | undefined {
  const { sink } = dataSource;
  const at: FieldPath = ['spec', 'connectionDetails'];
  const parsed = z
    .object({ spec: z.object({ connectionDetails: PrometheusTextConnection }) })
    .safeParse({ spec: { connectionDetails: dataSource.spec.connectionDetails } });
  if (!parsed.success) {
    sink.zod(parsed.error);
    return undefined;
  }
  const { url, interval } = parsed.data.spec.connectionDetails;
  const target = URL.canParse(url) ? new URL(url) : undefined;
  let valid = true;
  // The URL is not echoed: it may carry credentials.
  if (target === undefined || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
    sink.add('invalid-value', [...at, 'url'], 'must be an http or https URL such as http://127.0.0.1:9100/metrics');
    valid = false;
  } else if (target.hash !== '') {
    sink.add('invalid-value', [...at, 'url'], 'must not have a fragment (#...)');
    valid = false;
  }
  let intervalMs: number = SCRAPE_INTERVAL.default;
  if (interval !== undefined) {
    const duration = parseDuration(interval);
    if (!duration.ok) {
      sink.add('invalid-value', [...at, 'interval'], duration.message);
      valid = false;
    } else if (duration.milliseconds < SCRAPE_INTERVAL.min || duration.milliseconds > SCRAPE_INTERVAL.max) {
      sink.add('invalid-value', [...at, 'interval'], 'must be from 1s to 1h');
      valid = false;
    } else intervalMs = duration.milliseconds;
  }
  return valid && target !== undefined ? { url: target.href, intervalMs } : undefined;
}

function reference<K extends Kind>(
  map: Map<string, Parsed<K>>,
  name: string,
  kind: K,
  sink: ProblemSink,
  at: FieldPath,
): Parsed<K> | undefined {
  const found = map.get(name);
  if (found === undefined) {
    sink.add('unknown-reference', at, `no OpenSLO ${kind} named "${name}"${didYouMean(name, map.keys())}`);
  }
  return found;
}

/** Go's `time.DateTime` layout, as the OpenSLO SDK parses it: a real date, hours 00 to 23. */
function isDateTime(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(text) &&
    DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone: 'UTC' }).isValid
  );
}

function durationOf(text: string): number {
  const match = DURATION.exec(text);
  return match === null ? 0 : Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
}

/** sre-agent's own annotations on an OpenSLO SLO: the spec's extension point, since it has no per-tier settings. */
export const ANNOTATION_PREFIX = 'sre-agent.dev/';
const TIER_ANNOTATION = /^sre-agent\.dev\/tier\.([A-Za-z0-9_.-]+)\.(enabled|for|severity)$/;

/**
 * Per-tier control through annotations: `sre-agent.dev/tier.<name>.enabled: "false"`, `….for: 5m`,
 * `….severity: page|ticket`, and the low-traffic guard `sre-agent.dev/minimum-events: "100"`.
 */
function tuneTiers(
  tiers: ReadonlyArray<BurnRateTier>,
  annotations: Readonly<Record<string, string>>,
  sink: ProblemSink,
): { tiers: BurnRateTier[]; minimumEvents: number } {
  const tuned = tiers.map((tier) => ({ ...tier }));
  let minimumEvents = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const at: FieldPath = ['metadata', 'annotations', key];
    if (key === `${ANNOTATION_PREFIX}minimum-events`) {
      if (!/^(0|[1-9][0-9]{0,9})$/.test(value)) {
        sink.add('invalid-value', at, 'must be a whole number of events, such as "100"');
      } else minimumEvents = Number(value);
      continue;
    }
    const match = TIER_ANNOTATION.exec(key);
    const tier = match === null ? undefined : tuned.find((candidate) => candidate.name === match[1]);
    if (match === null || tier === undefined) {
      const names = tuned.map((candidate) => candidate.name).join(', ');
      sink.add(
        'invalid-value',
        at,
        `unknown sre-agent annotation: use ${ANNOTATION_PREFIX}minimum-events or ${ANNOTATION_PREFIX}tier.<name>.enabled|for|severity with a tier of this SLO (${names})`,
      );
      continue;
    }
    const index = tuned.indexOf(tier);
    if (match[2] === 'enabled') {
      if (value !== 'true' && value !== 'false') sink.add('invalid-value', at, 'must be "true" or "false"');
      else tuned[index] = { ...tier, enabled: value === 'true' };
    } else if (match[2] === 'for') {
      if (!DURATION.test(value) && value !== '0m') sink.add('invalid-value', at, 'must be a duration such as 5m');
      else tuned[index] = { ...tier, for: value === '0m' ? 0 : durationOf(value) };
    } else if (value !== 'page' && value !== 'ticket') {
      sink.add('invalid-value', at, 'must be "page" or "ticket"');
    } else {
      tuned[index] = { ...tier, severity: value };
    }
  }
  return { tiers: tuned, minimumEvents };
}
