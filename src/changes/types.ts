/**
 * The shapes of change management shared by its pure rules (risk, approvals, gates, delivery metrics) and its
 * application service. Times are ISO 8601 UTC strings.
 * @module
 */

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'rejected',
  'implementing',
  'implemented',
  'failed',
  'rolled-back',
  'reviewed',
] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface PlannedWindow {
  readonly start: string;
  readonly end: string;
}

export interface ChangeLink {
  readonly kind: 'ticket' | 'pull-request' | 'document' | 'other';
  readonly url: string;
  readonly title?: string | undefined;
}

/** What a person writes; the content hash binds approvals to exactly this. */
export interface ChangeContent {
  readonly type: ChangeType;
  readonly title: string;
  readonly description: string;
  readonly reason: string;
  readonly services: ReadonlyArray<string>;
  readonly implementer: string;
  readonly plannedWindow: PlannedWindow | undefined;
  readonly securityImpact: string;
  readonly testEvidence: string;
  readonly rollbackPlan: string;
  readonly links: ReadonlyArray<ChangeLink>;
  /** For a standard change: the pre-approved template it follows. */
  readonly template: string | undefined;
}

export interface ApprovalRecord {
  readonly approver: string;
  /** The teams the approver belongs to in the catalogue, for "one from the owning team". */
  readonly teams: ReadonlyArray<string>;
  /** A change advisory board member approving as the board. */
  readonly asBoard: boolean;
  readonly at: string;
  /** The content hash approved; an approval of other content does not count. */
  readonly contentHash: string;
  readonly comment: string | undefined;
}

/** One factor of a change's risk, explained. */
export interface RiskFactor {
  readonly factor:
    | 'tier'
    | 'important-business-services'
    | 'regulatory-scope'
    | 'blast-radius'
    | 'change-failure-rate'
    | 'error-budget'
    | 'timing'
    | 'change-type';
  readonly points: number;
  /** UK English: what was found and why it scores so. */
  readonly explanation: string;
}

export interface RiskAssessment {
  readonly level: RiskLevel;
  readonly score: number;
  readonly factors: ReadonlyArray<RiskFactor>;
}

/** What the approval policy asks for at a risk level. */
export interface ApprovalRequirement {
  readonly approvals: number;
  /** At least one approval must come from a member of an owning team of the changed services. */
  readonly fromOwningTeam: boolean;
  /** A change advisory board approval is needed. */
  readonly board: boolean;
}

export type GateDecision = 'allow' | 'deny' | 'hold';

export interface GateReason {
  /** A stable code, such as `freeze`, `budget-exhausted`, `not-approved`, `open-incident`, `outside-window`. */
  readonly code: string;
  readonly effect: GateDecision;
  readonly message: string;
}

export interface GateVerdict {
  readonly decision: GateDecision;
  readonly reasons: ReadonlyArray<GateReason>;
}

export type DeploymentOutcome = 'succeeded' | 'failed' | 'rolled-back';

export interface DeploymentRecord {
  readonly id: string;
  readonly service: string;
  readonly team: string | undefined;
  readonly version: string;
  /** When the change was committed to version control; lead time runs from here. */
  readonly commitAt: string | undefined;
  readonly deployedAt: string;
  readonly outcome: DeploymentOutcome;
  /** For a failed or rolled-back deployment: when service was restored. */
  readonly recoveredAt: string | undefined;
  readonly changeId: string | undefined;
}
