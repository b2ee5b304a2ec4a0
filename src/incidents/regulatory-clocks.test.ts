import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type Clock,
  type ClockInput,
  computeClocks,
  type ImpactToleranceClock,
  type IncidentClassification,
  type ReportingEntity,
  type SubmittedReport,
  type TimedClock,
} from './regulatory-clocks.js';
import { ENGLAND_AND_WALES_BANK_HOLIDAYS, type ReportingRegime } from './regulatory-policies.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const at = (iso: string): Date => new Date(iso);

const NOTHING_CLASSIFIED: IncidentClassification = {
  doraMajor: false,
  gdprPersonalDataBreach: false,
  nis2Significant: false,
  ukOperationalIncident: false,
};

const PAYMENT_INSTITUTION: ReportingEntity = {
  creditInstitution: false,
  centralCounterparty: false,
  tradingVenueOperator: false,
  paymentServiceProvider: false,
  nis2: 'none',
  ukEnhancedReporting: false,
  doraReliefWithdrawn: false,
};

const CREDIT_INSTITUTION: ReportingEntity = { ...PAYMENT_INSTITUTION, creditInstitution: true };

function incident(
  awareAt: string,
  changes: Partial<Omit<ClockInput, 'classification'>> & {
    readonly classification?: Partial<IncidentClassification>;
  } = {},
): ClockInput {
  return {
    awareAt: at(awareAt),
    entity: PAYMENT_INSTITUTION,
    submissions: [],
    services: [],
    ...changes,
    classification: { ...NOTHING_CLASSIFIED, ...changes.classification },
  };
}

function submitted(regime: ReportingRegime, report: string, submittedAt: string): SubmittedReport {
  return { regime, report, submittedAt: at(submittedAt) };
}

function find(clocks: ReadonlyArray<Clock>, regime: string, report: string): Clock {
  const clock = clocks.find((candidate) => candidate.regime === regime && candidate.report === report);
  assert.ok(clock, `no ${regime} ${report} clock`);
  return clock;
}

function timed(clocks: ReadonlyArray<Clock>, regime: ReportingRegime, report: string): TimedClock {
  const clock = find(clocks, regime, report);
  assert.ok(clock.regime !== 'uk-impact-tolerance' && 'dueAt' in clock, `${regime} ${report} is ${clock.status}`);
  return clock;
}

function tolerance(clocks: ReadonlyArray<Clock>, service: string): ImpactToleranceClock {
  const clock = clocks.find((candidate) => 'service' in candidate && candidate.service === service);
  assert.ok(clock && 'service' in clock, `no impact-tolerance clock for ${service}`);
  return clock;
}

function reason(clocks: ReadonlyArray<Clock>, regime: string, report: string): string {
  const clock = find(clocks, regime, report);
  assert.ok('reason' in clock, `${regime} ${report} is ${clock.status}`);
  return clock.reason;
}

