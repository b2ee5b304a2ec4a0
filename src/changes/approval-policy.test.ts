import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ApprovalPolicy,
  approvalState,
  DEFAULT_APPROVAL_POLICY,
  requiredApprovals,
  retrospectiveDeadline,
  segregationOfDuties,
} from './approval-policy.js';
import type { ApprovalRecord, ApprovalRequirement } from './types.js';

const HASH = 'sha256:current';
const OWNERS = ['payments'];

function approval(approver: string, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approver,
    teams: [],
    asBoard: false,
    at: '2026-06-09T09:00:00Z',
    contentHash: HASH,
    comment: undefined,
    ...overrides,
  };
}

const owner = (approver: string): ApprovalRecord => approval(approver, { teams: ['payments'] });
const board = (approver: string): ApprovalRecord => approval(approver, { asBoard: true, teams: ['cab'] });

describe('requiredApprovals', () => {
  test('maps each risk level of a normal change', () => {
    assert.deepEqual(requiredApprovals('normal', 'low', 0.9), { approvals: 1, fromOwningTeam: false, board: false });
    assert.deepEqual(requiredApprovals('normal', 'medium', 0.9), { approvals: 1, fromOwningTeam: true, board: false });
    assert.deepEqual(requiredApprovals('normal', 'high', 0.9), { approvals: 2, fromOwningTeam: true, board: false });
    assert.deepEqual(requiredApprovals('normal', 'critical', 0.9), { approvals: 2, fromOwningTeam: true, board: true });
  });

  test('a standard change needs none while its template holds it at low', () => {
    assert.deepEqual(requiredApprovals('standard', 'low', 0.9), { approvals: 0, fromOwningTeam: false, board: false });
    assert.deepEqual(requiredApprovals('standard', 'low', undefined), {
      approvals: 0,
      fromOwningTeam: false,
      board: false,
    });
  });

  test('a standard change lifted above low needs what its level needs', () => {
    assert.deepEqual(requiredApprovals('standard', 'critical', 0.9), DEFAULT_APPROVAL_POLICY.byRisk.critical);
  });

  test('an emergency change needs what a normal change of its risk needs', () => {
    assert.deepEqual(requiredApprovals('emergency', 'high', 0.9), requiredApprovals('normal', 'high', 0.9));
  });

  test('below 25 % budget remaining, one extra approval, for every type', () => {
    assert.equal(requiredApprovals('normal', 'high', 0.2).approvals, 3);
    assert.equal(requiredApprovals('normal', 'high', 0.25).approvals, 2);
    assert.equal(requiredApprovals('normal', 'low', -0.5).approvals, 2);
    assert.equal(requiredApprovals('standard', 'low', 0.1).approvals, 1);
    assert.equal(requiredApprovals('emergency', 'medium', 0.1).approvals, 2);
    assert.equal(requiredApprovals('normal', 'low', undefined).approvals, 1);
  });

  test('a replaced policy is used', () => {
    const policy = {
      ...DEFAULT_APPROVAL_POLICY,
      extraApprovalsBelowBudget: { below: 0.5, extra: 2 },
    } satisfies ApprovalPolicy;
    assert.equal(requiredApprovals('normal', 'low', 0.4, policy).approvals, 3);
  });
});

describe('retrospectiveDeadline', () => {
  test('is two days after an emergency change starts, by default', () => {
    assert.equal(retrospectiveDeadline('2026-03-28T23:30:00Z'), '2026-03-30T23:30:00.000Z');
  });

  test('follows the policy', () => {
    const policy = { ...DEFAULT_APPROVAL_POLICY, emergencyRetrospectiveWithin: 4 * 3_600_000 };
    assert.equal(retrospectiveDeadline('2026-06-09T09:00:00+01:00', policy), '2026-06-09T12:00:00.000Z');
  });

  test('rejects an unreadable time', () => {
    assert.throws(() => retrospectiveDeadline('yesterday'), RangeError);
  });
});

