import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblem, parseCatalogue } from './parse-catalogue.js';
import type { CatalogueProblem, CatalogueSourceFile } from './types.js';

const ORGANISATION = `apiVersion: sre-agent/v1
kind: Catalogue
organisation:
  name: Example Payments Ltd
  countries: [GB]
  entity:
    paymentServiceProvider: true
`;

const TEAMS = `apiVersion: sre-agent/v1
kind: Catalogue
teams:
  - name: payments
    members: [aisha.khan]
  - name: platform
`;

function services(body: string): string {
  return `apiVersion: sre-agent/v1\nkind: Catalogue\nservices:\n${body}`;
}

const GOOD_SERVICES = services(`  - name: gateway
    team: payments
    tier: 1
    description: Card payments API.
    dependencies: [ledger, { service: notifications, kind: soft }]
    thirdParties: [cloud]
    rto: 1h
    rpo: 0s
  - name: ledger
    team: payments
    tier: 1
    description: Double-entry ledger.
  - name: notifications
    team: platform
    tier: 3
    description: Email and SMS.
---
apiVersion: sre-agent/v1
kind: Catalogue
thirdParties:
  - name: cloud
    criticality: critical
    services: [ledger]
importantBusinessServices:
  - name: make-a-payment
    description: Customers pay by card.
    services: [gateway, ledger]
    impactTolerance:
      maxTolerableDisruption: 2h
      transactionValue: { amount: 5000000, currency: GBP }
    regulators: [FCA, PSR]
freezeWindows:
  - name: year-end
    reason: Year-end processing.
    scope: { tiers: [1] }
    recurring: { cron: "0 0 15 12 *", duration: 18d }
  - name: launch
    reason: Product launch.
    scope: { services: [gateway] }
    start: 2026-11-27T00:00
    end: 2026-11-30T09:00
`);

function files(...texts: ReadonlyArray<readonly [string, string]>): CatalogueSourceFile[] {
  return texts.map(([name, text]) => ({ name, text }));
}

function problemsOf(result: ReturnType<typeof parseCatalogue>): ReadonlyArray<CatalogueProblem> {
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems;
}