describe('DORA initial notification', () => {
  // Aware Monday 1 June 2026 08:00 BST.
  const major = (classifiedAt: string, entity: ReportingEntity = CREDIT_INSTITUTION) =>
    incident('2026-06-01T07:00:00Z', {
      classifiedAt: at(classifiedAt),
      classification: { doraMajor: true },
      entity,
    });

  test('is due at awareness + 24 h when that comes before classification + 4 h (the reference worked example)', () => {
    const clock = timed(computeClocks(major('2026-06-02T05:00:00Z'), at('2026-06-02T05:10:00Z')), 'dora', 'initial');
    assert.equal(clock.dueAt, '2026-06-02T07:00:00.000Z');
    assert.equal(clock.dueAtLocal, '2026-06-02T08:00:00.000+01:00');
    assert.equal(clock.anchor.event, 'awareness');
    assert.equal(clock.status, 'due');
  });

  test('is due at classification + 4 h when classified early', () => {
    const clock = timed(computeClocks(major('2026-06-01T09:00:00Z'), at('2026-06-01T09:30:00Z')), 'dora', 'initial');
    assert.equal(clock.dueAt, '2026-06-01T13:00:00.000Z');
    assert.equal(clock.anchor.event, 'classification');
    assert.equal(clock.status, 'pending');
  });

  test('is due 4 h after classification when classified more than 24 h after awareness', () => {
    const clock = timed(computeClocks(major('2026-06-02T08:00:00Z'), at('2026-06-02T11:30:00Z')), 'dora', 'initial');
    assert.equal(clock.dueAt, '2026-06-02T12:00:00.000Z');
    assert.equal(clock.dueAtLocal, '2026-06-02T13:00:00.000+01:00');
    assert.equal(clock.anchor.event, 'classification');
    assert.equal(clock.status, 'at-risk');
  });

  test('is not applicable unless the incident is classified major', () => {
    const clocks = computeClocks(incident('2026-06-01T07:00:00Z'), at('2026-06-01T08:00:00Z'));
    assert.match(reason(clocks, 'dora', 'initial'), /major ICT-related incident/);
    assert.equal(find(clocks, 'dora', 'final').status, 'not-applicable');
  });

  test('is missed when nothing is submitted by the deadline, and when submitted after it', () => {
    const late = major('2026-06-02T05:00:00Z');
    assert.equal(timed(computeClocks(late, at('2026-06-02T07:00:01Z')), 'dora', 'initial').status, 'missed');
    const withLateReport = { ...late, submissions: [submitted('dora', 'initial', '2026-06-02T07:45:00Z')] };
    const clock = timed(computeClocks(withLateReport, at('2026-06-02T08:00:00Z')), 'dora', 'initial');
    assert.equal(clock.status, 'missed');
    assert.equal(clock.submittedAt, '2026-06-02T07:45:00.000Z');
  });
});

describe('DORA weekend and bank-holiday relief', () => {
  // Aware Saturday 2 May 2026 10:00 BST, classified 12:00 BST: due Saturday 16:00 BST before relief.
  const weekend = (entity: ReportingEntity, changes: Partial<ClockInput> = {}) =>
    incident('2026-05-02T09:00:00Z', {
      classifiedAt: at('2026-05-02T11:00:00Z'),
      classification: { doraMajor: true },
      entity,
      ...changes,
    });
  const now = at('2026-05-02T12:00:00Z');

  test('moves an initial notification to 12:00 on the next working day, past the Early May bank holiday', () => {
    const clock = timed(computeClocks(weekend(PAYMENT_INSTITUTION), now), 'dora', 'initial');
    assert.equal(clock.dueAtLocal, '2026-05-05T12:00:00.000+01:00');
    assert.equal(clock.reliefApplied, true);
  });

  test('uses the holiday calendar it is given', () => {
    const calendar = { timeZone: 'Europe/London', holidays: [] };
    const clock = timed(computeClocks(weekend(PAYMENT_INSTITUTION, { calendar }), now), 'dora', 'initial');
    assert.equal(clock.dueAtLocal, '2026-05-04T12:00:00.000+01:00');
  });

  test("follows the Member State's calendar and time zone", () => {
    const memberStateCalendar = { timeZone: 'Europe/Berlin', holidays: [] };
    const clock = timed(computeClocks(weekend(PAYMENT_INSTITUTION, { memberStateCalendar }), now), 'dora', 'initial');
    assert.equal(clock.dueAt, '2026-05-04T10:00:00.000Z');
    assert.equal(clock.dueAtLocal, '2026-05-04T11:00:00.000+01:00');
  });

  for (const [name, entity] of [
    ['credit institutions', CREDIT_INSTITUTION],
    ['central counterparties', { ...PAYMENT_INSTITUTION, centralCounterparty: true }],
    ['trading-venue operators', { ...PAYMENT_INSTITUTION, tradingVenueOperator: true }],
    ['NIS2 important entities', { ...PAYMENT_INSTITUTION, nis2: 'important' }],
    ['NIS2 essential entities', { ...PAYMENT_INSTITUTION, nis2: 'essential' }],
    ['entities whose relief the authority withdrew', { ...PAYMENT_INSTITUTION, doraReliefWithdrawn: true }],
  ] as const) {
    test(`is not given for initial or intermediate reports of ${name}`, () => {
      const initial = timed(computeClocks(weekend(entity), now), 'dora', 'initial');
      assert.equal(initial.dueAtLocal, '2026-05-02T16:00:00.000+01:00');
      assert.equal(initial.reliefApplied, false);
      // Initial submitted Wednesday 6 May 2026 10:00 BST: intermediate due Saturday 9 May.
      const later = weekend(entity, { submissions: [submitted('dora', 'initial', '2026-05-06T09:00:00Z')] });
      const intermediate = timed(computeClocks(later, at('2026-05-06T10:00:00Z')), 'dora', 'intermediate');
      assert.equal(intermediate.dueAt, '2026-05-09T09:00:00.000Z');
      assert.equal(intermediate.reliefApplied, false);
    });
  }
});

