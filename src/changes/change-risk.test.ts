import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  assessChangeRisk,
  type ChangedService,
  type ChangeRiskInput,
  DEFAULT_RISK_POLICY,
  type RiskPolicy,
} from './change-risk.js';
import { CHANGE_TYPES, RISK_LEVELS, type RiskAssessment, type RiskFactor } from './types.js';

const QUIET: ChangedService = {
  name: 'staff-directory',
  tier: 4,
  importantBusinessServices: [],
  regulatoryScope: [],
  dependants: [],
};

const GATEWAY: ChangedService = {
  name: 'card-payments-gateway',
  tier: 1,
  importantBusinessServices: ['card payments'],
  regulatoryScope: ['dora', 'pci-dss'],
  dependants: ['checkout', 'refunds', 'settlement', 'fraud-scoring'],
};

/** Tuesday 9 June 2026, 10:00–11:00 in London (BST). */
const TUESDAY_MORNING = { start: '2026-06-09T09:00:00Z', end: '2026-06-09T10:00:00Z' };
/** Saturday 6 June 2026, 02:00–03:00 in London (BST). */
const SATURDAY_NIGHT = { start: '2026-06-06T01:00:00Z', end: '2026-06-06T02:00:00Z' };

/** A normal change to a quiet service in business hours with a healthy record: every factor scores nothing. */
function change(overrides: Partial<ChangeRiskInput> = {}): ChangeRiskInput {
  return {
    type: 'normal',
    template: undefined,
    services: [QUIET],
    changeFailureRate: 0.05,
    errorBudgetRemaining: 0.8,
    plannedWindow: TUESDAY_MORNING,
    timeZone: 'Europe/London',
    freezeWindows: [],
    ...overrides,
  };
}

function factor(assessment: RiskAssessment, name: RiskFactor['factor']): RiskFactor {
  const found = assessment.factors.find((candidate) => candidate.factor === name);
  assert.ok(found, `no ${name} factor`);
  return found;
}

function scored(
  overrides: Partial<ChangeRiskInput>,
  name: RiskFactor['factor'],
  policy: RiskPolicy = DEFAULT_RISK_POLICY,
): RiskFactor {
  return factor(assessChangeRisk(change(overrides), policy), name);
}

