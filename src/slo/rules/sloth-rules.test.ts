import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse } from 'yaml';
import { InputError } from '../../errors/index.js';
import type { BurnRateTier, SeverityAlerting, SliSpec, SloAlerting, SloDefinition, SloPeriod } from '../types.js';
import {
  type AlertingRule,
  formatGoFloat,
  type RecordingRule,
  renderRuleFile,
  slothRuleGroups,
} from './sloth-rules.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function readFixture(name: string): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    try {
      return readFileSync(join(directory, 'test', 'fixtures', 'slo', name), 'utf8');
    } catch {
      directory = dirname(directory);
    }
  }
  throw new Error(`${name} not found`);
}

/** Renders the two constructs Sloth's golden templates use, as `generate_test.go` does. */
function renderGoldenTemplate(text: string, version: string): string {
  return text.replaceAll('{{ .version }}', version).replace(/\{\{"(\{\{\$labels\.\w+\}\})"\}\}/g, '$1');
}

function tier(
  name: string,
  severity: 'page' | 'ticket',
  shortWindow: number,
  longWindow: number,
  budgetFraction: number,
  factor: number,
): BurnRateTier {
  return { name, severity, shortWindow, longWindow, budgetFraction, factor, enabled: true, for: 0, labels: {} };
}

const GOOGLE_30D_TIERS: ReadonlyArray<BurnRateTier> = [
  tier('page-quick', 'page', 5 * MINUTE, HOUR, 0.02, 14.4),
  tier('page-slow', 'page', 30 * MINUTE, 6 * HOUR, 0.05, 6),
  tier('ticket-quick', 'ticket', 2 * HOUR, DAY, 0.1, 3),
  tier('ticket-slow', 'ticket', 6 * HOUR, 3 * DAY, 0.1, 1),
];

const THIRTY_DAYS: SloPeriod = { kind: 'rolling', duration: 30 * DAY, text: '30d' };

function severity(overrides: Partial<SeverityAlerting> = {}): SeverityAlerting {
  return { disabled: false, labels: {}, annotations: {}, ...overrides };
}

interface SloInput {
  readonly service: string;
  readonly name: string;
  readonly objectivePercent: number;
  readonly sli: SliSpec;
  readonly labels?: Readonly<Record<string, string>>;
  readonly alerting?: Partial<SloAlerting>;
  readonly period?: SloPeriod;
}

function sloDefinition(input: SloInput): SloDefinition {
  return {
    id: `${input.service}-${input.name}`,
    service: input.service,
    name: input.name,
    description: undefined,
    objectivePercent: input.objectivePercent,
    period: input.period ?? THIRTY_DAYS,
    budgeting: 'Occurrences',
    timeSliceTarget: undefined,
    timeSliceWindow: undefined,
    sli: input.sli,
    labels: input.labels ?? {},
    alerting: {
      name: 'SloAlert',
      labels: {},
      annotations: {},
      page: severity(),
      ticket: severity(),
      tiers: GOOGLE_30D_TIERS,
      minimumEvents: 0,
      ...input.alerting,
    },
    source: { format: 'sloth', file: 'slos.yaml', line: 1, spec: 'prometheus/v1' },
  };
}

const EVENTS_SLI: SliSpec = {
  kind: 'errors',
  errorQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
  totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
};

const gettingStarted = sloDefinition({
  service: 'myservice',
  name: 'requests-availability',
  objectivePercent: 99.9,
  sli: EVENTS_SLI,
  labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2' },
  alerting: {
    name: 'MyServiceHighErrorRate',
    labels: { category: 'availability' },
    annotations: { summary: "High error rate on 'myservice' requests responses" },
    page: severity({ labels: { severity: 'pageteam', routing_key: 'myteam' } }),
    ticket: severity({ labels: { severity: 'slack', slack_channel: '#alerts-myteam' } }),
  },
});

const exampleSlos: ReadonlyArray<SloDefinition> = [
  sloDefinition({
    service: 'svc01',
    name: 'slo1',
    objectivePercent: 99.9,
    sli: EVENTS_SLI,
    labels: { global01k1: 'global01v1', global02k1: 'global02v1' },
    alerting: {
      name: 'myServiceAlert',
      labels: { alert01k1: 'alert01v1' },
      annotations: { alert02k1: 'alert02k2' },
      page: severity({ labels: { alert03k1: 'alert03v1' } }),
      ticket: severity({ labels: { alert04k1: 'alert04v1' } }),
    },
  }),
  sloDefinition({
    service: 'svc01',
    name: 'slo02',
    objectivePercent: 95,
    sli: {
      kind: 'error-ratio',
      errorRatioQuery:
        'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))\n' +
        '/\n' +
        'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))\n',
    },
    labels: { global01k1: 'global01v1', global03k1: 'global03v1' },
    alerting: { name: undefined, page: severity({ disabled: true }), ticket: severity({ disabled: true }) },
  }),
];