describe('DORA intermediate and final reports', () => {
  const major = (submissions: ReadonlyArray<SubmittedReport>, entity: ReportingEntity = CREDIT_INSTITUTION) =>
    incident('2026-06-01T07:00:00Z', {
      classifiedAt: at('2026-06-01T09:00:00Z'),
      classification: { doraMajor: true },
      entity,
      submissions,
    });

  test('wait for the report before them to be submitted', () => {
    const clocks = computeClocks(major([]), at('2026-06-01T10:00:00Z'));
    assert.equal(find(clocks, 'dora', 'intermediate').status, 'awaiting-anchor');
    assert.match(reason(clocks, 'dora', 'final'), /intermediate report to be submitted/);
  });

  test('intermediate is due 72 h after the initial notification was submitted, which is met', () => {
    const clocks = computeClocks(
      major([submitted('dora', 'initial', '2026-06-01T11:30:00Z')]),
      at('2026-06-02T12:00:00Z'),
    );
    assert.equal(timed(clocks, 'dora', 'initial').status, 'met');
    const intermediate = timed(clocks, 'dora', 'intermediate');
    assert.equal(intermediate.dueAt, '2026-06-04T11:30:00.000Z');
    assert.equal(intermediate.anchor.event, 'submission');
    assert.equal(intermediate.anchor.at, '2026-06-01T11:30:00.000Z');
    assert.equal(intermediate.status, 'pending');
  });

  test('a late initial notification moves the intermediate deadline with it', () => {
    const clocks = computeClocks(
      major([submitted('dora', 'initial', '2026-06-01T14:00:00Z')]),
      at('2026-06-02T12:00:00Z'),
    );
    assert.equal(timed(clocks, 'dora', 'initial').status, 'missed');
    assert.equal(timed(clocks, 'dora', 'intermediate').dueAt, '2026-06-04T14:00:00.000Z');
  });

  test('final is due one calendar month after the latest intermediate: 31 January gives 28 February', () => {
    const withdrawn = { ...CREDIT_INSTITUTION, doraReliefWithdrawn: true };
    const submissions = [
      submitted('dora', 'intermediate', '2026-01-10T14:00:00Z'),
      submitted('dora', 'intermediate', '2026-01-31T14:00:00Z'),
    ];
    const final = timed(computeClocks(major(submissions, withdrawn), at('2026-02-01T00:00:00Z')), 'dora', 'final');
    assert.equal(final.anchor.at, '2026-01-31T14:00:00.000Z');
    assert.equal(final.dueAt, '2026-02-28T14:00:00.000Z');
    assert.equal(final.status, 'pending');
  });

  test('final keeps weekend relief even for a credit institution: Saturday 28 February moves to Monday noon', () => {
    const submissions = [submitted('dora', 'intermediate', '2026-01-31T14:00:00Z')];
    const final = timed(computeClocks(major(submissions), at('2026-02-01T00:00:00Z')), 'dora', 'final');
    assert.equal(final.dueAtLocal, '2026-03-02T12:00:00.000+00:00');
    assert.equal(final.reliefApplied, true);
  });

  test('one month keeps the local time across the spring clock change', () => {
    const submissions = [submitted('dora', 'intermediate', '2026-03-10T09:00:00Z')];
    const final = timed(computeClocks(major(submissions), at('2026-03-11T00:00:00Z')), 'dora', 'final');
    assert.equal(final.dueAtLocal, '2026-04-10T09:00:00.000+01:00');
    assert.equal(final.dueAt, '2026-04-10T08:00:00.000Z');
  });

  test('a submission recorded after now is not yet known', () => {
    const clocks = computeClocks(
      major([submitted('dora', 'initial', '2026-06-01T11:30:00Z')]),
      at('2026-06-01T11:00:00Z'),
    );
    assert.equal(timed(clocks, 'dora', 'initial').status, 'pending');
    assert.equal(find(clocks, 'dora', 'intermediate').status, 'awaiting-anchor');
  });

  test('relief can make a later intermediate give an earlier final deadline, so a met final can become missed', () => {
    // Intermediate Thu 11 June → final due Sat 11 July, relieved to Mon 13 July 12:00 BST; final sent 11:30 BST.
    const first = [
      submitted('dora', 'intermediate', '2026-06-11T13:00:00Z'),
      submitted('dora', 'final', '2026-07-13T10:30:00Z'),
    ];
    const relieved = timed(computeClocks(major(first), at('2026-07-14T00:00:00Z')), 'dora', 'final');
    assert.deepEqual([relieved.dueAt, relieved.status], ['2026-07-13T11:00:00.000Z', 'met']);
    // An update on Sat 13 June moves the final to Mon 13 July 09:00 BST, a working day, so no relief.
    const second = [...first, submitted('dora', 'intermediate', '2026-06-13T08:00:00Z')];
    const moved = timed(computeClocks(major(second), at('2026-07-14T00:00:00Z')), 'dora', 'final');
    assert.deepEqual([moved.dueAt, moved.status], ['2026-07-13T08:00:00.000Z', 'missed']);
  });
});