describe('assessChangeRisk', () => {
  test('a quiet normal change scores nothing and explains every factor', () => {
    const assessment = assessChangeRisk(change());
    assert.equal(assessment.score, 0);
    assert.equal(assessment.level, 'low');
    assert.deepEqual(
      assessment.factors.map((entry) => [entry.factor, entry.points]),
      [
        ['tier', 0],
        ['important-business-services', 0],
        ['regulatory-scope', 0],
        ['blast-radius', 0],
        ['change-failure-rate', 0],
        ['error-budget', 0],
        ['timing', 0],
        ['change-type', 0],
      ],
    );
    assert.equal(factor(assessment, 'regulatory-scope').explanation, 'in no regulatory scope: +0');
    assert.equal(factor(assessment, 'blast-radius').explanation, 'no service depends on it: +0');
  });

  test('tier: the most critical changed service scores', () => {
    assert.deepEqual(scored({ services: [GATEWAY] }, 'tier'), {
      factor: 'tier',
      points: 3,
      explanation: 'tier 1 service card-payments-gateway: +3',
    });
    const both = scored(
      {
        services: [
          { ...QUIET, tier: 3 },
          { ...QUIET, name: 'ledger-api', tier: 2 },
        ],
      },
      'tier',
    );
    assert.equal(both.points, 2);
    assert.equal(both.explanation, 'tier 2 service ledger-api (the most critical of 2 changed services): +2');
  });

  test('important business services: points each, capped', () => {
    const one = scored({ services: [GATEWAY] }, 'important-business-services');
    assert.equal(one.points, 2);
    assert.equal(one.explanation, 'supports 1 important business service (card payments), +2 each: +2');
    const many = scored(
      {
        services: [
          { ...QUIET, importantBusinessServices: ['card payments', 'faster payments'] },
          { ...QUIET, name: 'ledger-api', importantBusinessServices: ['card payments', 'mortgages'] },
        ],
      },
      'important-business-services',
    );
    assert.equal(many.points, 4);
    assert.equal(
      many.explanation,
      'supports 3 important business services (card payments, faster payments, mortgages), +2 each, capped at +4: +4',
    );
  });

  test('regulatory scope: each regime scores, unknown regimes are not free, the total is capped', () => {
    const gateway = scored({ services: [GATEWAY] }, 'regulatory-scope');
    assert.equal(gateway.points, 3);
    assert.equal(gateway.explanation, 'in regulatory scope dora +2, pci-dss +2, capped at +3: +3');
    const other = scored({ services: [{ ...QUIET, regulatoryScope: ['SOX', 'mifid'] }] }, 'regulatory-scope');
    assert.equal(other.points, 2);
    assert.equal(other.explanation, 'in regulatory scope sox +1, mifid +1 (a regime the policy does not name): +2');
    // A key of Object.prototype is a regime the policy does not name, not a function.
    assert.equal(scored({ services: [{ ...QUIET, regulatoryScope: ['constructor'] }] }, 'regulatory-scope').points, 1);
  });

  test('blast radius: distinct transitive dependants by threshold', () => {
    assert.deepEqual(scored({ services: [GATEWAY] }, 'blast-radius'), {
      factor: 'blast-radius',
      points: 2,
      explanation: '4 services depend on it (checkout, refunds, settlement, fraud-scoring): +2',
    });
    const one = scored({ services: [{ ...QUIET, dependants: ['intranet'] }] }, 'blast-radius');
    assert.equal(one.explanation, '1 service depends on it (intranet): +1');
    const shared = scored(
      {
        services: [
          { ...QUIET, dependants: ['a', 'b', 'c', 'd', 'e', 'f'] },
          { ...QUIET, name: 'other', dependants: ['f', 'g', 'h', 'i', 'j'] },
        ],
      },
      'blast-radius',
    );
    assert.equal(shared.points, 3);
    assert.equal(shared.explanation, '10 services depend on them (a, b, c, d, e and 5 more): +3');
  });

  test('change failure rate: bands, and unknown scores', () => {
    assert.deepEqual(scored({ changeFailureRate: 0.22 }, 'change-failure-rate'), {
      factor: 'change-failure-rate',
      points: 1,
      explanation: 'recent change failure rate 22 % (the worst of the changed services): +1',
    });
    assert.equal(scored({ changeFailureRate: 0.3 }, 'change-failure-rate').points, 2);
    assert.equal(scored({ changeFailureRate: 0.6 }, 'change-failure-rate').points, 3);
    const unknown = scored({ changeFailureRate: undefined }, 'change-failure-rate');
    assert.equal(unknown.points, 1);
    assert.equal(unknown.explanation, 'no recent change failure rate is known, so it cannot be shown to be low: +1');
  });

  test('error budget: bands, exhaustion and no data', () => {
    assert.equal(
      scored({ errorBudgetRemaining: 0.8 }, 'error-budget').explanation,
      '80 % of the error budget remaining (the lowest across their SLOs): +0',
    );
    assert.equal(scored({ errorBudgetRemaining: 0.4 }, 'error-budget').points, 1);
    assert.equal(
      scored({ errorBudgetRemaining: 0.125 }, 'error-budget').explanation,
      '12.5 % of the error budget remaining (the lowest across their SLOs): +2',
    );
    assert.deepEqual(scored({ errorBudgetRemaining: -0.1 }, 'error-budget'), {
      factor: 'error-budget',
      points: 4,
      explanation: 'error budget exhausted (-10 % remaining, the lowest across their SLOs): +4',
    });
    assert.equal(scored({ errorBudgetRemaining: 0 }, 'error-budget').points, 4);
    assert.equal(
      scored({ errorBudgetRemaining: undefined }, 'error-budget').explanation,
      'no error budget data for the changed services: +1',
    );
  });

  test('timing: out of business hours in the organisation’s time zone', () => {
    assert.deepEqual(scored({ plannedWindow: SATURDAY_NIGHT }, 'timing'), {
      factor: 'timing',
      points: 1,
      explanation:
        'planned 02:00–03:00 Europe/London on Saturday 6 June 2026, out of business hours (Monday to Friday 09:00–17:30): +1',
    });
    assert.equal(
      scored({}, 'timing').explanation,
      'planned 10:00–11:00 Europe/London on Tuesday 9 June 2026, within business hours (Monday to Friday 09:00–17:30): +0',
    );
    // 17:00–18:00 runs past the close.
    const late = scored({ plannedWindow: { start: '2026-06-09T16:00:00Z', end: '2026-06-09T17:00:00Z' } }, 'timing');
    assert.equal(late.points, 1);
    const overnight = scored(
      { plannedWindow: { start: '2026-06-09T21:00:00Z', end: '2026-06-10T01:00:00Z' }, timeZone: 'Europe/Dublin' },
      'timing',
    );
    assert.equal(
      overnight.explanation,
      'planned Tuesday 9 June 2026 22:00 to Wednesday 10 June 2026 02:00 Europe/Dublin, out of business hours (Monday to Friday 09:00–17:30): +1',
    );
  });

  test('timing: a holiday in the policy is out of business hours', () => {
    const policy = {
      ...DEFAULT_RISK_POLICY,
      timing: {
        ...DEFAULT_RISK_POLICY.timing,
        businessHours: { ...DEFAULT_RISK_POLICY.timing.businessHours, holidays: ['2026-06-09'] },
      },
    } satisfies RiskPolicy;
    const holiday = scored({}, 'timing', policy);
    assert.equal(holiday.points, 1);
    assert.match(holiday.explanation, /out of business hours \(a holiday\)/);
  });

  test('timing: no planned window scores', () => {
    assert.deepEqual(scored({ plannedWindow: undefined }, 'timing'), {
      factor: 'timing',
      points: 1,
      explanation: 'no planned window, so business hours and freeze windows cannot be checked: +1',
    });
  });

  test('timing: a freeze overlapping the window, or near it', () => {
    const overlap = scored(
      { freezeWindows: [{ name: 'month-end', start: '2026-06-09T09:30:00Z', end: '2026-06-09T18:00:00Z' }] },
      'timing',
    );
    assert.equal(overlap.points, 4);
    assert.match(
      overlap.explanation,
      /; overlaps freeze window month-end \(10:30–19:00 Europe\/London on Tuesday 9 June 2026\): \+4$/,
    );
    const near = scored(
      { freezeWindows: [{ name: 'month-end', start: '2026-06-09T13:00:00Z', end: '2026-06-09T18:00:00Z' }] },
      'timing',
    );
    assert.equal(near.points, 1);
    assert.match(
      near.explanation,
      /; within 24 hours of a freeze: 3 hours before freeze window month-end \(14:00–19:00 Europe\/London on Tuesday 9 June 2026\) begins: \+1$/,
    );
    const after = scored(
      { freezeWindows: [{ name: 'release-train', start: '2026-06-08T20:00:00Z', end: '2026-06-09T08:30:00Z' }] },
      'timing',
    );
    assert.match(after.explanation, /30 minutes after freeze window release-train .* ends: \+1$/);
    const far = scored(
      { freezeWindows: [{ name: 'year-end', start: '2026-12-18T18:00:00Z', end: '2027-01-04T08:00:00Z' }] },
      'timing',
    );
    assert.equal(far.points, 0);
    assert.doesNotMatch(far.explanation, /year-end/);
  });

  test('change type: an emergency change scores', () => {
    assert.deepEqual(scored({ type: 'emergency' }, 'change-type'), {
      factor: 'change-type',
      points: 2,
      explanation: 'emergency change, with shortened review and testing: +2',
    });
  });

  test('levels follow the policy thresholds: a worked example on the card payments gateway', () => {
    const assessment = assessChangeRisk(
      change({ services: [GATEWAY], changeFailureRate: 0.22, plannedWindow: SATURDAY_NIGHT }),
    );
    // tier +3, one important business service +2, scope capped +3, 4 dependants +2, failure rate +1, timing +1.
    assert.equal(assessment.score, 12);
    assert.equal(assessment.level, 'high');
    assert.equal(
      assessChangeRisk(change({ services: [GATEWAY], changeFailureRate: 0.22, type: 'emergency' })).level,
      'critical',
    );
    assert.equal(
      assessChangeRisk(change({ services: [{ ...QUIET, tier: 1 }], changeFailureRate: undefined })).level,
      'medium',
    );
  });

  test('a standard change from a template is held at low unless a critical condition applies', () => {
    const routine = assessChangeRisk(
      change({
        type: 'standard',
        template: 'rotate-tls-certificate',
        services: [GATEWAY],
        plannedWindow: SATURDAY_NIGHT,
      }),
    );
    assert.equal(routine.score, 11);
    assert.equal(routine.level, 'low');
    assert.equal(
      factor(routine, 'change-type').explanation,
      'standard change following pre-approved template rotate-tls-certificate: +0; level held at low by the template',
    );

    const exhausted = assessChangeRisk(
      change({ type: 'standard', template: 'rotate-tls-certificate', services: [GATEWAY], errorBudgetRemaining: 0 }),
    );
    assert.equal(exhausted.score, 14);
    assert.equal(exhausted.level, 'critical');
    assert.equal(
      factor(exhausted, 'change-type').explanation,
      'standard change following pre-approved template rotate-tls-certificate: +0; not held at low because the error budget is exhausted, so the level follows the score',
    );

    const frozen = assessChangeRisk(
      change({
        type: 'standard',
        template: 'rotate-tls-certificate',
        freezeWindows: [{ name: 'month-end', start: '2026-06-09T00:00:00Z', end: '2026-06-10T00:00:00Z' }],
      }),
    );
    assert.equal(frozen.level, 'medium');
    assert.match(factor(frozen, 'change-type').explanation, /because the planned window overlaps a freeze/);
  });

  test('a standard change without a template is assessed as a normal change', () => {
    const assessment = assessChangeRisk(change({ type: 'standard', template: undefined, services: [GATEWAY] }));
    assert.equal(assessment.level, 'high');
    assert.equal(
      factor(assessment, 'change-type').explanation,
      'standard change with no pre-approved template, so assessed as a normal change: +0',
    );
  });

  test('a replaced policy changes the scoring', () => {
    const strict = { ...DEFAULT_RISK_POLICY, levels: { medium: 1, high: 2, critical: 3 } } satisfies RiskPolicy;
    assert.equal(assessChangeRisk(change({ services: [GATEWAY] }), strict).level, 'critical');
  });

  test('an unreadable time is a programming error', () => {
    assert.throws(
      () => assessChangeRisk(change({ plannedWindow: { start: 'soon', end: '2026-06-09T10:00:00Z' } })),
      RangeError,
    );
  });
});

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
const SCOPES = ['dora', 'pci-dss', 'sox', 'gdpr', 'mifid'];
const FROM = Date.parse('2026-01-01T00:00:00Z');
const TO = Date.parse('2027-01-01T00:00:00Z');