describe('parseCatalogue', () => {
  test('builds a catalogue from several files and documents', () => {
    const result = parseCatalogue(
      files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['services.yaml', GOOD_SERVICES]),
    );
    assert.equal(result.ok, true, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
    if (!result.ok) return;
    const { catalogue } = result;
    assert.equal(catalogue.organisation.timeZone, 'Europe/London');
    assert.equal(catalogue.organisation.entity.paymentServiceProvider, true);
    assert.equal(catalogue.organisation.entity.nis2, 'none');
    assert.equal(catalogue.services.length, 3);
    const gateway = catalogue.services.find((service) => service.name === 'gateway');
    assert.deepEqual(gateway?.dependencies, [
      { service: 'ledger', kind: 'hard' },
      { service: 'notifications', kind: 'soft' },
    ]);
    assert.equal(gateway?.rto, 3_600_000);
    assert.equal(gateway?.rpo, 0);
    // Declared from both sides: the service's thirdParties and the third party's services.
    assert.deepEqual(catalogue.thirdParties[0]?.services, ['gateway', 'ledger']);
    assert.equal(catalogue.importantBusinessServices[0]?.impactTolerance.maxTolerableDisruption, 7_200_000);
    const launch = catalogue.freezeWindows.find((window) => window.name === 'launch');
    // 2026-11-27 is winter time in London, so local midnight is midnight UTC.
    assert.deepEqual(launch?.schedule, { kind: 'once', start: '2026-11-27T00:00:00Z', end: '2026-11-30T09:00:00Z' });
    const yearEnd = catalogue.freezeWindows.find((window) => window.name === 'year-end');
    assert.deepEqual(yearEnd?.schedule, {
      kind: 'recurring',
      cron: '0 0 15 12 *',
      duration: 18 * 86_400_000,
      timeZone: 'Europe/London',
    });
    assert.match(result.digest, /^[0-9a-f]{64}$/);
  });

  test('the digest depends on content, not on the order files are given in', () => {
    const a = parseCatalogue(
      files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['services.yaml', GOOD_SERVICES]),
    );
    const b = parseCatalogue(
      files(['services.yaml', GOOD_SERVICES], ['teams.yaml', TEAMS], ['org.yaml', ORGANISATION]),
    );
    const c = parseCatalogue(
      files(
        ['org.yaml', ORGANISATION],
        ['teams.yaml', `${TEAMS}    displayName: Platform\n`],
        ['services.yaml', GOOD_SERVICES],
      ),
    );
    assert.ok(a.ok && b.ok && c.ok);
    assert.equal(a.digest, b.digest);
    assert.notEqual(a.digest, c.digest);
  });

  test('reports YAML syntax errors with their line and column', () => {
    const problems = problemsOf(
      parseCatalogue(files(['org.yaml', ORGANISATION], ['bad.yaml', 'apiVersion: sre-agent/v1\nkind: [Catalogue\n'])),
    );
    const syntax = problems.filter((problem) => problem.code === 'yaml-syntax');
    assert.ok(syntax.length >= 1);
    assert.equal(syntax[0]?.file, 'bad.yaml');
    assert.match(syntax[0]?.message ?? '', /^YAML syntax: /);
  });

  test('reports a duplicate key as a syntax error', () => {
    const problems = problemsOf(
      parseCatalogue(files(['org.yaml', `${ORGANISATION}organisation:\n  name: Again\n  countries: [GB]\n`])),
    );
    assert.equal(problems[0]?.code, 'yaml-syntax');
    assert.equal(problems[0]?.line, 8);
  });

  test('locates unknown fields at the key, with a suggestion', () => {
    const text = services(`  - name: gateway
    team: payments
    tier: 1
    description: Card payments API.
    dependancies: [ledger]
`);
    const problems = problemsOf(
      parseCatalogue(files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['svc.yaml', text])),
    );
    assert.deepEqual(problems.map(formatProblem), [
      'svc.yaml:8:5: unknown field "dependancies"; did you mean "dependencies"? (services[0].dependancies)',
    ]);
  });

  test('names wrong types, missing fields and bad values by path', () => {
    const text = services(`  - name: gateway
    team: payments
    tier: 5
    description: Card payments API.
    rto: 4 hours
  - name: ledger
    team: payments
    tier: "1"
  - name: Bad_Name
    team: payments
    tier: 2
    description: x
    dependencies: [{ service: ledger, kind: weak }]
`);
    const problems = problemsOf(
      parseCatalogue(files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['svc.yaml', text])),
    );
    const lines = problems.map(formatProblem);
    assert.deepEqual(lines, [
      'svc.yaml:6:11: must be 1, 2, 3 or 4 (1 is the most critical) (services[0].tier)',
      'svc.yaml:8:10: "4 hours" is not a duration: use a number and a unit, largest unit first, such as 30s, 15m, 4h, 1h30m, 28d or 1w (services[0].rto)',
      'svc.yaml:9:5: missing required field "description" (services[1].description)',
      'svc.yaml:11:11: must be 1, 2, 3 or 4 (1 is the most critical) (services[1].tier)',
      'svc.yaml:12:11: must be 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit (services[2].name)',
      'svc.yaml:16:20: must be a service name or { service, kind } (services[2].dependencies[0])',
    ]);
  });

  test('reports unknown references, duplicates, cycles and an important business service without services', () => {
    const text = services(`  - name: gateway
    team: paymnets
    tier: 1
    description: Card payments API.
    dependencies: [ledger, fraud]
    thirdParties: [clod]
  - name: ledger
    team: payments
    tier: 1
    description: Ledger.
    dependencies: [gateway]
  - name: gateway
    team: payments
    tier: 2
    description: Again.
importantBusinessServices:
  - name: make-a-payment
    description: Pay.
    services: []
    impactTolerance: { maxTolerableDisruption: 2h }
  - name: settle
    description: Settle.
    impactTolerance: { maxTolerableDisruption: two hours }
`);
    const problems = problemsOf(
      parseCatalogue(files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['svc.yaml', text])),
    );
    assert.deepEqual(problems.map(formatProblem), [
      'svc.yaml:5:11: unknown team "paymnets"; did you mean "payments"? (services[0].team)',
      'svc.yaml:8:28: unknown service "fraud" (services[0].dependencies[1])',
      'svc.yaml:9:20: unknown third party "clod" (services[0].thirdParties[0])',
      'svc.yaml:14:20: dependency cycle: gateway → ledger → gateway (services[1].dependencies[0])',
      'svc.yaml:15:11: duplicate service name "gateway": already defined at svc.yaml:4:11 (services[2].name)',
      'svc.yaml:22:15: important business service "make-a-payment" lists no supporting service (importantBusinessServices[0].services)',
      'svc.yaml:26:48: "two hours" is not a duration: use a number and a unit, largest unit first, such as 30s, 15m, 4h, 1h30m, 28d or 1w (importantBusinessServices[1].impactTolerance.maxTolerableDisruption)',
    ]);
    // An entry that fails its schema is not cross-checked; once it is fixed, its own missing services show.
    const fixed = text.replace('two hours', '24h');
    const again = problemsOf(
      parseCatalogue(files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['svc.yaml', fixed])),
    );
    assert.equal(
      again.map(formatProblem).at(-1),
      'svc.yaml:24:5: important business service "settle" lists no supporting service (importantBusinessServices[1].services)',
    );
  });

  test('a reference to an entry that failed its schema is not reported as unknown', () => {
    const text = services(`  - name: gateway
    team: payments
    tier: 1
    description: Card payments API.
    dependencies: [ledger]
  - name: ledger
    team: payments
    tier: 9
    description: Ledger.
`);
    const problems = problemsOf(
      parseCatalogue(files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['svc.yaml', text])),
    );
    assert.deepEqual(
      problems.map((problem) => problem.path),
      ['services[1].tier'],
    );
  });

  test('finds a longer cycle once', () => {
    const text = services(`  - { name: a, team: payments, tier: 1, description: A., dependencies: [b] }
  - { name: b, team: payments, tier: 1, description: B., dependencies: [c] }
  - { name: c, team: payments, tier: 1, description: C., dependencies: [a] }
  - { name: d, team: payments, tier: 1, description: D., dependencies: [a] }
`);
    const problems = problemsOf(
      parseCatalogue(files(['org.yaml', ORGANISATION], ['teams.yaml', TEAMS], ['svc.yaml', text])),
    );
    assert.deepEqual(
      problems.map((problem) => problem.message),
      ['dependency cycle: a → b → c → a'],
    );
  });

  test('requires exactly one organisation', () => {
    const none = problemsOf(parseCatalogue(files(['teams.yaml', TEAMS])));
    assert.deepEqual(
      none.map((problem) => problem.code),
      ['organisation-count'],
    );
    const two = problemsOf(parseCatalogue(files(['a.yaml', ORGANISATION], ['b.yaml', ORGANISATION])));
    assert.deepEqual(two.map(formatProblem), [
      'b.yaml:3:1: a second organisation: it is already declared at a.yaml:4:3 (organisation)',
    ]);
  });

  test('checks organisation identifiers and freeze window schedules', () => {
    const text = `apiVersion: sre-agent/v1
kind: Catalogue
organisation:
  name: Example
  lei: 506700GE1G29325QX364
  timeZone: Europe/Londres
  countries: [UK]
freezeWindows:
  - name: bad-cron
    reason: x
    recurring: { cron: "0 25 * * *", duration: 1h }
  - name: backwards
    reason: x
    start: 2026-12-02T00:00
    end: 2026-12-01T00:00
  - name: both
    reason: x
    start: 2026-12-02T00:00
    end: 2026-12-03T00:00
    recurring: { cron: "0 0 * * *", duration: 1h }
`;
    const problems = problemsOf(parseCatalogue(files(['org.yaml', text])));
    assert.deepEqual(problems.map(formatProblem), [
      'org.yaml:5:8: is not a valid LEI (ISO 17442: 20 characters ending in two check digits) (organisation.lei)',
      'org.yaml:6:13: is not an IANA time zone such as Europe/London (organisation.timeZone)',
      'org.yaml:7:15: is not an ISO 3166-1 alpha-2 country code such as GB or IE (the United Kingdom is GB, not UK) (organisation.countries[0])',
      'org.yaml:11:24: "0 25 * * *" is not a valid cron expression (minute hour day-of-month month day-of-week): Constraint error, got value 25 expected range 0-23 (freezeWindows[0].recurring.cron)',
      'org.yaml:15:10: end must be after start (freezeWindows[1].end)',
      'org.yaml:20:16: give either start and end or recurring, not both (freezeWindows[2].recurring)',
    ]);
    const fixed = text
      .replace('506700GE1G29325QX364', '506700GE1G29325QX363')
      .replace('Europe/Londres', 'Europe/London')
      .replace('[UK]', '[GB]')
      .replace('0 25 * * *', '0 23 * * *')
      .replace('end: 2026-12-01T00:00', 'end: 2026-12-03T00:00')
      .replace(/ {2}- name: both[\s\S]*$/, '');
    const result = parseCatalogue(files(['org.yaml', fixed]));
    assert.equal(result.ok, true, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
  });

  test('reads OpenSLO and Sloth documents into SLOs and refuses unknown documents', () => {
    const slo = `apiVersion: openslo/v1
kind: SLO
metadata: { name: gateway-availability }
spec:
  service: gateway
  indicator:
    metadata: { name: gateway-errors }
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{job="gateway",code=~"5.."}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'http_requests_total{job="gateway"}' } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
---
version: prometheus/v1
service: gateway
slos:
  - name: latency
    objective: 99
    sli:
      raw: { error_ratio_query: 'rate(slow_total[{{.window}}]) / rate(all_total[{{.window}}])' }
    alerting: { name: GatewaySlow }
---
apiVersion: v1
kind: ConfigMap
`;
    const base: Array<[string, string]> = [
      ['org.yaml', ORGANISATION],
      ['teams.yaml', TEAMS],
      ['services.yaml', GOOD_SERVICES],
    ];
    const result = parseCatalogue(files(...base, ['slo.yaml', slo]));
    const problems = problemsOf(result);
    assert.deepEqual(problems.map(formatProblem), [
      'slo.yaml:26:13: unrecognised document: expected apiVersion sre-agent/v1 (catalogue), apiVersion openslo/v1 (OpenSLO) or version prometheus/v1 (Sloth) (apiVersion)',
    ]);
    const clean = parseCatalogue(files(...base, ['slo.yaml', slo.slice(0, slo.lastIndexOf('---'))]));
    assert.ok(clean.ok, clean.ok ? '' : clean.problems.map(formatProblem).join('\n'));
    assert.deepEqual(
      clean.catalogue.slos.map((s) => [s.id, s.source.format, s.source.file, s.source.line, s.objectivePercent]),
      [
        ['gateway-latency', 'sloth', 'slo.yaml', 17, 99],
        ['gateway-gateway-availability', 'openslo', 'slo.yaml', 1, 99.9],
      ],
    );
  });

  test('reports every problem of every file at once, sorted by place', () => {
    const problems = problemsOf(
      parseCatalogue(
        files(
          ['a.yaml', `${ORGANISATION}teams:\n  - name: x\n    colour: red\n`],
          ['b.yaml', 'apiVersion: sre-agent/v1\nkind: Catalogue\nservices: {}\n'],
        ),
      ),
    );
    assert.deepEqual(problems.map(formatProblem), [
      'a.yaml:10:5: unknown field "colour" (teams[0].colour)',
      'b.yaml:3:11: expected a list, got a mapping (services)',
    ]);
  });
});