describe('GDPR Art 33 notification', () => {
  const breach = (awareAt: string, submissions: ReadonlyArray<SubmittedReport> = []) =>
    incident(awareAt, { classification: { gdprPersonalDataBreach: true }, submissions });

  test('is 72 elapsed hours across the spring clock change, shown an hour later in local time', () => {
    const clock = timed(
      computeClocks(breach('2026-03-27T10:00:00Z'), at('2026-03-27T11:00:00Z')),
      'gdpr',
      'notification',
    );
    assert.equal(clock.dueAt, '2026-03-30T10:00:00.000Z');
    assert.equal(clock.dueAtLocal, '2026-03-30T11:00:00.000+01:00');
    assert.equal(clock.status, 'pending');
  });

  test('is 72 elapsed hours across the autumn clock change, shown an hour earlier in local time', () => {
    const clock = timed(
      computeClocks(breach('2026-10-23T09:00:00Z'), at('2026-10-23T10:00:00Z')),
      'gdpr',
      'notification',
    );
    assert.equal(clock.dueAt, '2026-10-26T09:00:00.000Z');
    assert.equal(clock.dueAtLocal, '2026-10-26T09:00:00.000+00:00');
  });

  test('has no weekend relief', () => {
    const clock = timed(
      computeClocks(breach('2026-10-21T09:00:00Z'), at('2026-10-21T10:00:00Z')),
      'gdpr',
      'notification',
    );
    assert.equal(clock.dueAtLocal, '2026-10-24T10:00:00.000+01:00');
    assert.equal(clock.reliefApplied, false);
  });

  test('is at risk with 18 h left and due with 7.2 h left', () => {
    const input = breach('2026-03-27T10:00:00Z');
    assert.equal(timed(computeClocks(input, at('2026-03-29T16:00:00Z')), 'gdpr', 'notification').status, 'at-risk');
    assert.equal(timed(computeClocks(input, at('2026-03-29T15:59:59Z')), 'gdpr', 'notification').status, 'pending');
    assert.equal(timed(computeClocks(input, at('2026-03-30T02:48:00Z')), 'gdpr', 'notification').status, 'due');
    assert.equal(timed(computeClocks(input, at('2026-03-30T10:00:00Z')), 'gdpr', 'notification').status, 'due');
    assert.equal(timed(computeClocks(input, at('2026-03-30T10:00:00.001Z')), 'gdpr', 'notification').status, 'missed');
  });

  test('is met by a notification at the deadline', () => {
    const input = breach('2026-03-27T10:00:00Z', [submitted('gdpr', 'notification', '2026-03-30T10:00:00Z')]);
    assert.equal(timed(computeClocks(input, at('2026-04-01T00:00:00Z')), 'gdpr', 'notification').status, 'met');
  });

  test('is not applicable without a personal-data breach', () => {
    const clocks = computeClocks(incident('2026-03-27T10:00:00Z'), at('2026-03-27T11:00:00Z'));
    assert.equal(
      reason(clocks, 'gdpr', 'notification'),
      'applies only to a personal-data breach (GDPR / UK GDPR Art 33)',
    );
  });
});

