import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_GATE_POLICY, decideGate, type GateChange, type GateInput, type GatePolicy } from './gate-decision.js';
import { CHANGE_STATUSES, CHANGE_TYPES, type GateDecision, type GateVerdict } from './types.js';

const AT = '2026-06-09T10:00:00Z';

const APPROVED: GateChange = {
  id: 'CHG-42',
  type: 'normal',
  status: 'approved',
  approvals: { satisfied: true, missing: [] },
  plannedWindow: { start: '2026-06-09T09:00:00Z', end: '2026-06-09T11:00:00Z' },
  retrospectiveApprovalDue: undefined,
};

/** An emergency change started at 09:30 without approval. */
const EMERGENCY: GateChange = {
  id: 'CHG-43',
  type: 'emergency',
  status: 'implementing',
  approvals: { satisfied: false, missing: ['2 more approvals (0 of 2 given)'] },
  plannedWindow: undefined,
  retrospectiveApprovalDue: '2026-06-11T09:30:00Z',
};

const FREEZE = { name: 'month-end', reason: 'month-end settlement run', end: '2026-06-09T18:00:00Z' };

/** An approved normal change to a tier 1 service, inside its window, with a healthy budget and no incidents. */
function gate(overrides: Partial<GateInput> = {}): GateInput {
  return {
    at: AT,
    timeZone: 'Europe/London',
    service: { name: 'card-payments-gateway', tier: 1 },
    change: APPROVED,
    freezes: [],
    budget: { remaining: 0.8, slo: 'availability' },
    incidents: [],
    ...overrides,
  };
}

function codes(verdict: GateVerdict): Array<[string, GateDecision]> {
  return verdict.reasons.map((reason) => [reason.code, reason.effect]);
}

function message(verdict: GateVerdict, code: string): string {
  const reason = verdict.reasons.find((candidate) => candidate.code === code);
  assert.ok(reason, `no ${code} reason in ${JSON.stringify(verdict.reasons)}`);
  return reason.message;
}

