/** What the dashboard reads from the API: only the fields it shows. The OpenAPI document at /openapi.json has all. */

export interface Me {
  readonly actor: string;
  readonly name?: string;
  readonly role?: string;
  readonly permissions: ReadonlyArray<string>;
}

export interface Organisation {
  readonly name: string;
  readonly timeZone: string;
}

export interface Items<T> {
  readonly items: ReadonlyArray<T>;
}

export interface Service {
  readonly name: string;
  readonly displayName?: string;
  readonly team: string;
  readonly tier: number;
  readonly description?: string;
  readonly runbook?: string;
  readonly dependencies: ReadonlyArray<{ readonly service: string; readonly kind: string }>;
  readonly dependants: ReadonlyArray<string>;
  readonly importantBusinessServices: ReadonlyArray<string>;
  readonly regulatoryScope?: ReadonlyArray<string>;
  readonly tightestImpactTolerance?: string;
}

export interface ImportantBusinessService {
  readonly name: string;
  readonly description?: string;
  readonly services: ReadonlyArray<string>;
  readonly impactTolerance: { readonly maxTolerableDisruption: string };
}

export interface SloTier {
  readonly name: string;
  readonly severity: string;
  readonly state: string;
  readonly shortWindow: string;
  readonly longWindow: string;
  readonly factor: number;
  readonly shortBurnRate: number | null;
  readonly longBurnRate: number | null;
}

export interface SloStatus {
  readonly evaluatedAt: string;
  readonly sli: number | null;
  readonly budgetRemaining: number | null;
  readonly budgetRemainingMinutes: number | null;
  readonly periodStart?: string;
  readonly burnRates: Readonly<Record<string, number | null>>;
  readonly tiers: ReadonlyArray<SloTier>;
}

export interface Slo {
  readonly definition: {
    readonly id: string;
    readonly service: string;
    readonly name: string;
    readonly description?: string;
    readonly objectivePercent: number;
    readonly period: { readonly text: string; readonly duration: number };
    readonly budgeting: string;
  };
  readonly status?: SloStatus;
}

export interface SloHistoryPoint {
  readonly time: string;
  readonly errorRatio: number | null;
  readonly burnRate: number | null;
  readonly budgetRemaining: number | null;
}

export interface IncidentSummary {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly severity: string;
  readonly services: ReadonlyArray<string>;
  readonly declaredAt: string;
  readonly acknowledged: boolean;
}

export interface Stamp {
  readonly at: string;
  readonly by: string;
}

export interface Incident {
  readonly id: string;
  readonly title: string;
  readonly summary?: string;
  readonly status: string;
  readonly severity: string;
  readonly origin: string;
  readonly declaredAt: string;
  readonly declaredBy: string;
  readonly timestamps: Readonly<Record<string, Stamp>>;
  readonly roles: Readonly<Record<string, Stamp & { readonly assignee: string }>>;
  readonly services: ReadonlyArray<{
    readonly name: string;
    readonly degradedAt?: string;
    readonly restoredAt?: string;
  }>;
  readonly importantBusinessServices: ReadonlyArray<string>;
  readonly links: ReadonlyArray<{ readonly kind: string; readonly target: string; readonly relation: string }>;
  readonly alerts: { readonly firing: number; readonly resolved: number };
  readonly reports: ReadonlyArray<{
    readonly regime: string;
    readonly report: string;
    readonly submittedAt: string;
    readonly reference?: string;
  }>;
  readonly classification?: {
    readonly classifiedAt: string;
    readonly by: string;
    readonly regimes: Readonly<Record<string, boolean>>;
    readonly rootCause?: string;
    readonly dora?: {
      readonly assessment?: {
        readonly major: boolean;
        readonly explanation: string;
        readonly criteriaMetCount: number;
        readonly estimatesUsed: boolean;
      };
    } | null;
  };
}

export interface Clock {
  readonly regime: string;
  readonly report: string;
  readonly title: string;
  readonly source: string;
  readonly service?: string;
  readonly status: string;
  readonly reason?: string;
  readonly dueAt?: string;
  readonly submittedAt?: string;
  readonly reliefApplied?: boolean;
  readonly anchor?: { readonly description: string; readonly at: string };
  readonly toleranceMs?: number;
  readonly fractionOfTolerance?: number;
  readonly breached?: boolean;
}

export interface Clocks {
  readonly at: string;
  readonly clocks: ReadonlyArray<Clock>;
}

export interface LedgerEvent {
  readonly seq: string;
  readonly id: string;
  readonly time: string;
  readonly actor: string;
  readonly type: string;
  readonly subject: string;
  readonly data: unknown;
}

export interface Alert {
  readonly fingerprint: string;
  readonly status: string;
  readonly alertname: string;
  readonly severity?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly enrichment?: { readonly service?: string; readonly runbook?: string };
  readonly firedAt?: string;
  readonly resolvedAt?: string;
  readonly incidentId?: string;
}

export interface RiskFactor {
  readonly factor: string;
  readonly points: number;
  readonly explanation: string;
}

export interface Change {
  readonly id: string;
  readonly status: string;
  readonly content: {
    readonly type: string;
    readonly title: string;
    readonly description: string;
    readonly reason: string;
    readonly services: ReadonlyArray<string>;
    readonly implementer: string;
    /** The server stores what a change leaves out as null. */
    readonly plannedWindow?: { readonly start: string; readonly end: string } | null;
    readonly rollbackPlan?: string | null;
    readonly testEvidence?: string | null;
    readonly securityImpact?: string | null;
  };
  readonly contentHash: string;
  readonly requester: string;
  readonly risk?: { readonly level: string; readonly score: number; readonly factors: ReadonlyArray<RiskFactor> };
  readonly requirement?: { readonly approvals: number; readonly board: boolean; readonly fromOwningTeam: boolean };
  readonly approvals: ReadonlyArray<{ readonly approver: string; readonly at: string; readonly comment?: string }>;
  readonly missingApprovals: ReadonlyArray<string>;
  readonly approvalsSatisfied: boolean;
  readonly createdAt: string;
  readonly submittedAt?: string;
}

export interface Verdict {
  readonly at: string;
  readonly decision: string;
  readonly source: string;
  readonly actor: string;
  readonly reasons: ReadonlyArray<{ readonly code: string; readonly effect: string; readonly message: string }>;
  readonly ledgerIndex: string;
}

export interface Deployment {
  readonly id: string;
  readonly service: string;
  readonly version: string;
  readonly deployedAt: string;
  readonly outcome: string;
  readonly recoveredAt?: string;
  readonly changeId?: string;
}

export interface FreezeWindow {
  readonly name: string;
  readonly reason: string;
  readonly activeNow: boolean;
  readonly current?: { readonly start: string; readonly end: string };
  readonly next?: { readonly start: string; readonly end: string };
  readonly scope: {
    readonly kind: string;
    readonly tiers?: ReadonlyArray<number>;
    readonly services?: ReadonlyArray<string>;
  };
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: string;
  readonly root: string;
  readonly signedAt: string;
  readonly note: string;
}

export interface LedgerEntry {
  readonly index: string;
  readonly event: LedgerEvent;
  /** Base64 of the exact bytes hashed into the tree. */
  readonly leaf: string;
}