describe('NIS2 Art 23 reporting', () => {
  const significant = (entity: ReportingEntity, submissions: ReadonlyArray<SubmittedReport> = []) =>
    incident('2026-09-14T09:00:00Z', { classification: { nis2Significant: true }, entity, submissions });
  const important = { ...PAYMENT_INSTITUTION, nis2: 'important' } as const;

  test('gives an early warning in 24 h and a notification in 72 h from awareness', () => {
    const clocks = computeClocks(significant(important), at('2026-09-14T10:00:00Z'));
    assert.equal(timed(clocks, 'nis2', 'early-warning').dueAt, '2026-09-15T09:00:00.000Z');
    assert.equal(timed(clocks, 'nis2', 'notification').dueAt, '2026-09-17T09:00:00.000Z');
    assert.equal(find(clocks, 'nis2', 'final').status, 'awaiting-anchor');
  });

  test('gives the final report one month after the notification was submitted', () => {
    const submissions = [
      submitted('nis2', 'early-warning', '2026-09-15T10:00:00Z'),
      submitted('nis2', 'notification', '2026-09-16T15:00:00Z'),
    ];
    const clocks = computeClocks(significant(important, submissions), at('2026-09-17T00:00:00Z'));
    assert.equal(timed(clocks, 'nis2', 'early-warning').status, 'missed');
    assert.equal(timed(clocks, 'nis2', 'notification').status, 'met');
    const final = timed(clocks, 'nis2', 'final');
    assert.equal(final.dueAt, '2026-10-16T15:00:00.000Z');
    assert.equal(final.dueAtLocal, '2026-10-16T16:00:00.000+01:00');
  });

  test('is not applicable to entities outside NIS2', () => {
    const clocks = computeClocks(significant(PAYMENT_INSTITUTION), at('2026-09-14T10:00:00Z'));
    assert.equal(
      reason(clocks, 'nis2', 'early-warning'),
      'applies only to an essential or important entity under NIS2',
    );
  });
});

