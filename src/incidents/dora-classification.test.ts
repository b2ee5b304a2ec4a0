import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  assessRecurring,
  type CriterionResult,
  classifyDoraIncident,
  type DoraClassification,
  type DoraClassificationInput,
  DoraClassificationInputSchema,
  type DoraCriterion,
  type Measure,
  type RecurringIncident,
} from './dora-classification.js';

const CIF_AFFECTED: DoraClassificationInput = { criticalServices: { criticalOrImportantFunctions: true } };

function classify(changes: Partial<DoraClassificationInput> = {}): DoraClassification {
  return classifyDoraIncident({ ...CIF_AFFECTED, ...changes });
}

function criterion(result: DoraClassification, name: DoraCriterion): CriterionResult {
  const found = result.criteria.find((entry) => entry.criterion === name);
  assert.ok(found, `no ${name} criterion`);
  return found;
}

function assertCriterion(
  changes: Partial<DoraClassificationInput>,
  name: DoraCriterion,
  met: boolean,
  reason: string,
): void {
  const result = criterion(classify(changes), name);
  assert.equal(result.met, met, result.reasons.join('; '));
  assert.ok(result.reasons.includes(reason), `expected "${reason}" in ${JSON.stringify(result.reasons)}`);
}

const n = (value: number): Measure => ({ value });

describe('classifyDoraIncident: clients, financial counterparts and transactions (Art 9(1))', () => {
  test('more than 100,000 clients affected meets the criterion; exactly 100,000 does not', () => {
    assertCriterion(
      { clients: { affected: n(120_000) } },
      'clients-counterparts-transactions',
      true,
      '120,000 clients affected, above 100,000',
    );
    assertCriterion(
      { clients: { affected: n(100_001) } },
      'clients-counterparts-transactions',
      true,
      '100,001 clients affected, above 100,000',
    );
    assertCriterion(
      { clients: { affected: n(100_000) } },
      'clients-counterparts-transactions',
      false,
      '100,000 clients affected, not above 100,000',
    );
  });

  test('a share of clients above 10 % meets the criterion; exactly 10 % does not', () => {
    assertCriterion(
      { clients: { affected: n(1_001), total: n(10_000) } },
      'clients-counterparts-transactions',
      true,
      '10.01 % of clients, above 10 %',
    );
    assertCriterion(
      { clients: { affected: n(1_000), total: n(10_000) } },
      'clients-counterparts-transactions',
      false,
      '10 % of clients, not above 10 %',
    );
    assertCriterion(
      { clients: { percent: n(10.5) } },
      'clients-counterparts-transactions',
      true,
      '10.5 % of clients, above 10 %',
    );
  });

  test('financial counterparts above 30 % meet the criterion; exactly 30 % does not', () => {
    assertCriterion(
      { counterparts: { percent: n(30.1) } },
      'clients-counterparts-transactions',
      true,
      '30.1 % of financial counterparts, above 30 %',
    );
    assertCriterion(
      { counterparts: { affected: n(3), total: n(10) } },
      'clients-counterparts-transactions',
      false,
      '30 % of financial counterparts, not above 30 %',
    );
  });

  test('transactions above 10 % of the daily average by number or by value meet the criterion', () => {
    assertCriterion(
      { transactions: { affectedNumber: n(50_001), dailyAverageNumber: n(500_000) } },
      'clients-counterparts-transactions',
      true,
      'Transactions affected equal to 10.0002 % of the daily average number, above 10 %',
    );
    assertCriterion(
      { transactions: { percentByNumber: n(10) } },
      'clients-counterparts-transactions',
      false,
      'Transactions affected equal to 10 % of the daily average number, not above 10 %',
    );
    assertCriterion(
      { transactions: { affectedValue: n(1_050_000), dailyAverageValue: n(10_000_000) } },
      'clients-counterparts-transactions',
      true,
      'Transactions affected equal to 10.5 % of the daily average value, above 10 %',
    );
    assertCriterion(
      { transactions: { percentByValue: n(10) } },
      'clients-counterparts-transactions',
      false,
      'Transactions affected equal to 10 % of the daily average value, not above 10 %',
    );
  });

  test('any relevant client or financial counterpart affected meets the criterion', () => {
    assertCriterion(
      { relevantClientsOrCounterpartsAffected: true },
      'clients-counterparts-transactions',
      true,
      'A relevant client or financial counterpart affected',
    );
    assertCriterion(
      { relevantClientsOrCounterpartsAffected: false },
      'clients-counterparts-transactions',
      false,
      'No relevant client or financial counterpart affected',
    );
  });

  test('nothing recorded does not meet the criterion and says so', () => {
    assertCriterion(
      {},
      'clients-counterparts-transactions',
      false,
      'No figures recorded for clients, financial counterparts or transactions',
    );
  });
});