describe('decideGate', () => {
  test('allows an approved change inside its window, saying why', () => {
    const verdict = decideGate(gate());
    assert.equal(verdict.decision, 'allow');
    assert.deepEqual(verdict.reasons, [
      { code: 'approved', effect: 'allow', message: 'change CHG-42 is approved and has every approval it needs' },
      {
        code: 'within-window',
        effect: 'allow',
        message:
          'change CHG-42 is within its planned window 9 June 2026 10:00 Europe/London to 9 June 2026 12:00 Europe/London',
      },
    ]);
  });

  describe('freeze', () => {
    test('a freeze in force denies', () => {
      const verdict = decideGate(gate({ freezes: [FREEZE] }));
      assert.equal(verdict.decision, 'deny');
      assert.deepEqual(verdict.reasons[0], {
        code: 'freeze',
        effect: 'deny',
        message:
          'freeze month-end (month-end settlement run) is in force on card-payments-gateway until 9 June 2026 19:00 Europe/London: only an emergency change may proceed',
      });
    });

    test('an emergency change goes through, with the freeze recorded', () => {
      const verdict = decideGate(gate({ freezes: [FREEZE], change: EMERGENCY }));
      assert.equal(verdict.decision, 'allow');
      assert.match(
        message(verdict, 'freeze'),
        /month-end settlement run.*; emergency change CHG-43 may proceed through it, and this is recorded$/,
      );
    });

    test('a deployment without a change is denied too', () => {
      const verdict = decideGate(
        gate({ freezes: [FREEZE], change: undefined, service: { name: 'intranet', tier: 4 } }),
      );
      assert.equal(verdict.decision, 'deny');
    });
  });

  describe('error budget', () => {
    test('an exhausted budget denies all but an emergency change', () => {
      const exhausted = gate({ budget: { remaining: -0.05, slo: 'latency' } });
      const verdict = decideGate(exhausted);
      assert.equal(verdict.decision, 'deny');
      assert.equal(
        message(verdict, 'budget-exhausted'),
        'the error budget of SLO latency on card-payments-gateway is exhausted (-5 % remaining): only an emergency change may proceed',
      );
      const emergency = decideGate({ ...exhausted, change: EMERGENCY });
      assert.equal(emergency.decision, 'allow');
      assert.deepEqual(codes(emergency)[0], ['budget-exhausted', 'allow']);
    });

    test('exactly no budget left is exhausted', () => {
      assert.equal(decideGate(gate({ budget: { remaining: 0, slo: 'latency' } })).decision, 'deny');
    });

    test('a low budget holds until the change has its extra approval', () => {
      const lacking: GateChange = {
        ...APPROVED,
        approvals: { satisfied: false, missing: ['1 more approval (2 of 3 given)'] },
      };
      const held = decideGate(gate({ budget: { remaining: 0.2, slo: 'availability' }, change: lacking }));
      assert.equal(held.decision, 'hold');
      assert.equal(
        message(held, 'budget-low'),
        '20 % of the error budget of SLO availability on card-payments-gateway remains, below 25 %: change CHG-42 needs the extra approval this calls for (still needed: 1 more approval (2 of 3 given))',
      );
      const granted = decideGate(gate({ budget: { remaining: 0.2, slo: 'availability' } }));
      assert.equal(granted.decision, 'allow');
      assert.match(message(granted, 'budget-low'), /; change CHG-42 has the extra approval this calls for$/);
    });

    test('a low budget holds a deployment without a change', () => {
      const verdict = decideGate(
        gate({
          change: undefined,
          service: { name: 'intranet', tier: 3 },
          budget: { remaining: 0.1, slo: 'availability' },
        }),
      );
      assert.equal(verdict.decision, 'hold');
      assert.match(message(verdict, 'budget-low'), /a deployment to intranet needs an approved change/);
    });

    test('no SLO data adds no budget rule', () => {
      assert.deepEqual(codes(decideGate(gate({ budget: undefined }))), [
        ['approved', 'allow'],
        ['within-window', 'allow'],
      ]);
    });
  });

  describe('open incidents', () => {
    test('an open SEV1 or SEV2 incident holds', () => {
      const verdict = decideGate(gate({ incidents: [{ id: 'INC-7', severity: 'SEV2' }] }));
      assert.equal(verdict.decision, 'hold');
      assert.equal(
        message(verdict, 'open-incident'),
        'an open incident on card-payments-gateway (SEV2 INC-7): other changes wait until it is resolved; an emergency change may proceed',
      );
    });

    test('SEV3 and SEV4 incidents do not hold', () => {
      const verdict = decideGate(
        gate({
          incidents: [
            { id: 'INC-8', severity: 'SEV3' },
            { id: 'INC-9', severity: 'SEV4' },
          ],
        }),
      );
      assert.equal(verdict.decision, 'allow');
    });

    test('an emergency change, the likely fix, is allowed', () => {
      const verdict = decideGate(gate({ incidents: [{ id: 'INC-7', severity: 'SEV1' }], change: EMERGENCY }));
      assert.equal(verdict.decision, 'allow');
      assert.match(message(verdict, 'open-incident'), /emergency change CHG-43, most likely the fix, may proceed$/);
    });
  });

  describe('approval', () => {
    test('a submitted change holds, awaiting approval', () => {
      const verdict = decideGate(
        gate({
          change: {
            ...APPROVED,
            status: 'submitted',
            approvals: { satisfied: false, missing: ['an approval from the change advisory board'] },
          },
        }),
      );
      assert.equal(verdict.decision, 'hold');
      assert.equal(
        message(verdict, 'awaiting-approval'),
        'change CHG-42 awaits approval (still needed: an approval from the change advisory board)',
      );
    });

    test('a submitted emergency change holds until it is started', () => {
      const verdict = decideGate(gate({ change: { ...EMERGENCY, status: 'submitted' } }));
      assert.equal(verdict.decision, 'hold');
      assert.match(
        message(verdict, 'awaiting-approval'),
        /start it to deploy now, with approval given retrospectively$/,
      );
    });

    test('a draft or rejected change is denied', () => {
      const draft = decideGate(gate({ change: { ...APPROVED, status: 'draft' } }));
      assert.equal(draft.decision, 'deny');
      assert.equal(message(draft, 'not-approved'), 'change CHG-42 is a draft and has not been approved');
      const rejected = decideGate(gate({ change: { ...APPROVED, status: 'rejected' } }));
      assert.equal(rejected.decision, 'deny');
      assert.equal(message(rejected, 'not-approved'), 'change CHG-42 was rejected and may not be deployed');
    });

    test('an approved change whose approvals no longer suffice holds', () => {
      const verdict = decideGate(gate({ change: { ...APPROVED, approvals: { satisfied: false, missing: [] } } }));
      assert.equal(verdict.decision, 'hold');
      assert.equal(
        message(verdict, 'awaiting-approval'),
        'change CHG-42 is approved but does not have every approval it needs (still needed: not stated)',
      );
    });

    test('an emergency change implementing before approval is allowed, saying when approval is due', () => {
      const verdict = decideGate(gate({ change: EMERGENCY }));
      assert.equal(verdict.decision, 'allow');
      assert.deepEqual(verdict.reasons, [
        {
          code: 'emergency',
          effect: 'allow',
          message:
            'emergency change CHG-43 started before approval, as an emergency change may; retrospective approval is due by 11 June 2026 10:30 Europe/London (still needed: 2 more approvals (0 of 2 given))',
        },
      ]);
    });

    test('an emergency change past its retrospective deadline holds', () => {
      const verdict = decideGate(gate({ at: '2026-06-11T10:00:00Z', change: EMERGENCY }));
      assert.equal(verdict.decision, 'hold');
      assert.match(message(verdict, 'retrospective-overdue'), /was due by 11 June 2026 10:30 Europe\/London/);
    });

    test('an implemented, failed, rolled-back or reviewed change is denied as already implemented', () => {
      for (const [status, text] of [
        ['implemented', 'implemented'],
        ['failed', 'failed'],
        ['rolled-back', 'rolled back'],
        ['reviewed', 'reviewed'],
      ] as const) {
        const verdict = decideGate(gate({ change: { ...APPROVED, status } }));
        assert.equal(verdict.decision, 'deny', status);
        assert.equal(
          message(verdict, 'already-implemented'),
          `change CHG-42 has already been carried out (${text}); a further deployment needs a new change`,
        );
      }
    });
  });

  describe('planned window', () => {
    test('before the window holds', () => {
      const verdict = decideGate(gate({ at: '2026-06-09T08:00:00Z' }));
      assert.equal(verdict.decision, 'hold');
      assert.match(
        message(verdict, 'outside-window'),
        /^change CHG-42 is early: its planned window .* has not opened$/,
      );
    });

    test('at or after the end of the window denies', () => {
      const verdict = decideGate(gate({ at: '2026-06-09T11:00:00Z' }));
      assert.equal(verdict.decision, 'deny');
      assert.match(message(verdict, 'outside-window'), /has closed; plan a new window$/);
    });

    test('does not bind an emergency change', () => {
      const verdict = decideGate(
        gate({ at: '2026-06-09T12:00:00Z', change: { ...EMERGENCY, plannedWindow: APPROVED.plannedWindow } }),
      );
      assert.equal(verdict.decision, 'allow');
      assert.deepEqual(codes(verdict), [
        ['emergency', 'allow'],
        ['outside-window', 'allow'],
      ]);
    });
  });

  describe('without a change', () => {
    test('tiers 1 and 2 need an approved change', () => {
      for (const tier of [1, 2] as const) {
        const verdict = decideGate(gate({ change: undefined, service: { name: 'ledger-api', tier } }));
        assert.equal(verdict.decision, 'deny');
        assert.deepEqual(verdict.reasons, [
          {
            code: 'change-required',
            effect: 'deny',
            message: `tier ${tier} service ledger-api needs an approved change to deploy, and none was given`,
          },
        ]);
      }
    });

    test('tiers 3 and 4 pass on the other rules', () => {
      const verdict = decideGate(gate({ change: undefined, service: { name: 'intranet', tier: 3 } }));
      assert.equal(verdict.decision, 'allow');
      assert.deepEqual(verdict.reasons, [
        {
          code: 'change-not-required',
          effect: 'allow',
          message: 'tier 3 service intranet may deploy without a change, subject to the other rules',
        },
      ]);
      const incident = decideGate(
        gate({
          change: undefined,
          service: { name: 'intranet', tier: 4 },
          incidents: [{ id: 'INC-1', severity: 'SEV1' }],
        }),
      );
      assert.equal(incident.decision, 'hold');
    });
  });

  describe('precedence', () => {
    test('any deny denies, and every rule that applied is reported', () => {
      const verdict = decideGate(
        gate({
          freezes: [FREEZE],
          budget: { remaining: 0.1, slo: 'availability' },
          incidents: [{ id: 'INC-7', severity: 'SEV1' }],
          change: { ...APPROVED, status: 'submitted', approvals: { satisfied: false, missing: ['1 more approval'] } },
        }),
      );
      assert.equal(verdict.decision, 'deny');
      assert.deepEqual(codes(verdict), [
        ['freeze', 'deny'],
        ['budget-low', 'hold'],
        ['open-incident', 'hold'],
        ['awaiting-approval', 'hold'],
        ['within-window', 'allow'],
      ]);
    });

    test('otherwise any hold holds', () => {
      const verdict = decideGate(gate({ incidents: [{ id: 'INC-7', severity: 'SEV1' }] }));
      assert.equal(verdict.decision, 'hold');
      assert.deepEqual(codes(verdict), [
        ['open-incident', 'hold'],
        ['approved', 'allow'],
        ['within-window', 'allow'],
      ]);
    });

    test('an emergency change passes freeze, exhausted budget and incident together', () => {
      const verdict = decideGate(
        gate({
          freezes: [FREEZE],
          budget: { remaining: -1, slo: 'availability' },
          incidents: [{ id: 'INC-7', severity: 'SEV1' }],
          change: EMERGENCY,
        }),
      );
      assert.equal(verdict.decision, 'allow');
      assert.deepEqual(codes(verdict), [
        ['freeze', 'allow'],
        ['budget-exhausted', 'allow'],
        ['open-incident', 'allow'],
        ['emergency', 'allow'],
      ]);
    });
  });

  test('a replaced policy is used', () => {
    const policy = {
      ...DEFAULT_GATE_POLICY,
      freeze: { effect: 'hold', emergencyAllowed: false },
      changeRequiredForTiers: [1],
    } satisfies GatePolicy;
    const frozen = decideGate(gate({ freezes: [FREEZE], change: EMERGENCY }), policy);
    assert.equal(frozen.decision, 'hold');
    assert.match(message(frozen, 'freeze'), /: no change may proceed$/);
    assert.equal(
      decideGate(gate({ change: undefined, service: { name: 'ledger-api', tier: 2 } }), policy).decision,
      'allow',
    );
  });
});