describe('approvalState', () => {
  const low = DEFAULT_APPROVAL_POLICY.byRisk.low;
  const medium = DEFAULT_APPROVAL_POLICY.byRisk.medium;
  const high = DEFAULT_APPROVAL_POLICY.byRisk.high;
  const critical = DEFAULT_APPROVAL_POLICY.byRisk.critical;

  test('one approval meets a low-risk requirement', () => {
    assert.deepEqual(approvalState(low, [approval('user:bob')], HASH, OWNERS), {
      satisfied: true,
      counted: 1,
      voided: 0,
      missing: [],
    });
  });

  test('nothing given lists everything missing', () => {
    assert.deepEqual(approvalState(critical, [], HASH, OWNERS), {
      satisfied: false,
      counted: 0,
      voided: 0,
      missing: [
        'an approval from the change advisory board',
        '2 more approvals besides the board (0 of 2 given)',
        'an approval from a member of an owning team (payments)',
      ],
    });
  });

  test('medium risk needs its approval from an owning team', () => {
    const outsider = approvalState(medium, [approval('user:bob', { teams: ['platform'] })], HASH, OWNERS);
    assert.equal(outsider.satisfied, false);
    assert.deepEqual(outsider.missing, ['an approval from a member of an owning team (payments)']);
    assert.equal(approvalState(medium, [owner('user:carol')], HASH, OWNERS).satisfied, true);
  });

  test('high risk needs two, one of them from an owning team', () => {
    assert.deepEqual(approvalState(high, [owner('user:carol')], HASH, OWNERS).missing, [
      '1 more approval (1 of 2 given)',
    ]);
    assert.equal(approvalState(high, [owner('user:carol'), approval('user:bob')], HASH, OWNERS).satisfied, true);
    assert.deepEqual(approvalState(high, [approval('user:bob'), approval('user:dan')], HASH, OWNERS).missing, [
      'an approval from a member of an owning team (payments)',
    ]);
  });

  test('critical risk needs two plus the board, three people in all', () => {
    const two = approvalState(critical, [owner('user:carol'), board('user:erin')], HASH, OWNERS);
    assert.equal(two.satisfied, false);
    assert.deepEqual(two.missing, ['1 more approval besides the board (1 of 2 given)']);
    const three = approvalState(
      critical,
      [owner('user:carol'), approval('user:bob'), board('user:erin')],
      HASH,
      OWNERS,
    );
    assert.deepEqual(three, { satisfied: true, counted: 3, voided: 0, missing: [] });
  });

  test('the board seat goes to a board member outside the owning teams where possible', () => {
    const ownerOnBoard = approval('user:carol', { teams: ['payments', 'cab'], asBoard: true });
    const state = approvalState(critical, [ownerOnBoard, board('user:erin'), approval('user:bob')], HASH, OWNERS);
    assert.equal(state.satisfied, true);
  });

  test('an edit voids approvals of the earlier content', () => {
    const earlier = { contentHash: 'sha256:before-edit' };
    const state = approvalState(
      high,
      [owner('user:carol'), approval('user:bob', earlier), approval('user:dan', earlier)],
      HASH,
      OWNERS,
    );
    assert.deepEqual(state, { satisfied: false, counted: 1, voided: 2, missing: ['1 more approval (1 of 2 given)'] });
  });

  test('each approver counts once, whatever the spelling of their name', () => {
    const state = approvalState(high, [owner('user:carol'), owner('user:carol'), owner(' User:Carol ')], HASH, OWNERS);
    assert.equal(state.counted, 1);
    assert.equal(state.satisfied, false);
  });

  test('an approver who approved twice keeps the teams of either approval', () => {
    const state = approvalState(medium, [approval('user:carol'), owner('user:carol')], HASH, OWNERS);
    assert.equal(state.satisfied, true);
    assert.equal(state.counted, 1);
  });

  test('a board approval alone does not also count as an individual approval', () => {
    const requirement: ApprovalRequirement = { approvals: 1, fromOwningTeam: false, board: true };
    assert.deepEqual(approvalState(requirement, [board('user:erin')], HASH, OWNERS).missing, [
      '1 more approval besides the board (0 of 1 given)',
    ]);
  });

  test('a standard change needs nothing', () => {
    assert.equal(approvalState(requiredApprovals('standard', 'low', 0.9), [], HASH, OWNERS).satisfied, true);
  });
});

describe('segregationOfDuties', () => {
  const people = { requester: 'user:alice', implementer: 'user:ian' };

  test('an independent approver may approve', () => {
    assert.equal(segregationOfDuties(people, 'user:bob'), undefined);
  });

  test('the requester may not approve their own change', () => {
    assert.equal(
      segregationOfDuties(people, 'user:alice'),
      'user:alice requested this change and so cannot approve it: approvers must be independent of requesters and implementers (DORA RTS 2024/1774 Art 17; PCI DSS 6.5.4)',
    );
  });

  test('the implementer may not approve, whatever the spelling of their name', () => {
    assert.match(segregationOfDuties(people, ' User:Ian') ?? '', /^User:Ian is implementing this change and so cannot/);
  });

  test('someone both requesting and implementing is named in both roles', () => {
    assert.match(
      segregationOfDuties({ requester: 'user:alice', implementer: 'user:alice' }, 'user:alice') ?? '',
      /^user:alice requested and is implementing this change/,
    );
  });

  test('no implementer named yet: only the requester is barred', () => {
    assert.equal(segregationOfDuties({ requester: 'user:alice', implementer: undefined }, 'user:ian'), undefined);
  });
});
