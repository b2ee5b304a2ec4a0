import { z } from 'zod';
import { didYouMean } from '../catalogue/suggest.js';
import type { CatalogueProblem } from '../catalogue/types.js';
import { defaultTiers } from './slo-maths.js';
import { ALERT_NAME, LabelsSchema, type LocatedSpec, ProblemSink, WINDOW_PLACEHOLDER } from './spec-support.js';
import type { SeverityAlerting, SliSpec, SloDefinition } from './types.js';

/** Sloth has no per-SLO period: its CLI defaults to 30 days, and so do we. */
export const SLOTH_DEFAULT_PERIOD_DAYS = 30;
const DAY = 86_400_000;

const SeverityAlertSchema = z.strictObject({
  disable: z.boolean().optional(),
  labels: LabelsSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const SlothSloSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, { error: 'must be letters, digits, ".", "_" or "-", at most 128' }),
  objective: z
    .number({ error: 'must be a number, the percentage such as 99.9' })
    .gt(0, { error: 'must be greater than 0 (a percentage)' })
    .lte(100, { error: 'must be at most 100 (a percentage)' }),
  description: z.string().optional(),
  labels: LabelsSchema.optional(),
  plugins: z.unknown().optional(),
  sli: z.strictObject({
    events: z.strictObject({ error_query: z.string().min(1), total_query: z.string().min(1) }).optional(),
    raw: z.strictObject({ error_ratio_query: z.string().min(1) }).optional(),
    plugin: z.unknown().optional(),
  }),
  alerting: z.strictObject({
    name: z.string().regex(ALERT_NAME, { error: 'must be a Prometheus alert name' }).optional(),
    labels: LabelsSchema.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    page_alert: SeverityAlertSchema.optional(),
    ticket_alert: SeverityAlertSchema.optional(),
  }),
});

const SlothSpecSchema = z.strictObject({
  version: z.literal('prometheus/v1'),
  service: z.string().min(1),
  labels: LabelsSchema.optional(),
  slo_plugins: z.unknown().optional(),
  slos: z.array(SlothSloSchema).min(1),
});

const SLOTH_FIELDS = new Set([
  'version',
  'service',
  'labels',
  'slo_plugins',
  'slos',
  'name',
  'objective',
  'description',
  'plugins',
  'sli',
  'events',
  'error_query',
  'total_query',
  'raw',
  'error_ratio_query',
  'plugin',
  'alerting',
  'annotations',
  'page_alert',
  'ticket_alert',
  'disable',
]);

/** Reads one Sloth `prometheus/v1` document into SLO definitions, or says exactly what is wrong and where. */
export function parseSlothSpec(
  spec: LocatedSpec,
  services: ReadonlySet<string>,
): { readonly slos: SloDefinition[]; readonly problems: CatalogueProblem[] } {
  const sink = new ProblemSink(spec.locator, spec.value, SLOTH_FIELDS);
  const parsed = SlothSpecSchema.safeParse(spec.value);
  if (!parsed.success) {
    sink.zod(parsed.error);
    return { slos: [], problems: sink.problems };
  }
  const document = parsed.data;
  if (!services.has(document.service)) {
    sink.add(
      'unknown-reference',
      ['service'],
      `unknown service "${document.service}": SLOs belong to catalogue services${didYouMean(document.service, services)}`,
    );
  }
  if (document.slo_plugins !== undefined) {
    sink.add('invalid-value', ['slo_plugins'], 'Sloth SLO plugins are not supported; remove slo_plugins');
  }
  const { line } = spec.locator.position([]);
  const slos: SloDefinition[] = [];
  for (const [index, slo] of document.slos.entries()) {
    const at = ['slos', index] as const;
    const sli = slothSli(slo.sli, sink, [...at, 'sli']);
    if (slo.plugins !== undefined) {
      sink.add('invalid-value', [...at, 'plugins'], 'Sloth SLO plugins are not supported; remove plugins');
    }
    const page = severityOf(slo.alerting.page_alert);
    const ticket = severityOf(slo.alerting.ticket_alert);
    if (slo.alerting.name === undefined && !(page.disabled && ticket.disabled)) {
      sink.add(
        'missing-field',
        [...at, 'alerting'],
        'missing required field "name" (needed unless both alerts are disabled)',
      );
    }
    if (sli === undefined) continue;
    const period = SLOTH_DEFAULT_PERIOD_DAYS * DAY;
    slos.push({
      id: `${document.service}-${slo.name}`,
      service: document.service,
      name: slo.name,
      description: slo.description,
      objectivePercent: slo.objective,
      period: { kind: 'rolling', duration: period, text: `${SLOTH_DEFAULT_PERIOD_DAYS}d` },
      // Sloth's period rule averages 5-minute ratios: in effect ratio time slices of five minutes.
      budgeting: 'RatioTimeslices',
      timeSliceTarget: undefined,
      timeSliceWindow: 5 * 60_000,
      sli,
      metricSource: 'prometheus',
      labels: { ...document.labels, ...slo.labels },
      alerting: {
        name: slo.alerting.name,
        labels: { ...slo.alerting.labels },
        annotations: { ...slo.alerting.annotations },
        page,
        ticket,
        tiers: defaultTiers(period).map((tier) => ({
          ...tier,
          enabled: tier.enabled && !(tier.severity === 'page' ? page.disabled : ticket.disabled),
        })),
        minimumEvents: 0,
      },
      source: { format: 'sloth', file: spec.locator.file, line, spec: 'prometheus/v1' },
    });
  }
  return { slos, problems: sink.problems };
}

function slothSli(
  sli: z.output<typeof SlothSloSchema>['sli'],
  sink: ProblemSink,
  at: ReadonlyArray<string | number>,
): SliSpec | undefined {
  const given = [sli.events, sli.raw, sli.plugin].filter((kind) => kind !== undefined).length;
  if (given !== 1) {
    sink.add('invalid-value', at, 'an SLI takes exactly one of events, raw or plugin');
    return undefined;
  }
  if (sli.plugin !== undefined) {
    sink.add(
      'invalid-value',
      [...at, 'plugin'],
      'Sloth SLI plugins are not supported; write the events or raw queries',
    );
    return undefined;
  }
  if (sli.events !== undefined) {
    const errorOk = needsWindow(sli.events.error_query, sink, [...at, 'events', 'error_query']);
    const totalOk = needsWindow(sli.events.total_query, sink, [...at, 'events', 'total_query']);
    return errorOk && totalOk
      ? { kind: 'errors', errorQuery: sli.events.error_query, totalQuery: sli.events.total_query }
      : undefined;
  }
  if (sli.raw !== undefined && needsWindow(sli.raw.error_ratio_query, sink, [...at, 'raw', 'error_ratio_query'])) {
    return { kind: 'error-ratio', errorRatioQuery: sli.raw.error_ratio_query };
  }
  return undefined;
}

function needsWindow(query: string, sink: ProblemSink, at: ReadonlyArray<string | number>): boolean {
  if (query.includes(WINDOW_PLACEHOLDER)) return true;
  sink.add(
    'invalid-value',
    at,
    `the query has no ${WINDOW_PLACEHOLDER} placeholder where its range goes, such as [${WINDOW_PLACEHOLDER}]`,
  );
  return false;
}

function severityOf(alert: z.output<typeof SeverityAlertSchema> | undefined): SeverityAlerting {
  return { disabled: alert?.disable === true, labels: { ...alert?.labels }, annotations: { ...alert?.annotations } };
}