const span = fc
  .tuple(fc.integer({ min: FROM, max: TO }), fc.integer({ min: 0, max: 48 * 3_600_000 }))
  .map(([start, length]) => ({
    start: new Date(start).toISOString(),
    end: new Date(start + length).toISOString(),
  }));

const service: fc.Arbitrary<ChangedService> = fc.record({
  name: fc.constantFrom(...NAMES),
  tier: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
  importantBusinessServices: fc.subarray(['card payments', 'mortgages', 'savings']),
  regulatoryScope: fc.subarray(SCOPES),
  dependants: fc.subarray(NAMES),
});

const riskInput: fc.Arbitrary<ChangeRiskInput> = fc.record({
  type: fc.constantFrom(...CHANGE_TYPES),
  template: fc.option(fc.constant('template'), { nil: undefined }),
  services: fc.array(service, { minLength: 1, maxLength: 3 }),
  changeFailureRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  errorBudgetRemaining: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined }),
  plannedWindow: fc.option(span, { nil: undefined }),
  timeZone: fc.constantFrom('Europe/London', 'Europe/Dublin', 'Europe/Paris', 'UTC'),
  freezeWindows: fc.array(
    span.map((window) => ({ name: 'freeze', ...window })),
    { maxLength: 2 },
  ),
});