describe('UK impact tolerance', () => {
  const payments = { name: 'payments', impactToleranceMs: 4 * HOUR, degradedAt: at('2026-06-01T10:00:00Z') };
  const evaluate = (now: string, service: ClockInput['services'][number] = payments) =>
    tolerance(computeClocks(incident('2026-06-01T10:05:00Z', { services: [service] }), at(now)), 'payments');

  test('warns at 50 %, 75 % and 90 % of the tolerance', () => {
    const quarter = evaluate('2026-06-01T11:00:00Z');
    assert.deepEqual([quarter.warningPercent, quarter.status], [undefined, 'pending']);
    const half = evaluate('2026-06-01T12:00:00Z');
    assert.deepEqual([half.warningPercent, half.fractionOfTolerance, half.status], [50, 0.5, 'pending']);
    const threeQuarters = evaluate('2026-06-01T13:00:00Z');
    assert.deepEqual([threeQuarters.warningPercent, threeQuarters.status], [75, 'at-risk']);
    const ninety = evaluate('2026-06-01T13:36:00Z');
    assert.deepEqual([ninety.warningPercent, ninety.status, ninety.breached], [90, 'due', false]);
    assert.equal(ninety.dueAtLocal, '2026-06-01T15:00:00.000+01:00');
  });

  test('is breached once disruption exceeds the tolerance', () => {
    const clock = evaluate('2026-06-01T14:30:00Z');
    assert.equal(clock.timeInDisruptionMs, 4.5 * HOUR);
    assert.equal(clock.fractionOfTolerance, 1.125);
    assert.deepEqual([clock.breached, clock.status, clock.warningPercent], [true, 'missed', 90]);
  });

  test('stops counting at restoration and is met when restored within tolerance', () => {
    const clock = evaluate('2026-06-01T18:00:00Z', { ...payments, restoredAt: at('2026-06-01T13:00:00Z') });
    assert.deepEqual([clock.timeInDisruptionMs, clock.status, clock.breached], [3 * HOUR, 'met', false]);
  });

  test('keeps one clock per affected important business service', () => {
    const cards = { name: 'cards', impactToleranceMs: 2 * HOUR, degradedAt: at('2026-06-01T10:30:00Z') };
    const clocks = computeClocks(
      incident('2026-06-01T10:05:00Z', { services: [payments, cards] }),
      at('2026-06-01T13:00:00Z'),
    );
    assert.equal(tolerance(clocks, 'payments').status, 'at-risk');
    assert.deepEqual([tolerance(clocks, 'cards').status, tolerance(clocks, 'cards').breached], ['missed', true]);
  });

  test('is not applicable when no important business service is disrupted', () => {
    assert.match(
      reason(
        computeClocks(incident('2026-06-01T10:05:00Z'), at('2026-06-01T11:00:00Z')),
        'uk-impact-tolerance',
        'impact-tolerance',
      ),
      /no important business service/,
    );
  });
});

