import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { readFixture } from '../../test/support/fixtures.js';
import { formatProblem, parseCatalogue } from '../catalogue/parse-catalogue.js';
import type { CatalogueProblem, CatalogueResult } from '../catalogue/types.js';
import type { BurnRateTier, SloDefinition } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const ORGANISATION = `apiVersion: sre-agent/v1
kind: Catalogue
organisation:
  name: Example Payments Ltd
  countries: [GB]
`;

/** The services the Sloth and OpenSLO examples belong to. */
const SERVICES = `apiVersion: sre-agent/v1
kind: Catalogue
teams:
  - name: web
services:
  - { name: myservice, team: web, tier: 2, description: Sloth getting-started service. }
  - { name: svc01, team: web, tier: 2, description: Sloth golden-test service. }
  - { name: web-shop, team: web, tier: 1, description: Online shop. }
  - { name: web-availability, team: web, tier: 1, description: Internet service. }
`;

/** A valid Sloth spec; the error cases each change one thing. */
const SLOTH = `version: prometheus/v1
service: myservice
slos:
  - name: requests
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="myservice",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="myservice"}[{{.window}}]))
    alerting:
      name: MyServiceErrors
`;

/** A valid OpenSLO SLO; the error cases each change one thing. */
const OPENSLO = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: web-shop
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: 'http_requests_total{job="web-shop",code=~"5.."}'
        total:
          metricSource:
            type: Prometheus
            spec:
              query: 'http_requests_total{job="web-shop"}'
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Available
      target: 0.999
`;

// OpenSLO/OpenSLO examples/budgeting-method/*.yaml, verbatim (misspellings and defects included).
const OPENSLO_OCCURRENCES = `# SLO that measures the time of searching for an item in an online shop.
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-slo
  displayName: Searching time
spec:
  description: Regardless of the number of paraller searches it never should be more than 500ms.
  service: web-shop
  indicator:
    metadata:
      name: search-latency
      displayName: Latency of user searches
    spec:
      thresholdMetric:
        metricSource:
          type: Any # Any service with needed metrics.
          spec: # Fields necessary to query service for the data.
            query: Any # 'query' is just an example field.
  timeWindow:
    - duration: 2w # Two weeks is a good choice in most cases.
      isRolling: true # Rolling timewindow give us better view if service starts to working better.
  budgetingMethod: Occurrences # As said in README.md, occurrences are great for measuring all searches the same way.
  objectives:
    - displayName: Good experience
      op: lt
      value: 500
      target: 0.99
  alertPolicies: # Doesn't matter in this example but you should have something in here.
`;

const OPENSLO_RATIO_TIMESLICES = `# SLO that compares success requests with response 2xx to total requests to the main page of our site.
apiVersion: openslo/v1
kind: SLO
metadata:
  name: main-page
  displayName: Main page availability
spec:
  description: Our main page should be available always
  service: web-shop
  indicator:
    metadata:
      name: response-code
      displayName: Response codes of requests to main page
    spec:
      ratioMetric:
        good: # In most cases it is easier to think about timeslices in ratio metrics.
          metricSource:
            type: Any # Here put any service that holds information you need.
            spec: # Fields necessary to query service for the data.
              query: Any # 'query' is just an example field.
        total:
          metricSource:
            type: Any # Here put any service that holds information you need.
            spec: # Fields necessary to query service for the data.
              query: Any # 'query' is just an example field.
  timeWindow:
   - duration: 2w
     isRolling: true
  budgetingMethod: RatioTimeslices
  objectives:
    - displayName: Good
      op: gt
      timeSliceWindow: 1m
      target: 0.99
`;

const OPENSLO_TIMESLICES = `# SLO that reflects SLA for internet provider to be available 99% of time
apiVersion: openslo/v1
kind: SLO
metadata:
  name: service-availability
  displayName: Reflaction of out availability SLA