describe('classifyDoraIncident: the other criteria (Art 9(2)–(6))', () => {
  test('any reputational flag meets the reputational criterion', () => {
    assertCriterion({ reputational: { mediaCoverage: true } }, 'reputational', true, 'Media coverage');
    assertCriterion(
      { reputational: { regulatoryRequirementsUnlikelyMet: true } },
      'reputational',
      true,
      'Regulatory requirements will not or are unlikely to be met',
    );
    assertCriterion(
      { reputational: { mediaCoverage: false } },
      'reputational',
      false,
      'No reputational impact recorded',
    );
  });

  test('a duration above 24 h meets the criterion; exactly 24 h does not', () => {
    assertCriterion(
      { duration: { minutes: n(24 * 60 + 1) } },
      'duration-downtime',
      true,
      'Duration 24 h 1 min, above 24 h',
    );
    assertCriterion({ duration: { minutes: n(24 * 60) } }, 'duration-downtime', false, 'Duration 24 h, not above 24 h');
  });

  test('the duration is measured from occurrence to resolution, or to the assessment while ongoing', () => {
    assertCriterion(
      { duration: { occurredAt: '2025-03-03T08:00:00Z', resolvedAt: '2025-03-04T09:12:00+01:00' } },
      'duration-downtime',
      true,
      'Duration 24 h 12 min, above 24 h',
    );
    assertCriterion(
      { duration: { occurredAt: '2025-03-03T08:00:00Z', resolvedAt: '2025-03-04T08:00:00Z' } },
      'duration-downtime',
      false,
      'Duration 24 h, not above 24 h',
    );
    assertCriterion(
      { duration: { occurredAt: '2025-03-03T08:00:00Z', assessedAt: '2025-03-04T09:00:00Z' } },
      'duration-downtime',
      true,
      'Duration so far 25 h, above 24 h',
    );
    assertCriterion(
      { duration: { occurredAt: '2025-03-03T08:00:00Z' } },
      'duration-downtime',
      false,
      'No duration or downtime recorded',
    );
  });

  test('a CIF downtime above 2 h meets the criterion; exactly 2 h does not', () => {
    assertCriterion(
      { cifDowntimeMinutes: n(121) },
      'duration-downtime',
      true,
      'Downtime of a service supporting a critical or important function 2 h 1 min, above 2 h',
    );
    assertCriterion(
      { cifDowntimeMinutes: n(120) },
      'duration-downtime',
      false,
      'Downtime of a service supporting a critical or important function 2 h, not above 2 h',
    );
  });

  test('two Member States meet the geographical criterion; one does not, and non-members are not counted', () => {
    assertCriterion(
      { memberStates: ['IE', 'FR'] },
      'geographical',
      true,
      '2 Member States affected (FR, IE), at least 2',
    );
    assertCriterion({ memberStates: ['IE'] }, 'geographical', false, '1 Member State affected (IE), fewer than 2');
    assertCriterion({ memberStates: ['IE', 'GB'] }, 'geographical', false, 'GB not counted: not an EU Member State');
  });

  test('data affected meets the data-losses criterion only with an adverse effect', () => {
    assertCriterion(
      { dataImpact: { integrity: true, confidentiality: true, adverseEffectOnBusinessOrCompliance: true } },
      'data-losses',
      true,
      'Integrity and confidentiality of data affected, with an adverse effect on business objectives or compliance',
    );
    assertCriterion(
      { dataImpact: { availability: true } },
      'data-losses',
      false,
      'Availability of data affected, with no adverse effect on business objectives or compliance recorded',
    );
  });

  test('costs above EUR 100,000, or likely to exceed it, meet the economic criterion; exactly 100,000 does not', () => {
    assertCriterion(
      { economic: { costsAndLossesEur: n(100_000.5) } },
      'economic',
      true,
      'Costs and losses of EUR 100,000.5, above EUR 100,000',
    );
    assertCriterion(
      { economic: { costsAndLossesEur: n(100_000) } },
      'economic',
      false,
      'Costs and losses of EUR 100,000, not above EUR 100,000',
    );
    assertCriterion(
      { economic: { likelyToExceedThreshold: true } },
      'economic',
      true,
      'Costs and losses likely to exceed EUR 100,000',
    );
  });
});