describe('UK incident reporting (PS26/2, PS7/26)', () => {
  const operational = (awareAt: string, changes: Partial<Omit<ClockInput, 'classification'>> = {}) =>
    incident(awareAt, { classification: { ukOperationalIncident: true }, ...changes });
  const enhanced = { ...PAYMENT_INSTITUTION, ukEnhancedReporting: true };

  test('does not apply to incidents known before 18 March 2027', () => {
    const clocks = computeClocks(operational('2027-03-17T23:59:59Z'), at('2027-03-18T01:00:00Z'));
    assert.match(reason(clocks, 'uk-incident-reporting', 'initial'), /18 March 2027/);
  });

  test('gives an initial report within 24 h of awareness from 18 March 2027', () => {
    const clock = timed(
      computeClocks(operational('2027-03-18T00:00:00Z'), at('2027-03-18T01:00:00Z')),
      'uk-incident-reporting',
      'initial',
    );
    assert.equal(clock.dueAt, '2027-03-19T00:00:00.000Z');
    assert.equal(clock.anchor.event, 'awareness');
  });

  test('gives payment service providers 4 h from classification', () => {
    const psp = { ...PAYMENT_INSTITUTION, paymentServiceProvider: true };
    const input = operational('2027-04-01T08:00:00Z', { entity: psp, classifiedAt: at('2027-04-01T09:00:00Z') });
    const clock = timed(computeClocks(input, at('2027-04-01T09:30:00Z')), 'uk-incident-reporting', 'initial');
    assert.equal(clock.dueAtLocal, '2027-04-01T14:00:00.000+01:00');
    assert.equal(clock.anchor.event, 'classification');
  });

  test('owes a final report only from enhanced-reporting firms', () => {
    const clocks = computeClocks(operational('2027-04-01T08:00:00Z'), at('2027-04-01T09:00:00Z'));
    assert.match(reason(clocks, 'uk-incident-reporting', 'final'), /enhanced UK incident reporting/);
  });

  test('gives the final report 30 working days after the initial, skipping Easter and the Early May bank holiday', () => {
    // Initial Monday 22 March 2027; Good Friday 26 March, Easter Monday 29 March and 3 May are not counted.
    const input = operational('2027-03-22T08:00:00Z', {
      entity: enhanced,
      submissions: [submitted('uk-incident-reporting', 'initial', '2027-03-22T10:00:00Z')],
    });
    const final = timed(computeClocks(input, at('2027-03-23T00:00:00Z')), 'uk-incident-reporting', 'final');
    assert.equal(final.dueAtLocal, '2027-05-06T23:59:59.999+01:00');
    const noHolidays = { ...input, calendar: { timeZone: 'Europe/London', holidays: [] } };
    const plain = timed(computeClocks(noHolidays, at('2027-03-23T00:00:00Z')), 'uk-incident-reporting', 'final');
    assert.equal(plain.dueAtLocal, '2027-05-03T23:59:59.999+01:00');
  });

  test('counts 30 working days over Christmas and New Year with a calendar the caller extends', () => {
    const input = operational('2027-12-13T09:00:00Z', {
      entity: enhanced,
      submissions: [submitted('uk-incident-reporting', 'initial', '2027-12-13T14:00:00Z')],
      calendar: { timeZone: 'Europe/London', holidays: [...ENGLAND_AND_WALES_BANK_HOLIDAYS, '2028-01-03'] },
    });
    const final = timed(computeClocks(input, at('2027-12-14T00:00:00Z')), 'uk-incident-reporting', 'final');
    assert.equal(final.dueAtLocal, '2028-01-27T23:59:59.999+00:00');
  });
});

