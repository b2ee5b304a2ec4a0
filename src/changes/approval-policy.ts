/**
 * Who must approve a change, as data: approvals by risk level, the standard-change waiver, the extra approval when
 * the error budget runs low, retrospective approval of emergency changes, and segregation of duties
 * (DORA RTS 2024/1774 Art 17; PCI DSS 6.5.1, 6.5.4).
 * @module
 */
import type { ApprovalRecord, ApprovalRequirement, ChangeType, RiskLevel } from './types.js';
import { RISK_LEVELS } from './types.js';

export interface ApprovalPolicy {
  readonly byRisk: Readonly<Record<RiskLevel, ApprovalRequirement>>;
  /** A standard change follows a pre-approved template: it needs `requirement` while its risk is at most `whileRiskAtMost`. */
  readonly standard: { readonly requirement: ApprovalRequirement; readonly whileRiskAtMost: RiskLevel };
  /** Milliseconds after an emergency change starts by which its retrospective approval is due. */
  readonly emergencyRetrospectiveWithin: number;
  /** Below this fraction of error budget remaining, a change of any type needs `extra` more approvals. */
  readonly extraApprovalsBelowBudget: { readonly below: number; readonly extra: number };
}

const DAY = 24 * 3_600_000;

export const DEFAULT_APPROVAL_POLICY = {
  byRisk: {
    low: { approvals: 1, fromOwningTeam: false, board: false },
    medium: { approvals: 1, fromOwningTeam: true, board: false },
    high: { approvals: 2, fromOwningTeam: true, board: false },
    critical: { approvals: 2, fromOwningTeam: true, board: true },
  },
  standard: { requirement: { approvals: 0, fromOwningTeam: false, board: false }, whileRiskAtMost: 'low' },
  emergencyRetrospectiveWithin: 2 * DAY,
  extraApprovalsBelowBudget: { below: 0.25, extra: 1 },
} as const satisfies ApprovalPolicy;

/**
 * The approvals a change needs. An emergency change needs the same as a normal one, given retrospectively.
 * @param budgetRemaining - the lowest error budget remaining across the changed services' SLOs, as a fraction;
 * undefined when there is no SLO data, which adds nothing.
 */
export function requiredApprovals(
  type: ChangeType,
  risk: RiskLevel,
  budgetRemaining: number | undefined,
  policy: ApprovalPolicy = DEFAULT_APPROVAL_POLICY,
): ApprovalRequirement {
  const waived =
    type === 'standard' && RISK_LEVELS.indexOf(risk) <= RISK_LEVELS.indexOf(policy.standard.whileRiskAtMost);
  const base = waived ? policy.standard.requirement : policy.byRisk[risk];
  const { below, extra } = policy.extraApprovalsBelowBudget;
  return budgetRemaining !== undefined && budgetRemaining < below
    ? { ...base, approvals: base.approvals + extra }
    : base;
}

/** When an emergency change that started at `startedAt` must have its retrospective approval, as ISO 8601 UTC. */
export function retrospectiveDeadline(startedAt: string, policy: ApprovalPolicy = DEFAULT_APPROVAL_POLICY): string {
  const started = Date.parse(startedAt);
  if (Number.isNaN(started)) throw new RangeError(`"${startedAt}" is not an ISO 8601 time`);
  return new Date(started + policy.emergencyRetrospectiveWithin).toISOString();
}

export interface ApprovalState {
  readonly satisfied: boolean;
  /** Distinct approvers of the current content. */
  readonly counted: number;
  /** Approvals ignored because they were given to other content, before an edit. */
  readonly voided: number;
  /** What is still needed, in UK English; empty when satisfied. */
  readonly missing: ReadonlyArray<string>;
}

interface Approver {
  readonly name: string;
  readonly owning: boolean;
  readonly board: boolean;
}

/**
 * How far `approvals` meet `requirement`. Only approvals of `currentContentHash` count, and each approver once.
 * A board approval is given in addition to `approvals`, so a person approving as the board is not also counted
 * towards them; the board member chosen is one outside the owning teams where possible, leaving owners to meet
 * `fromOwningTeam`.
 */
export function approvalState(
  requirement: ApprovalRequirement,
  approvals: ReadonlyArray<ApprovalRecord>,
  currentContentHash: string,
  owningTeams: ReadonlyArray<string>,
): ApprovalState {
  const current = approvals.filter((approval) => approval.contentHash === currentContentHash);
  const approvers = new Map<string, Approver>();
  for (const approval of current) {
    const name = identity(approval.approver);
    const owning = approval.teams.some((team) => owningTeams.includes(team));
    const earlier = approvers.get(name);
    approvers.set(name, {
      name,
      owning: owning || (earlier?.owning ?? false),
      board: approval.asBoard || (earlier?.board ?? false),
    });
  }
  const everyone = [...approvers.values()];

  let boardApprover: Approver | undefined;
  if (requirement.board) {
    const candidates = everyone.filter((approver) => approver.board);
    boardApprover = candidates.find((approver) => !approver.owning) ?? candidates[0];
  }
  const individuals = everyone.filter((approver) => approver !== boardApprover);

  const missing: string[] = [];
  if (requirement.board && boardApprover === undefined) {
    missing.push('an approval from the change advisory board');
  }
  const short = requirement.approvals - individuals.length;
  if (short > 0) {
    const given = requirement.board ? ' besides the board' : '';
    missing.push(
      `${short} more approval${short === 1 ? '' : 's'}${given} (${individuals.length} of ${requirement.approvals} given)`,
    );
  }
  if (requirement.fromOwningTeam && !individuals.some((approver) => approver.owning)) {
    const teams = owningTeams.length === 0 ? 'none named' : owningTeams.join(', ');
    missing.push(`an approval from a member of an owning team (${teams})`);
  }
  return {
    satisfied: missing.length === 0,
    counted: everyone.length,
    voided: approvals.length - current.length,
    missing,
  };
}

/**
 * Why `approver` may not approve a change that `requester` raised and `implementer` carries out, or undefined when
 * they may. Names are compared without regard to case or surrounding space.
 */
export function segregationOfDuties(
  people: { readonly requester: string; readonly implementer: string | undefined },
  approver: string,
): string | undefined {
  const who = identity(approver);
  const roles = [
    identity(people.requester) === who ? 'requested' : undefined,
    people.implementer !== undefined && identity(people.implementer) === who ? 'is implementing' : undefined,
  ].filter((role) => role !== undefined);
  if (roles.length === 0) return undefined;
  return (
    `${approver.trim()} ${roles.join(' and ')} this change and so cannot approve it: approvers must be independent ` +
    'of requesters and implementers (DORA RTS 2024/1774 Art 17; PCI DSS 6.5.4)'
  );
}

function identity(name: string): string {
  return name.trim().toLowerCase();
}