spec:
  description: SLO to see if we are above our SLA and to react before.
  service: web-availability
  indicator:
    metadata:
      name: web-availability
      displayName: Time when our service was running.
    spec:
      ratioMetric:
        good:
          metricSource:
            type: Any # Any service with needed metrics
            spec: # Fields necessary to query service for the data.
              query: Any # 'query' is just an example field.
        total:
          metricSource:
            type: Any # Any service with needed metrics
            spec: # Fields necessary to query service for the data.
              query: Any # 'query' is just an example field.
  timeWindow:
    - duration: 1m # Contracts often are for 1 month time window
      isRolling: false # Most of contracts starts counting at beginning of month
      calendar:
        startTime: 2022-01-01 12:00:00
        timeZone: America/New_York
  budgetingMethod: Timeslices
  objectives:
    - displayName: Internal objective
      op: gt
      target: 0.995 # It is good to make bigger objective to react faster
      timeSliceTarget: 0.99
      timeSliceWindow: 1m # Rest of the fields should reflect exactly our contract
    - displayName: SLA # It is good to have objective exactly as SLA contract says
      target: 0.99
      timeSliceTarget: 0.99
      timeSliceWindow: 1m
  alertPolicies: # SLO that monitor your SLA should always have some alert policy.
`;

/** The referenced documents of an SLO, in a file of their own to show references cross files. */
const OPENSLO_REFERENCED = `apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus-main
spec:
  type: Prometheus
  connectionDetails: { url: 'http://prometheus:9090' }
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: shop-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        metricSourceRef: prometheus-main
        spec: { query: 'http_requests_total{job="web-shop",code=~"5.."}' }
    total:
      metricSource:
        metricSourceRef: prometheus-main
        spec: { query: 'http_requests_total{job="web-shop"}' }
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: fast-burn
spec:
  severity: page
  condition:
    kind: burnrate
    op: gt
    threshold: 14.4
    lookbackWindow: 1h
    alertAfter: 2m
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: page-on-fast-burn
spec:
  alertWhenBreaching: true
  conditions:
    - conditionRef: fast-burn
`;

const OPENSLO_REFERRING = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: shop-availability
spec:
  service: web-shop
  indicatorRef: shop-errors
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 99.9
  alertPolicies:
    - alertPolicyRef: page-on-fast-burn
`;

type NamedText = readonly [name: string, text: string];

function parse(...slos: ReadonlyArray<NamedText>): CatalogueResult {
  return parseCatalogue([
    { name: 'org.yaml', text: ORGANISATION },
    { name: 'services.yaml', text: SERVICES },
    ...slos.map(([name, text]) => ({ name, text })),
  ]);
}

function slosOf(...slos: ReadonlyArray<NamedText>): ReadonlyArray<SloDefinition> {
  const result = parse(...slos);
  assert.ok(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
  return result.catalogue.slos;
}

function problemsOf(...slos: ReadonlyArray<NamedText>): ReadonlyArray<CatalogueProblem> {
  const result = parse(...slos);
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems;
}

function sloWithId(slos: ReadonlyArray<SloDefinition>, id: string): SloDefinition {
  const slo = slos.find((candidate) => candidate.id === id);
  assert.ok(slo, `no SLO ${id} among ${slos.map((candidate) => candidate.id).join(', ')}`);
  return slo;
}

/** `text` with one change; fails if `from` is not there, so a case cannot silently test the valid spec. */
function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `"${from}" not in the text`);
  return text.replace(from, to);
}

/** The workbook's ladder at 30 days, as Sloth builds it. */
function thirtyDayTiers(page: boolean, ticket: boolean): BurnRateTier[] {
  const tier = (
    name: string,
    severity: 'page' | 'ticket',
    shortWindow: number,
    longWindow: number,
    budgetFraction: number,
    factor: number,
  ): BurnRateTier => ({
    name,
    severity,
    shortWindow,
    longWindow,
    budgetFraction,
    factor,
    enabled: severity === 'page' ? page : ticket,
    for: 0,
    labels: {},
  });
  return [
    tier('page-quick', 'page', 5 * MINUTE, HOUR, 0.02, 14.4),
    tier('page-slow', 'page', 30 * MINUTE, 6 * HOUR, 0.05, 6),
    tier('ticket-quick', 'ticket', 2 * HOUR, DAY, 0.1, 3),
    tier('ticket-slow', 'ticket', 6 * HOUR, 3 * DAY, 0.1, 1),
  ];
}