function rank(assessment: RiskAssessment): number {
  return RISK_LEVELS.indexOf(assessment.level);
}

describe('assessChangeRisk monotonicity', () => {
  test('adding a dependant never lowers the score or the level', () => {
    fc.assert(
      fc.property(riskInput, fc.nat(), fc.string({ minLength: 1, maxLength: 8 }), (input, index, dependant) => {
        const at = index % input.services.length;
        const services = input.services.map((entry, position) =>
          position === at ? { ...entry, dependants: [...entry.dependants, dependant] } : entry,
        );
        const before = assessChangeRisk(input);
        const after = assessChangeRisk({ ...input, services });
        assert.ok(after.score >= before.score, `${after.score} < ${before.score}`);
        assert.ok(rank(after) >= rank(before), `${after.level} < ${before.level}`);
      }),
    );
  });

  test('lowering the error budget never lowers the score or the level', () => {
    fc.assert(
      fc.property(
        riskInput,
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (input, budget, drop) => {
          const before = assessChangeRisk({ ...input, errorBudgetRemaining: budget });
          const after = assessChangeRisk({ ...input, errorBudgetRemaining: budget - drop });
          assert.ok(after.score >= before.score, `${after.score} < ${before.score}`);
          assert.ok(rank(after) >= rank(before), `${after.level} < ${before.level}`);
        },
      ),
    );
  });

  test('the score is the sum of one explained factor of each kind', () => {
    fc.assert(
      fc.property(riskInput, (input) => {
        const assessment = assessChangeRisk(input);
        assert.equal(
          assessment.score,
          assessment.factors.reduce((sum, entry) => sum + entry.points, 0),
        );
        assert.equal(assessment.factors.length, 8);
      }),
    );
  });
});