describe('classifyDoraIncident: the Art 8(1) rule', () => {
  const TWO_CRITERIA: Partial<DoraClassificationInput> = {
    clients: { affected: n(150_000) },
    duration: { minutes: n(30 * 60) },
  };

  test('critical services and two criteria make a major incident', () => {
    const result = classify(TWO_CRITERIA);
    assert.equal(result.major, true);
    assert.equal(result.criteriaMetCount, 2);
    assert.deepEqual(result.criticalServicesGate, { met: true, limbs: ['critical-or-important-functions'] });
    assert.equal(result.maliciousAccessRule, false);
    assert.match(result.explanation, /^Major under Del\. Reg\. \(EU\) 2024\/1772 Art 8\(1\)/);
    assert.match(result.explanation, /clients, financial counterparts and transactions and duration and service/);
  });

  test('without critical services affected nothing is major', () => {
    const result = classifyDoraIncident({
      criticalServices: {},
      ...TWO_CRITERIA,
      dataImpact: { maliciousAccessMayLeadToDataLoss: true },
    });
    assert.equal(result.major, false);
    assert.deepEqual(result.criticalServicesGate, { met: false, limbs: [] });
    assert.equal(result.criteriaMetCount, 3);
    assert.match(result.explanation, /^Not major: no critical service was affected/);
  });

  test('each limb of Art 6 opens the gate', () => {
    for (const [limb, criticalServices] of [
      ['authorised-financial-services', { authorisedFinancialServices: true }],
      ['malicious-unauthorised-access', { maliciousUnauthorisedAccess: true }],
    ] as const) {
      const result = classifyDoraIncident({ criticalServices, ...TWO_CRITERIA });
      assert.deepEqual(result.criticalServicesGate.limbs, [limb]);
      assert.equal(result.major, true);
    }
  });

  test('malicious access that may lead to data loss suffices on its own with the gate', () => {
    const result = classifyDoraIncident({
      criticalServices: { maliciousUnauthorisedAccess: true },
      dataImpact: { maliciousAccessMayLeadToDataLoss: true },
    });
    assert.equal(result.major, true);
    assert.equal(result.maliciousAccessRule, true);
    assert.equal(result.criteriaMetCount, 1);
    assert.match(result.explanation, /Art 9\(5\)\(b\)\), which suffices on its own/);
  });

  test('one criterion only is not major', () => {
    const result = classify({ clients: { affected: n(150_000) } });
    assert.equal(result.major, false);
    assert.equal(result.criteriaMetCount, 1);
    assert.equal(
      result.explanation,
      'Not major: critical services were affected (ICT services or systems supporting critical or important ' +
        'functions), but 1 of 6 materiality criteria was met (clients, financial counterparts and transactions); ' +
        'at least 2 are required, or successful malicious unauthorised access that may lead to data loss ' +
        '(Art 9(5)(b)).',
    );
  });

  test('estimates are flagged in the criterion, the reasons and the result', () => {
    const result = classify({
      clients: { affected: n(20_000), total: { value: 100_000, estimate: true } },
      duration: { minutes: n(30 * 60) },
    });
    const clients = criterion(result, 'clients-counterparts-transactions');
    assert.equal(clients.met, true);
    assert.equal(clients.estimate, true);
    assert.ok(clients.reasons.includes('20 % of clients (estimate), above 10 %'));
    assert.equal(criterion(result, 'duration-downtime').estimate, false);
    assert.equal(result.estimatesUsed, true);
    assert.match(result.explanation, /Some figures are estimates/);
    assert.equal(classify({ duration: { minutes: n(30 * 60) } }).estimatesUsed, false);
  });

  test('costs only likely to exceed the threshold count as an estimate', () => {
    assert.equal(criterion(classify({ economic: { likelyToExceedThreshold: true } }), 'economic').estimate, true);
  });
});