function tierSummary(slo: SloDefinition): ReadonlyArray<readonly [string, number, boolean]> {
  return slo.alerting.tiers.map((tier) => [tier.name, tier.factor, tier.enabled] as const);
}

/** A number as YAML writes it, so that NaN and the infinities stay numbers. */
function yamlNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Number.POSITIVE_INFINITY) return '.inf';
  if (value === Number.NEGATIVE_INFINITY) return '-.inf';
  return String(value);
}

describe('parseSloSpecs: Sloth prometheus/v1', () => {
  test('reads the getting-started example into one SLO', () => {
    const slos = slosOf(['myservice-slos.yaml', readFixture('slo', 'sloth-getting-started-input.yaml')]);
    assert.deepEqual(slos, [
      {
        id: 'myservice-requests-availability',
        service: 'myservice',
        name: 'requests-availability',
        description: 'Common SLO based on availability for HTTP request responses.',
        objectivePercent: 99.9,
        period: { kind: 'rolling', duration: 30 * DAY, text: '30d' },
        budgeting: 'RatioTimeslices',
        timeSliceTarget: undefined,
        timeSliceWindow: 5 * MINUTE,
        sli: {
          kind: 'errors',
          errorQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
          totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
        },
        metricSource: 'prometheus',
        labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2' },
        alerting: {
          name: 'MyServiceHighErrorRate',
          labels: { category: 'availability' },
          annotations: { summary: "High error rate on 'myservice' requests responses" },
          page: { disabled: false, labels: { severity: 'pageteam', routing_key: 'myteam' }, annotations: {} },
          ticket: {
            disabled: false,
            labels: { severity: 'slack', slack_channel: '#alerts-myteam' },
            annotations: {},
          },
          tiers: thirtyDayTiers(true, true),
          minimumEvents: 0,
        },
        source: { format: 'sloth', file: 'myservice-slos.yaml', line: 1, spec: 'prometheus/v1' },
      },
    ]);
  });

  test('reads the golden two-SLO input, merging labels and disabling the tiers of disabled alerts', () => {
    const slos = slosOf(
      ['myservice-slos.yaml', readFixture('slo', 'sloth-getting-started-input.yaml')],
      ['svc01-slos.yaml', readFixture('slo', 'sloth-example-input.yaml')],
    );
    assert.deepEqual(
      slos.map((slo) => slo.id),
      ['myservice-requests-availability', 'svc01-slo1', 'svc01-slo02'],
    );

    const slo1 = sloWithId(slos, 'svc01-slo1');
    assert.equal(slo1.objectivePercent, 99.9);
    assert.equal(slo1.description, 'This is SLO 01.');
    assert.deepEqual(slo1.labels, { global01k1: 'global01v1', global02k1: 'global02v1' });
    assert.deepEqual(slo1.period, { kind: 'rolling', duration: 30 * DAY, text: '30d' });
    assert.equal(slo1.sli.kind, 'errors');
    assert.deepEqual(slo1.alerting, {
      name: 'myServiceAlert',
      labels: { alert01k1: 'alert01v1' },
      annotations: { alert02k1: 'alert02k2' },
      page: { disabled: false, labels: { alert03k1: 'alert03v1' }, annotations: {} },
      ticket: { disabled: false, labels: { alert04k1: 'alert04v1' }, annotations: {} },
      tiers: thirtyDayTiers(true, true),
      minimumEvents: 0,
    });
    assert.deepEqual(slo1.source, { format: 'sloth', file: 'svc01-slos.yaml', line: 1, spec: 'prometheus/v1' });

    const slo02 = sloWithId(slos, 'svc01-slo02');
    assert.equal(slo02.objectivePercent, 95);
    assert.deepEqual(slo02.labels, { global01k1: 'global01v1', global03k1: 'global03v1' });
    assert.deepEqual(slo02.sli, {
      kind: 'error-ratio',
      errorRatioQuery:
        'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))\n/\nsum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))\n',
    });
    // Both alerts disabled: no alert name is needed, and no tier may fire.
    assert.deepEqual(slo02.alerting, {
      name: undefined,
      labels: {},
      annotations: {},
      page: { disabled: true, labels: {}, annotations: {} },
      ticket: { disabled: true, labels: {}, annotations: {} },
      tiers: thirtyDayTiers(false, false),
      minimumEvents: 0,
    });
  });

  const cases: ReadonlyArray<{ readonly name: string; readonly text: string; readonly expected: string[] }> = [
    {
      name: 'an objective of 0',
      text: edit(SLOTH, 'objective: 99.9', 'objective: 0'),
      expected: ['sloth.yaml:5:16: must be greater than 0 (a percentage) (slos[0].objective)'],
    },
    {
      name: 'an objective of 101',
      text: edit(SLOTH, 'objective: 99.9', 'objective: 101'),
      expected: ['sloth.yaml:5:16: must be at most 100 (a percentage) (slos[0].objective)'],
    },
    {
      name: 'an objective written as a string',
      text: edit(SLOTH, 'objective: 99.9', 'objective: "99.9"'),
      expected: ['sloth.yaml:5:16: expected a number, got the string "99.9" (slos[0].objective)'],
    },
    {
      name: 'a query without the window placeholder',
      text: edit(SLOTH, 'code=~"5.."}[{{.window}}]', 'code=~"5.."}[5m]'),
      expected: [
        'sloth.yaml:8:22: the query has no {{.window}} placeholder where its range goes, such as [{{.window}}] (slos[0].sli.events.error_query)',
      ],
    },
    {
      name: 'an SLO for a service the catalogue does not have',
      text: edit(SLOTH, 'service: myservice', 'service: myservise'),
      expected: [
        'sloth.yaml:2:10: unknown service "myservise": SLOs belong to catalogue services; did you mean "myservice"? (service)',
      ],
    },
    {
      name: 'alerts enabled without an alert name',
      text: edit(SLOTH, 'name: MyServiceErrors', 'labels: { team: web }'),
      expected: [
        'sloth.yaml:11:7: missing required field "name" (needed unless both alerts are disabled) (slos[0].alerting)',
      ],
    },
    {
      name: 'both events and raw',
      text: edit(
        SLOTH,
        '    alerting:',
        '      raw:\n        error_ratio_query: sum(rate(errors_total[{{.window}}])) / sum(rate(requests_total[{{.window}}]))\n    alerting:',
      ),
      expected: ['sloth.yaml:7:7: an SLI takes exactly one of events, raw or plugin (slos[0].sli)'],
    },
    {
      name: 'a misspelt field',
      text: edit(SLOTH, 'objective:', 'objetive:'),
      expected: [
        'sloth.yaml:4:5: missing required field "objective" (slos[0].objective)',
        'sloth.yaml:5:5: unknown field "objetive"; did you mean "objective"? (slos[0].objetive)',
      ],
    },
  ];
  for (const { name, text, expected } of cases) {
    test(`refuses ${name}, saying where`, () => {
      assert.deepEqual(problemsOf(['sloth.yaml', text]).map(formatProblem), expected);
    });
  }

  test('needs no alert name when both alerts are disabled', () => {
    const text = edit(
      SLOTH,
      '      name: MyServiceErrors',
      '      page_alert: { disable: true }\n      ticket_alert: { disable: true }',
    );
    const [slo] = slosOf(['sloth.yaml', text]);
    assert.equal(slo?.alerting.name, undefined);
    assert.ok(slo?.alerting.tiers.every((tier) => !tier.enabled));
  });

  test('takes any objective in (0, 100] as written', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, minExcluded: true, noNaN: true }), (objective) => {
        const slos = slosOf(['sloth.yaml', edit(SLOTH, 'objective: 99.9', `objective: ${yamlNumber(objective)}`)]);
        assert.equal(slos[0]?.objectivePercent, objective);
      }),
      { numRuns: 200 },
    );
  });

  test('refuses any other number at the objective', () => {
    const outside = fc.oneof(
      fc.double({ max: 0 }),
      fc.double({ min: 100, minExcluded: true }),
      fc.integer({ max: 0 }),
      fc.integer({ min: 101 }),
      fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    );
    fc.assert(
      fc.property(outside, (objective) => {
        const text = edit(SLOTH, 'objective: 99.9', `objective: ${yamlNumber(objective)}`);
        const problems = problemsOf(['sloth.yaml', text]);
        assert.deepEqual(
          problems.map(({ file, line, column, path }) => ({ file, line, column, path })),
          [{ file: 'sloth.yaml', line: 5, column: 16, path: 'slos[0].objective' }],
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseSloSpecs: OpenSLO v1', () => {
  test('reads the Occurrences example: a threshold SLI, a two-week rolling window, default tiers', () => {
    const [slo] = slosOf(['occurences-slo.yaml', OPENSLO_OCCURRENCES]);
    assert.ok(slo);
    assert.equal(slo.id, 'web-shop-search-slo');
    assert.equal(slo.objectivePercent, 99);
    assert.deepEqual(slo.period, { kind: 'rolling', duration: 14 * DAY, text: '2w' });
    assert.equal(slo.budgeting, 'Occurrences');
    assert.equal(slo.timeSliceWindow, undefined);
    // Not a counter: the query is averaged over the window, and good while below 500.
    assert.deepEqual(slo.sli, {
      kind: 'threshold',
      query: 'sum(avg_over_time(Any[{{.window}}]))',
      op: 'lt',
      value: 500,
    });
    assert.equal(slo.metricSource, 'Any');
    assert.equal(slo.alerting.name, 'WebShopSearchSloBudgetBurn');
    // The empty alertPolicies is null in YAML: the default ladder, its factors scaled to 14 days.
    assert.deepEqual(tierSummary(slo), [
      ['page-quick', 6.72, true],
      ['page-slow', 2.8, true],
      ['ticket-quick', 1.4, true],
      ['ticket-slow', 0.4666666666666667, true],
    ]);
    assert.equal(slo.source.line, 2);
  });

  test('reads the RatioTimeslices example: good over total, one-minute slices', () => {
    const [slo] = slosOf(['ratio-timeslices.yaml', OPENSLO_RATIO_TIMESLICES]);
    assert.ok(slo);
    assert.equal(slo.id, 'web-shop-main-page');
    assert.equal(slo.objectivePercent, 99);
    assert.deepEqual(slo.period, { kind: 'rolling', duration: 14 * DAY, text: '2w' });
    assert.equal(slo.budgeting, 'RatioTimeslices');
    assert.equal(slo.timeSliceWindow, MINUTE);
    assert.equal(slo.metricSource, 'Any');
    // counter is not given: taken as a counter, so rated.
    assert.deepEqual(slo.sli, {
      kind: 'good',
      goodQuery: 'sum(rate(Any[{{.window}}]))',
      totalQuery: 'sum(rate(Any[{{.window}}]))',
    });
  });

  test('reads the Timeslices example as written: a calendar window of one minute, whose tiers are all disabled', () => {
    // "1m" is a minute ("M" is a month), whatever the comment beside it says; the spec allows any unit here.
    const slos = slosOf(['timeslices-slo.yaml', OPENSLO_TIMESLICES]);
    assert.deepEqual(
      slos.map((slo) => [slo.id, slo.name, slo.objectivePercent, slo.timeSliceTarget, slo.timeSliceWindow]),
      [
        ['web-availability-service-availability-0', 'service-availability-0', 99.5, 0.99, MINUTE],
        ['web-availability-service-availability-1', 'service-availability-1', 99, 0.99, MINUTE],
      ],
    );
    for (const slo of slos) {
      assert.equal(slo.budgeting, 'Timeslices');
      assert.deepEqual(slo.period, {
        kind: 'calendar',
        duration: MINUTE,
        text: '1m',
        startTime: '2022-01-01T12:00:00',
        timeZone: 'America/New_York',
      });
      // Every default long window (1h to 3d) is longer than the period.
      assert.deepEqual(
        slo.alerting.tiers.map((tier) => tier.enabled),
        [false, false, false, false],
      );
    }
    const monthly = slosOf(['timeslices-slo.yaml', edit(OPENSLO_TIMESLICES, 'duration: 1m', 'duration: 1M')]);
    assert.equal(monthly[0]?.period.duration, 30 * DAY);
    assert.deepEqual(monthly[0]?.alerting.tiers, thirtyDayTiers(true, true));
  });

  test('resolves SLI, DataSource, AlertPolicy and AlertCondition references across files', () => {
    const [slo] = slosOf(['shop-referenced.yaml', OPENSLO_REFERENCED], ['shop-slo.yaml', OPENSLO_REFERRING]);
    assert.ok(slo);
    assert.equal(slo.id, 'web-shop-shop-availability');
    assert.equal(slo.objectivePercent, 99.9);
    assert.deepEqual(slo.period, { kind: 'rolling', duration: 30 * DAY, text: '30d' });
    assert.deepEqual(slo.sli, {
      kind: 'errors',
      errorQuery: 'sum(rate(http_requests_total{job="web-shop",code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total{job="web-shop"}[{{.window}}]))',
    });
    // The type comes from the DataSource the metric refers to.
    assert.equal(slo.metricSource, 'Prometheus');
    // One lookback window: the short window is a twelfth of it.
    assert.deepEqual(slo.alerting.tiers, [
      {
        name: 'page-on-fast-burn',
        severity: 'page',
        shortWindow: 5 * MINUTE,
        longWindow: HOUR,
        budgetFraction: 0.02,
        factor: 14.4,
        enabled: true,
        for: 2 * MINUTE,
        labels: { severity: 'page' },
      },
    ]);
    assert.deepEqual(slo.source, { format: 'openslo', file: 'shop-slo.yaml', line: 1, spec: 'openslo/v1' });
  });

  test('reports references to documents that do not exist, suggesting a near name', () => {
    const referring = edit(
      edit(OPENSLO_REFERRING, 'indicatorRef: shop-errors', 'indicatorRef: shop-error'),
      'alertPolicyRef: page-on-fast-burn',
      'alertPolicyRef: wake-someone',
    );
    const referenced = edit(OPENSLO_REFERENCED, 'metricSourceRef: prometheus-main', 'metricSourceRef: prometheus-man');
    assert.deepEqual(
      problemsOf(['shop-referenced.yaml', OPENSLO_REFERENCED], ['shop-slo.yaml', referring]).map(formatProblem),
      [
        'shop-slo.yaml:7:17: no OpenSLO SLI named "shop-error"; did you mean "shop-errors"? (spec.indicatorRef)',
        'shop-slo.yaml:15:23: no OpenSLO AlertPolicy named "wake-someone" (spec.alertPolicies[0].alertPolicyRef)',
      ],
    );
    assert.deepEqual(
      problemsOf(['shop-referenced.yaml', referenced], ['shop-slo.yaml', OPENSLO_REFERRING]).map(formatProblem),
      [
        'shop-referenced.yaml:18:26: no OpenSLO DataSource named "prometheus-man"; did you mean "prometheus-main"? (spec.ratioMetric.bad.metricSource.metricSourceRef)',
      ],
    );
  });

  test('accepts a calendar window without isRolling, as the spec assumes false', () => {
    const text = edit(
      OPENSLO,
      '    - duration: 28d\n      isRolling: true',
      '    - duration: 1M\n      calendar:\n        startTime: 2026-01-01 00:00:00\n        timeZone: Europe/London',
    );
    const [slo] = slosOf(['openslo.yaml', text]);
    assert.deepEqual(slo?.period, {
      kind: 'calendar',
      duration: 30 * DAY,
      text: '1M',
      startTime: '2026-01-01T00:00:00',
      timeZone: 'Europe/London',
    });
  });

  const calendar = (startTime: string, timeZone: string): string =>
    edit(
      OPENSLO,
      '    - duration: 28d\n      isRolling: true',
      `    - duration: 1M\n      isRolling: false\n      calendar:\n        startTime: ${startTime}\n        timeZone: ${timeZone}`,
    );

  const withThresholdMetric = (text: string): string => {
    const replaced = text.replace(
      / {6}ratioMetric:[\s\S]*?(?= {2}timeWindow:)/,
      '      thresholdMetric:\n        metricSource:\n          type: Prometheus\n          spec:\n            query: checkout_latency_seconds\n',
    );
    assert.notEqual(replaced, text);
    return replaced;
  };

  const cases: ReadonlyArray<{ readonly name: string; readonly text: string; readonly expected: string[] }> = [
    {
      name: 'a target above 1',
      text: edit(OPENSLO, 'target: 0.999', 'target: 1.5'),
      expected: [
        'openslo.yaml:29:15: must be below 1 (target is a fraction; use targetPercent for 99.9) (spec.objectives[0].target)',
      ],
    },
    {
      name: 'both target and targetPercent',
      text: edit(OPENSLO, 'target: 0.999', 'target: 0.999\n      targetPercent: 99.9'),
      expected: ['openslo.yaml:28:7: give target or targetPercent, not both (spec.objectives[0])'],
    },
    {
      name: 'a rolling window of a month',
      text: edit(OPENSLO, 'duration: 28d', 'duration: 1M'),
      expected: [
        'openslo.yaml:24:17: a rolling window is measured in m, h, d or w; "1M" is a calendar length (M, Q and Y are for calendar windows) (spec.timeWindow[0].duration)',
      ],
    },
    {
      name: 'a calendar window without a calendar',
      text: edit(OPENSLO, 'isRolling: true', 'isRolling: false'),
      expected: [
        'openslo.yaml:24:7: a calendar window (isRolling: false) needs calendar.startTime and calendar.timeZone (spec.timeWindow[0].calendar)',
      ],
    },
    {
      name: 'a window that is neither rolling nor calendar',
      text: edit(OPENSLO, '\n      isRolling: true', ''),
      expected: [
        'openslo.yaml:24:7: missing required field "isRolling" (true for a rolling window; false, with calendar, for a calendar one) (spec.timeWindow[0].isRolling)',
      ],
    },
    {
      name: 'a time zone that is not in the IANA database',
      text: calendar('2026-01-01 00:00:00', 'Europe/Londres'),
      expected: [
        'openslo.yaml:28:19: must be an IANA time zone such as Europe/London (spec.timeWindow[0].calendar.timeZone)',
      ],
    },
    {
      name: 'a start time that is not a real date',
      text: calendar('2026-02-30 00:00:00', 'Europe/London'),
      expected: [
        'openslo.yaml:27:20: must be a real date and time as "YYYY-MM-DD hh:mm:ss" (spec.timeWindow[0].calendar.startTime)',
      ],
    },
    {
      name: 'two time windows',
      text: edit(OPENSLO, '      isRolling: true', '      isRolling: true\n    - duration: 7d\n      isRolling: true'),
      expected: ['openslo.yaml:24:5: timeWindow takes exactly one window (spec.timeWindow)'],
    },
    {
      name: 'Timeslices without timeSliceTarget',
      text: edit(
        edit(OPENSLO, 'budgetingMethod: Occurrences', 'budgetingMethod: Timeslices'),
        'target: 0.999',
        'target: 0.999\n      timeSliceWindow: 1m',
      ),
      expected: ['openslo.yaml:28:7: Timeslices needs timeSliceTarget and timeSliceWindow (spec.objectives[0])'],
    },
    {
      name: 'a threshold objective without op and value',
      text: withThresholdMetric(OPENSLO),
      expected: ['openslo.yaml:21:7: a thresholdMetric objective needs op and value (spec.objectives[0])'],
    },
    {
      name: 'an unknown kind',
      text: edit(OPENSLO, 'kind: SLO', 'kind: Slo'),
      expected: [
        'openslo.yaml:2:7: "Slo" is not an OpenSLO v1 kind: must be one of SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition, AlertNotificationTarget (kind)',
      ],
    },
    {
      name: 'an SLO for a service the catalogue does not have',
      text: edit(OPENSLO, 'service: web-shop', 'service: web-shoop'),
      expected: [
        'openslo.yaml:6:12: unknown service "web-shoop": SLOs belong to catalogue services; did you mean "web-shop"? (spec.service)',
      ],
    },
    {
      name: 'a Service document for a service the catalogue does not have',
      text: 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: web-shoop\nspec:\n  description: Typo.\n',
      expected: [
        'openslo.yaml:4:9: OpenSLO Service "web-shoop" is not a catalogue service; did you mean "web-shop"? (metadata.name)',
      ],
    },
  ];
  for (const { name, text, expected } of cases) {
    test(`refuses ${name}, saying where`, () => {
      assert.deepEqual(problemsOf(['openslo.yaml', text]).map(formatProblem), expected);
    });
  }

  test('accepts a Service document for a catalogue service', () => {
    const service = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: web-shop\nspec:\n  description: Shop.\n';
    assert.equal(slosOf(['openslo.yaml', `${service}---\n${OPENSLO}`]).length, 1);
  });
});

describe('parseSloSpecs: both formats', () => {
  test('refuses the same SLO id from Sloth and OpenSLO', () => {
    const sloth = edit(edit(SLOTH, 'service: myservice', 'service: web-shop'), 'name: requests', 'name: checkout');
    assert.deepEqual(
      problemsOf(['checkout-sloth.yaml', sloth], ['checkout-openslo.yaml', OPENSLO]).map(formatProblem),
      [
        'checkout-openslo.yaml:1:1: a second SLO "checkout" for service "web-shop" (the first is at checkout-sloth.yaml:1)',
      ],
    );
  });
});

describe('parseSloSpecs: sre-agent annotations on OpenSLO SLOs', () => {
  const annotated = (lines: string) =>
    edit(OPENSLO, '  name: checkout\n', `  name: checkout\n  annotations:\n${lines}`);

  test('switch a tier off, give it a for and a severity, and set the low-traffic guard', () => {
    const [slo] = slosOf([
      'slo.yaml',
      annotated(
        [
          '    sre-agent.dev/tier.ticket-slow.enabled: "false"',
          '    sre-agent.dev/tier.page-slow.for: 5m',
          '    sre-agent.dev/tier.ticket-quick.severity: page',
          '    sre-agent.dev/minimum-events: "500"',
          '    openslo.com/owner: someone-else',
          '',
        ].join('\n'),
      ),
    ]);
    assert.ok(slo !== undefined);
    const byName = new Map(slo.alerting.tiers.map((tier) => [tier.name, tier]));
    assert.equal(byName.get('ticket-slow')?.enabled, false);
    assert.equal(byName.get('page-slow')?.for, 5 * MINUTE);
    assert.equal(byName.get('ticket-quick')?.severity, 'page');
    assert.equal(byName.get('page-quick')?.enabled, true);
    assert.equal(slo.alerting.minimumEvents, 500);
  });

  test('refuse an unknown tier, a bad value and an unknown sre-agent key, each at its line', () => {
    const problems = problemsOf([
      'slo.yaml',
      annotated(
        [
          '    sre-agent.dev/tier.page-fast.enabled: "false"',
          '    sre-agent.dev/tier.page-slow.for: soon',
          '    sre-agent.dev/minimum-events: lots',
          '',
        ].join('\n'),
      ),
    ]).map(formatProblem);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(
      problems[0] ?? '',
      /^slo\.yaml:6:\d+: unknown sre-agent annotation: .*page-quick, page-slow, ticket-quick, ticket-slow/,
    );
    assert.match(problems[1] ?? '', /^slo\.yaml:7:\d+: must be a duration such as 5m/);
    assert.match(problems[2] ?? '', /^slo\.yaml:8:\d+: must be a whole number of events/);
  });
});

describe('parseSloSpecs: alert notification targets', () => {
  test('an alert policy passes its notification targets on to its tier as a label', () => {
    const spec = `${OPENSLO.replace('  objectives:\n', '  alertPolicies:\n    - alertPolicyRef: page-payments\n  objectives:\n')}---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: { name: payments-pager }
spec: { target: pagerduty-payments, description: The payments on-call rota }
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: { name: page-payments }
spec:
  conditions:
    - kind: AlertCondition
      metadata: { name: fast }
      spec:
        severity: page
        condition: { kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m }
  notificationTargets:
    - targetRef: payments-pager
    - kind: AlertNotificationTarget
      metadata: { name: payments-slack }
      spec: { target: slack-payments }
`;
    const [slo] = slosOf(['slo.yaml', spec]);
    assert.deepEqual(
      slo?.alerting.tiers.map((tier) => [tier.name, tier.severity, tier.labels]),
      [['page-payments', 'page', { severity: 'page', notification_target: 'pagerduty-payments,slack-payments' }]],
    );
  });
});