describe('regulatory clock properties', () => {
  const BASE = Date.parse('2026-01-01T00:00:00Z');
  const REPORTS = [
    ['dora', 'initial'],
    ['dora', 'intermediate'],
    ['dora', 'final'],
    ['gdpr', 'notification'],
    ['nis2', 'early-warning'],
    ['nis2', 'notification'],
    ['nis2', 'final'],
    ['uk-incident-reporting', 'initial'],
    ['uk-incident-reporting', 'final'],
  ] as const;

  const submissionArbitrary = (awareMs: number) =>
    fc
      .record({
        pair: fc.constantFrom(...REPORTS),
        offset: fc.integer({ min: -DAY, max: 80 * DAY }),
      })
      .map(({ pair, offset }) => submitted(pair[0], pair[1], new Date(awareMs + offset).toISOString()));

  const scenario = (entityArbitrary: fc.Arbitrary<ReportingEntity>) =>
    fc
      .record({
        awareMs: fc.integer({ min: BASE, max: BASE + 800 * DAY }),
        classifyAfter: fc.integer({ min: 0, max: 72 * HOUR }),
        nowAfter: fc.integer({ min: -HOUR, max: 120 * DAY }),
        classification: fc.record({
          doraMajor: fc.boolean(),
          gdprPersonalDataBreach: fc.boolean(),
          nis2Significant: fc.boolean(),
          ukOperationalIncident: fc.boolean(),
        }),
        entity: entityArbitrary,
        services: fc.array(
          fc.record({
            start: fc.integer({ min: -DAY, max: 5 * DAY }),
            toleranceMs: fc.integer({ min: 0, max: 48 * HOUR }),
            restoredAfter: fc.option(fc.integer({ min: 0, max: 72 * HOUR }), { nil: undefined }),
          }),
          { maxLength: 3 },
        ),
      })
      .chain((base) =>
        fc.record({
          base: fc.constant(base),
          submissions: fc.array(submissionArbitrary(base.awareMs), { maxLength: 8 }),
          extra: submissionArbitrary(base.awareMs),
        }),
      )
      .map(({ base, submissions, extra }) => {
        const input: ClockInput = {
          awareAt: new Date(base.awareMs),
          classifiedAt: new Date(base.awareMs + base.classifyAfter),
          classification: base.classification,
          entity: base.entity,
          submissions,
          services: base.services.map((service, index) => {
            const degradedAt = new Date(base.awareMs + service.start);
            const common = { name: `ibs-${index}`, impactToleranceMs: service.toleranceMs, degradedAt };
            return service.restoredAfter === undefined
              ? common
              : { ...common, restoredAt: new Date(degradedAt.getTime() + service.restoredAfter) };
          }),
        };
        return { input, extra, now: new Date(base.awareMs + base.nowAfter) };
      });

  const anyEntity = fc.record({
    creditInstitution: fc.boolean(),
    centralCounterparty: fc.boolean(),
    tradingVenueOperator: fc.boolean(),
    paymentServiceProvider: fc.boolean(),
    nis2: fc.constantFrom('essential', 'important', 'none'),
    ukEnhancedReporting: fc.boolean(),
    doraReliefWithdrawn: fc.boolean(),
  }) satisfies fc.Arbitrary<ReportingEntity>;

  const key = (clock: Clock) => `${clock.regime}/${clock.report}/${'service' in clock ? clock.service : ''}`;

  test('no deadline precedes its anchor', () => {
    fc.assert(
      fc.property(scenario(anyEntity), ({ input, now }) => {
        for (const clock of computeClocks(input, now)) {
          if ('dueAt' in clock) assert.ok(Date.parse(clock.dueAt) >= Date.parse(clock.anchor.at), key(clock));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('recording another submission never turns a met clock into a missed one (no DORA relief)', () => {
    const withoutRelief = anyEntity.map((entity) => ({ ...entity, doraReliefWithdrawn: true }));
    fc.assert(
      fc.property(scenario(withoutRelief), ({ input, extra, now }) => {
        const before = new Map(computeClocks(input, now).map((clock) => [key(clock), clock.status]));
        const after = computeClocks({ ...input, submissions: [...input.submissions, extra] }, now);
        for (const clock of after) {
          if (before.get(key(clock)) === 'met') assert.notEqual(clock.status, 'missed', key(clock));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('statuses agree with now, the deadline and the submission', () => {
    fc.assert(
      fc.property(scenario(anyEntity), ({ input, now }) => {
        for (const clock of computeClocks(input, now)) {
          if (!('dueAt' in clock)) continue;
          const dueMs = Date.parse(clock.dueAt);
          const remaining = dueMs - now.getTime();
          const settled = 'service' in clock ? undefined : clock.submittedAt;
          switch (clock.status) {
            case 'pending':
              assert.ok(settled === undefined && remaining > HOUR, key(clock));
              break;
            case 'at-risk':
            case 'due':
              assert.ok(settled === undefined && remaining >= 0, key(clock));
              break;
            case 'met':
              if ('service' in clock) assert.equal(clock.breached, false);
              else assert.ok(settled !== undefined && Date.parse(settled) <= dueMs, key(clock));
              break;
            case 'missed':
              if ('service' in clock) assert.equal(clock.breached, true);
              else assert.ok(settled === undefined ? remaining < 0 : Date.parse(settled) > dueMs, key(clock));
              break;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