const slothHeader = (version: string): string[] => [
  `Code generated by Sloth (${version}): https://github.com/slok/sloth.`,
  'DO NOT EDIT.',
];

function recordingRule(slo: SloDefinition, record: string, window?: string): RecordingRule {
  const rules = slothRuleGroups([slo], { extraLabels: {}, version: 'test' }).flatMap((group) => group.rules);
  const found = rules.find(
    (rule): rule is RecordingRule =>
      rule.kind === 'recording' &&
      rule.record === record &&
      (window === undefined || rule.labels.sloth_window === window),
  );
  assert.ok(found, `no ${record} rule`);
  return found;
}

function alertRules(slo: SloDefinition): AlertingRule[] {
  return slothRuleGroups([slo], { extraLabels: {}, version: 'test' })
    .flatMap((group) => group.rules)
    .filter((rule): rule is AlertingRule => rule.kind === 'alerting');
}

const EXPONENT = /\d(?:\.\d*)?[eE][+-]?\d/;

describe('slothRuleGroups', () => {
  test('reproduces Sloth getting-started output', () => {
    const groups = slothRuleGroups([gettingStarted], { extraLabels: { cmd: 'examplesgen.sh' }, version: 'dev' });
    const text = renderRuleFile(groups, slothHeader('dev'));

    assert.equal(groups.flatMap((group) => group.rules).length, 17);
    assert.ok(
      text.startsWith('# Code generated by Sloth (dev): https://github.com/slok/sloth.\n# DO NOT EDIT.\n\ngroups:\n'),
    );
    assert.deepEqual(parse(text), parse(readFixture('sloth-getting-started-output.yaml')));
  });

  test('reproduces Sloth integration golden output for two SLOs', () => {
    const version = 'v0.16.0';
    const expected = renderGoldenTemplate(readFixture('sloth-example-output.yaml'), version);
    const groups = slothRuleGroups(exampleSlos, { extraLabels: {}, version });

    assert.doesNotMatch(expected, /\{\{"|\{\{ \./);
    assert.equal(groups.flatMap((group) => group.rules).length, 32);
    assert.deepEqual(
      groups.map((group) => group.name),
      [
        'sloth-slo-sli-recordings-svc01-slo1',
        'sloth-slo-meta-recordings-svc01-slo1',
        'sloth-slo-alerts-svc01-slo1',
        'sloth-slo-sli-recordings-svc01-slo02',
        'sloth-slo-meta-recordings-svc01-slo02',
      ],
    );
    assert.deepEqual(parse(renderRuleFile(groups, slothHeader(version))), parse(expected));
  });

  test('names a 28-day period 4w as Prometheus does', () => {
    const period: SloPeriod = { kind: 'rolling', duration: 28 * DAY, text: '28d' };
    const slo = sloDefinition({
      service: 'svc01',
      name: 'slo1',
      objectivePercent: 99.9,
      sli: EVENTS_SLI,
      period,
      alerting: {
        tiers: [
          tier('page-quick', 'page', 5 * MINUTE, HOUR, 0.02, 13.44),
          tier('page-slow', 'page', 30 * MINUTE, 6 * HOUR, 0.05, 5.6000000000000005),
          tier('ticket-quick', 'ticket', 2 * HOUR, DAY, 0.1, 2.8000000000000003),
          tier('ticket-slow', 'ticket', 6 * HOUR, 3 * DAY, 0.1, 0.9333333333333333),
        ],
      },
    });

    assert.equal(recordingRule(slo, 'slo:sli_error:ratio_rate4w', '4w').expr.split('\n')[0]?.endsWith('[4w])'), true);
    assert.equal(recordingRule(slo, 'slo:time_period:days').expr, 'vector(28)');
    assert.match(
      recordingRule(slo, 'slo:period_burn_rate:ratio').expr,
      /^slo:sli_error:ratio_rate4w\{sloth_id="svc01-slo1", sloth_service="svc01", sloth_slo="slo1"\}\n/,
    );
    assert.match(alertRules(slo)[0]?.expr ?? '', / > \(5\.6000000000000005 \* 0\.0009999999999999432\)\) /);
  });

  test('turns a good/total SLI into the error ratio Sloth makes for OpenSLO', () => {
    const slo = sloDefinition({
      service: 'svc01',
      name: 'slo1-0',
      objectivePercent: 99.9,
      sli: {
        kind: 'good',
        goodQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code!~"(5..|429)"}[{{.window}}]))',
        totalQuery: EVENTS_SLI.totalQuery,
      },
    });

    // Sloth's test/integration/prometheus/testdata/out-openslo.yaml.tpl, 5m rule.
    const expected = [
      '(',
      '  1 - (',
      '    (',
      '      sum(rate(http_request_duration_seconds_count{job="myservice",code!~"(5..|429)"}[5m]))',
      '    )',
      '    /',
      '    (',
      '      sum(rate(http_request_duration_seconds_count{job="myservice"}[5m]))',
      '    )',
      '  )',
      ')',
    ].join('\n');
    assert.equal(recordingRule(slo, 'slo:sli_error:ratio_rate5m').expr, expected);
  });

  test('turns a success-ratio SLI into one minus the ratio', () => {
    const slo = sloDefinition({
      service: 'svc',
      name: 'probe',
      objectivePercent: 99,
      sli: { kind: 'success-ratio', successRatioQuery: 'avg_over_time(probe_success[{{.window}}])' },
    });

    assert.equal(recordingRule(slo, 'slo:sli_error:ratio_rate1h').expr, '(1 - (avg_over_time(probe_success[1h])))');
  });

  test('rejects a threshold SLI, naming the SLO', () => {
    const slo = sloDefinition({
      service: 'svc',
      name: 'latency',
      objectivePercent: 99,
      sli: { kind: 'threshold', query: 'histogram_quantile(0.99, x)', op: 'lt', value: 0.5 },
    });

    assert.throws(
      () => slothRuleGroups([slo], { extraLabels: {}, version: 'test' }),
      (error: unknown) =>
        error instanceof InputError &&
        error.message.includes('svc-latency') &&
        error.message.includes('threshold SLIs need the native format'),
    );
  });

  test('writes only the ticket alert when paging is disabled', () => {
    const slo = sloDefinition({
      service: 'svc',
      name: 'api',
      objectivePercent: 99.5,
      sli: EVENTS_SLI,
      alerting: { page: severity({ disabled: true }) },
    });

    assert.deepEqual(
      alertRules(slo).map((rule) => rule.labels.sloth_severity),
      ['ticket'],
    );
  });

  test('lets extra labels win over SLO labels', () => {
    const slo = sloDefinition({
      service: 'svc',
      name: 'api',
      objectivePercent: 99.5,
      sli: EVENTS_SLI,
      labels: { team: 'a' },
    });
    const groups = slothRuleGroups([slo], { extraLabels: { team: 'b' }, version: 'test' });

    for (const rule of groups.flatMap((group) => group.rules)) {
      if (rule.kind === 'recording') assert.equal(rule.labels.team, 'b');
    }
  });

  test('never writes a number in exponent notation', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0001, max: 99.9999999, noNaN: true }), (objectivePercent) => {
        const slo = sloDefinition({ service: 'svc', name: 'api', objectivePercent, sli: EVENTS_SLI });
        const text = renderRuleFile(slothRuleGroups([slo], { extraLabels: {}, version: 'test' }), []);
        assert.doesNotMatch(text, EXPONENT);
      }),
    );
  });
});

describe('formatGoFloat', () => {
  test('writes what Go strconv.FormatFloat(x, f, -1, 64) writes', () => {
    const examples: ReadonlyArray<readonly [number, string]> = [
      [99.9 / 100, '0.9990000000000001'],
      [(100 - 99.9) / 100, '0.0009999999999999432'],
      [1e-7, '0.0000001'],
      [14.4, '14.4'],
      [30, '30'],
      [1e21, '1000000000000000000000'],
      [0, '0'],
      [-0, '-0'],
      [-2.5e-8, '-0.000000025'],
      [123.456, '123.456'],
      [Number.POSITIVE_INFINITY, '+Inf'],
    ];
    for (const [value, text] of examples) assert.equal(formatGoFloat(value), text);
  });

  test('reads back as the same number without an exponent', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = formatGoFloat(value);
        assert.match(text, /^-?\d+(?:\.\d+)?$/);
        assert.ok(Object.is(Number(text), value));
      }),
    );
  });
});