const AT_MS = Date.parse(AT);
const HOUR = 3_600_000;

const isoNear = fc.integer({ min: -72, max: 72 }).map((hours) => new Date(AT_MS + hours * HOUR).toISOString());

const change: fc.Arbitrary<GateChange> = fc.record({
  id: fc.constant('CHG-1'),
  type: fc.constantFrom(...CHANGE_TYPES),
  status: fc.constantFrom(...CHANGE_STATUSES),
  approvals: fc.record({ satisfied: fc.boolean(), missing: fc.constant(['1 more approval']) }),
  plannedWindow: fc.option(
    fc.tuple(fc.integer({ min: -48, max: 48 }), fc.integer({ min: 1, max: 24 })).map(([start, length]) => ({
      start: new Date(AT_MS + start * HOUR).toISOString(),
      end: new Date(AT_MS + (start + length) * HOUR).toISOString(),
    })),
    { nil: undefined },
  ),
  retrospectiveApprovalDue: fc.option(isoNear, { nil: undefined }),
});

const gateInput: fc.Arbitrary<GateInput> = fc.record({
  at: fc.constant(AT),
  timeZone: fc.constantFrom('Europe/London', 'UTC'),
  service: fc.record({
    name: fc.constant('svc'),
    tier: fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
  }),
  change: fc.option(change, { nil: undefined }),
  freezes: fc.array(fc.record({ name: fc.constant('f'), reason: fc.constant('r'), end: isoNear }), { maxLength: 2 }),
  budget: fc.option(fc.record({ remaining: fc.double({ min: -0.5, max: 1, noNaN: true }), slo: fc.constant('s') }), {
    nil: undefined,
  }),
  incidents: fc.array(
    fc.record({
      id: fc.constant('INC-1'),
      severity: fc.constantFrom('SEV1' as const, 'SEV2' as const, 'SEV3' as const, 'SEV4' as const),
    }),
    {
      maxLength: 2,
    },
  ),
});