describe('DoraClassificationInputSchema', () => {
  test('accepts a request body and rejects what it cannot classify', () => {
    const body = {
      criticalServices: { criticalOrImportantFunctions: true },
      clients: { affected: { value: 120_000, estimate: true } },
      duration: { occurredAt: '2025-03-03T08:00:00Z', resolvedAt: '2025-03-04T09:00:00Z' },
      memberStates: ['IE', 'FR'],
    };
    assert.equal(DoraClassificationInputSchema.safeParse(body).success, true);
    const reversed = { ...body, duration: { occurredAt: '2025-03-04T09:00:00Z', resolvedAt: '2025-03-03T08:00:00Z' } };
    assert.equal(DoraClassificationInputSchema.safeParse(reversed).success, false);
    assert.equal(DoraClassificationInputSchema.safeParse({ ...body, memberStates: ['ie'] }).success, false);
    assert.equal(DoraClassificationInputSchema.safeParse({ ...body, unknown: true }).success, false);
    assert.equal(
      DoraClassificationInputSchema.safeParse({ ...body, clients: { percent: { value: 101 } } }).success,
      false,
    );
  });
});

describe('assessRecurring (Art 8(2))', () => {
  const AT = new Date('2025-07-15T00:00:00Z');

  function incident(id: string, rootCause: string, occurredAt: string, changes: Partial<DoraClassificationInput>) {
    return { id, rootCause, occurredAt, input: { ...CIF_AFFECTED, ...changes } } satisfies RecurringIncident;
  }

  const incidents: RecurringIncident[] = [
    incident('inc-1', 'dns-misconfiguration', '2025-01-15T00:00:00Z', {
      clients: { affected: n(60_000) },
      memberStates: ['IE'],
      duration: { minutes: n(300) },
    }),
    incident('inc-2', 'dns-misconfiguration', '2025-06-01T10:00:00+01:00', {
      clients: { affected: { value: 50_000, estimate: true } },
      memberStates: ['FR'],
      duration: { minutes: n(600) },
    }),
    incident('inc-0', 'dns-misconfiguration', '2025-01-14T23:59:59Z', { clients: { affected: n(90_000) } }),
    incident('inc-3', 'certificate-expiry', '2025-03-01T00:00:00Z', { economic: { costsAndLossesEur: n(40_000) } }),
    incident('inc-4', 'certificate-expiry', '2025-04-01T00:00:00Z', { economic: { costsAndLossesEur: n(50_000) } }),
    incident('inc-5', 'disk-full', '2025-05-01T00:00:00Z', { cifDowntimeMinutes: n(500) }),
    incident('inc-6', 'dns-misconfiguration', '2025-05-01T00:00:00Z', {
      clients: { affected: n(200_000) },
      memberStates: ['DE', 'NL'],
    }),
  ];

  test('groups non-major incidents by root cause within six months and assesses them together', () => {
    const assessment = assessRecurring(incidents, AT);
    assert.equal(assessment.at, '2025-07-15T00:00:00Z');
    assert.equal(assessment.windowStart, '2025-01-15T00:00:00Z');
    assert.deepEqual(assessment.individuallyMajor, ['inc-6']);
    assert.deepEqual(
      assessment.groups.map((group) => [group.rootCause, group.incidentIds, group.major]),
      [
        ['certificate-expiry', ['inc-3', 'inc-4'], false],
        ['dns-misconfiguration', ['inc-1', 'inc-2'], true],
      ],
    );
  });

  test('sums clients, keeps the longest duration and unites Member States', () => {
    const dns = assessRecurring(incidents, AT).groups.find((group) => group.rootCause === 'dns-misconfiguration');
    assert.ok(dns);
    assert.deepEqual(dns.collectiveInput.clients?.affected, { value: 110_000, estimate: true });
    assert.deepEqual(dns.collectiveInput.duration?.minutes, { value: 600 });
    assert.deepEqual(dns.collectiveInput.memberStates, ['FR', 'IE']);
    assert.equal(dns.classification.criteriaMetCount, 2);
    assert.equal(dns.classification.estimatesUsed, true);
    assert.equal(dns.firstOccurredAt, '2025-01-15T00:00:00Z');
    assert.equal(dns.lastOccurredAt, '2025-06-01T09:00:00Z');
  });

  test('sums costs: EUR 90,000 in total is not above the threshold', () => {
    const certificates = assessRecurring(incidents, AT).groups.find(
      (group) => group.rootCause === 'certificate-expiry',
    );
    assert.ok(certificates);
    assert.ok(
      criterion(certificates.classification, 'economic').reasons.includes(
        'Costs and losses of EUR 90,000, not above EUR 100,000',
      ),
    );
  });

  test('an incident alone is no group, and later incidents are outside the window', () => {
    const assessment = assessRecurring(incidents, new Date('2025-01-14T23:59:59Z'));
    assert.deepEqual(assessment.groups, []);
    assert.equal(assessment.windowStart, '2024-07-14T23:59:59Z');
  });
});

describe('classifyDoraIncident: monotonicity', () => {
  const measureOf = (max: number) =>
    fc.option(fc.record({ value: fc.integer({ min: 0, max }), estimate: fc.boolean() }), { nil: undefined });
  const flag = fc.option(fc.boolean(), { nil: undefined });
  const delta = fc.integer({ min: 0, max: 200_000 });

  const inputs = fc.record({
    criticalServices: fc.record({
      criticalOrImportantFunctions: flag,
      authorisedFinancialServices: flag,
      maliciousUnauthorisedAccess: flag,
    }),
    clients: fc.record({
      affected: measureOf(200_000),
      total: fc.option(fc.record({ value: fc.integer({ min: 1, max: 2_000_000 }) }), { nil: undefined }),
      percent: measureOf(100),
    }),
    counterparts: fc.record({ percent: measureOf(100) }),
    transactions: fc.record({
      affectedNumber: measureOf(100_000),
      dailyAverageNumber: fc.option(fc.record({ value: fc.integer({ min: 1, max: 1_000_000 }) }), { nil: undefined }),
      percentByValue: measureOf(100),
    }),
    relevantClientsOrCounterpartsAffected: flag,
    reputational: fc.record({ mediaCoverage: flag, repeatedComplaints: flag }),
    duration: fc.record({ minutes: measureOf(3_000) }),
    cifDowntimeMinutes: measureOf(300),
    memberStates: fc.subarray(['IE', 'FR', 'DE', 'GB']),
    dataImpact: fc.record({
      integrity: flag,
      adverseEffectOnBusinessOrCompliance: flag,
      maliciousAccessMayLeadToDataLoss: flag,
    }),
    economic: fc.record({ costsAndLossesEur: measureOf(200_000), likelyToExceedThreshold: flag }),
  });

  type Raise = { readonly by: number; readonly flag: boolean; readonly state: 'IE' | 'FR' | 'DE' | undefined };

  function raise(input: DoraClassificationInput, { by, flag: set, state }: Raise): DoraClassificationInput {
    const up = (figure: Measure | undefined, cap = Number.POSITIVE_INFINITY): Measure | undefined =>
      figure === undefined ? undefined : { ...figure, value: Math.min(cap, figure.value + by) };
    const on = (value: boolean | undefined): boolean | undefined => (set ? true : value);
    return {
      criticalServices: {
        ...input.criticalServices,
        authorisedFinancialServices: on(input.criticalServices.authorisedFinancialServices),
      },
      clients: { ...input.clients, affected: up(input.clients?.affected), percent: up(input.clients?.percent, 100) },
      counterparts: { percent: up(input.counterparts?.percent, 100) },
      transactions: {
        ...input.transactions,
        affectedNumber: up(input.transactions?.affectedNumber),
        percentByValue: up(input.transactions?.percentByValue),
      },
      relevantClientsOrCounterpartsAffected: on(input.relevantClientsOrCounterpartsAffected),
      reputational: { ...input.reputational, repeatedComplaints: on(input.reputational?.repeatedComplaints) },
      duration: { minutes: up(input.duration?.minutes) },
      cifDowntimeMinutes: up(input.cifDowntimeMinutes),
      memberStates: state === undefined ? input.memberStates : [...(input.memberStates ?? []), state],
      dataImpact: { ...input.dataImpact, integrity: on(input.dataImpact?.integrity) },
      economic: { ...input.economic, costsAndLossesEur: up(input.economic?.costsAndLossesEur) },
    };
  }

  test('raising any figure or setting any flag never turns a major incident into a non-major one', () => {
    fc.assert(
      fc.property(
        inputs,
        fc.record({ by: delta, flag: fc.boolean(), state: fc.constantFrom('IE', 'FR', 'DE', undefined) }),
        (input, change) => {
          const before = classifyDoraIncident(input);
          const after = classifyDoraIncident(raise(input, change));
          if (before.major) assert.equal(after.major, true);
          assert.ok(after.criteriaMetCount >= before.criteriaMetCount);
          for (const result of before.criteria) {
            if (result.met) assert.equal(criterion(after, result.criterion).met, true, result.criterion);
          }
        },
      ),
    );
  });

  test('every generated input is a valid request body and classifies without NaN', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        assert.equal(DoraClassificationInputSchema.safeParse(input).success, true);
        const result = classifyDoraIncident(input);
        for (const reason of result.criteria.flatMap((entry) => entry.reasons)) assert.doesNotMatch(reason, /NaN/);
      }),
    );
  });
});