/** Each adds a condition whose effect is deny (or, for an emergency change, an exception the policy allows). */
const denyConditions: ReadonlyArray<[string, (input: GateInput) => GateInput]> = [
  ['a freeze', (input) => ({ ...input, freezes: [...input.freezes, FREEZE] })],
  ['an exhausted budget', (input) => ({ ...input, budget: { remaining: -0.1, slo: input.budget?.slo ?? 's' } })],
  ['a rejected change', (input) => withChange(input, { status: 'rejected' })],
  ['a draft change', (input) => withChange(input, { status: 'draft' })],
  ['an implemented change', (input) => withChange(input, { status: 'implemented' })],
  [
    'a closed window',
    (input) =>
      withChange(input, {
        plannedWindow: { start: new Date(AT_MS - 3 * HOUR).toISOString(), end: new Date(AT_MS - HOUR).toISOString() },
      }),
  ],
];

function withChange(input: GateInput, overrides: Partial<GateChange>): GateInput {
  return input.change === undefined ? input : { ...input, change: { ...input.change, ...overrides } };
}

const RANK = { allow: 0, hold: 1, deny: 2 } as const satisfies Record<GateDecision, number>;

describe('decideGate properties', () => {
  test('adding a deny-effect condition never turns deny into allow, nor loosens any verdict', () => {
    fc.assert(
      fc.property(gateInput, fc.constantFrom(...denyConditions), (input, [name, add]) => {
        const before = decideGate(input).decision;
        const after = decideGate(add(input)).decision;
        if (before === 'deny') assert.equal(after, 'deny', name);
        assert.ok(RANK[after] >= RANK[before], `${name}: ${before} became ${after}`);
      }),
      { numRuns: 500 },
    );
  });

  test('the decision is the strictest effect among the reasons, and there is always a reason', () => {
    fc.assert(
      fc.property(gateInput, (input) => {
        const verdict = decideGate(input);
        assert.ok(verdict.reasons.length > 0);
        const strictest = Math.max(...verdict.reasons.map((reason) => RANK[reason.effect]));
        assert.equal(RANK[verdict.decision], strictest);
      }),
    );
  });
});
