/**
 * What the contribution generators take: plain data, shaped so the application's views (`ServiceView`,
 * `SloDefinition`, `SloStatus`, `ChangeView`, `IncidentView`, the regulatory `Clock`s) pass in unchanged.
 * @module
 */
import type {
  FreezeWindow,
  ImportantBusinessService,
  Organisation,
  ServiceView,
  Team,
  ThirdParty,
} from '../catalogue/index.js';
import type { ApprovalPolicy } from '../changes/approval-policy.js';
import type { RiskPolicy } from '../changes/change-risk.js';
import type { ApprovalRequirement, ChangeStatus, ChangeType, RiskAssessment } from '../changes/types.js';
import type { Clock, IncidentRole, IncidentStatus, IncidentTimestamp, Severity } from '../incidents/index.js';
import type { SloStatus } from '../slo/slo-evaluation.js';
import type { SloDefinition } from '../slo/types.js';

/** The parts of an SLO evaluation a contribution reports; an `SloView['status']` fits. */
export type SloStatusFacts = Pick<
  SloStatus,
  'id' | 'evaluatedAt' | 'budgetRemaining' | 'budgetRemainingMinutes' | 'sli' | 'timeToExhaustionMs'
>;

/** The change policies in force, when the configuration replaces the defaults. */
export interface ContributionPolicies {
  readonly risk?: RiskPolicy | undefined;
  readonly approval?: ApprovalPolicy | undefined;
}

export interface ServiceContributionInput {
  readonly service: ServiceView;
  /** Its SLOs from the catalogue (`catalogue.slos` filtered by service). */
  readonly slos: ReadonlyArray<SloDefinition>;
  /** The latest evaluation of those SLOs, when known. */
  readonly sloStatuses?: ReadonlyArray<SloStatusFacts> | undefined;
  /** The important business services it supports. */
  readonly importantBusinessServices: ReadonlyArray<ImportantBusinessService>;
  /** Every service it reaches through its dependencies, nearest first (`transitiveDependencies`, as views). */
  readonly dependencies: ReadonlyArray<ServiceView>;
  /** Every service that depends on it, directly or through others. */
  readonly dependants: ReadonlyArray<string>;
  /** The catalogue's teams: the owner and the owners of its dependencies are found here. */
  readonly teams: ReadonlyArray<Team>;
  /** The catalogue's third parties; those the service and its dependencies use are picked out. */
  readonly thirdParties: ReadonlyArray<ThirdParty>;
  /** The catalogue's freeze windows; those that cover the service are picked out. */
  readonly freezeWindows: ReadonlyArray<FreezeWindow>;
  /** The organisation's zone for displayed times; Europe/London by default. */
  readonly timeZone?: string | undefined;
  readonly policies?: ContributionPolicies | undefined;
}

export interface IbsContributionInput {
  readonly ibs: ImportantBusinessService;
  /** The services the important business service lists, as views. */
  readonly services: ReadonlyArray<ServiceView>;
  /** Services those reach through their dependencies without being listed themselves. */
  readonly indirect: ReadonlyArray<ServiceView>;
  readonly teams: ReadonlyArray<Team>;
  readonly thirdParties: ReadonlyArray<ThirdParty>;
  /** SLOs of the listed and indirect services. */
  readonly slos: ReadonlyArray<SloDefinition>;
  readonly organisation?: Organisation | undefined;
  readonly timeZone?: string | undefined;
}

/** A change request as `ChangeView` holds it: a `ChangeView` passes in as it is. */
export interface ChangeFacts {
  readonly id: string;
  readonly status: ChangeStatus;
  readonly content: {
    readonly type: ChangeType;
    readonly title: string;
    readonly description: string;
    readonly reason: string;
    readonly services: ReadonlyArray<string>;
    readonly implementer: string;
    readonly plannedWindow: { readonly start: string; readonly end: string } | null | undefined;
    readonly securityImpact: string;
    readonly testEvidence: string;
    readonly rollbackPlan: string;
    readonly links: ReadonlyArray<{
      readonly kind: string;
      readonly url: string;
      readonly title?: string | null | undefined;
    }>;
    readonly template: string | null | undefined;
  };
  readonly requester: string;
  /** Undefined for a draft: the contribution then estimates it. */
  readonly risk: RiskAssessment | undefined;
  readonly requirement: ApprovalRequirement | undefined;
  readonly approvals: ReadonlyArray<{ readonly approver: string; readonly asBoard: boolean; readonly at: string }>;
  readonly missingApprovals: ReadonlyArray<string>;
  readonly approvalsSatisfied: boolean;
  readonly retrospectiveDueAt: string | undefined;
}

export interface ChangeContributionInput {
  readonly change: ChangeFacts;
  /** The changed services found in the catalogue. */
  readonly services: ReadonlyArray<ServiceView>;
  /** Every service that depends on a changed service, directly or through others. */
  readonly dependants: ReadonlyArray<string>;
  /** The important business services the changed services support. */
  readonly importantBusinessServices: ReadonlyArray<ImportantBusinessService>;
  readonly teams: ReadonlyArray<Team>;
  readonly freezeWindows: ReadonlyArray<FreezeWindow>;
  /** SLOs of the changed services, for the rollback criteria. */
  readonly slos: ReadonlyArray<SloDefinition>;
  /** Error budget remaining per SLO, as a fraction, when known. */
  readonly budgets?: ReadonlyArray<{ readonly sloId: string; readonly remaining: number }> | undefined;
  readonly timeZone?: string | undefined;
  readonly policies?: ContributionPolicies | undefined;
}

/** An incident as `IncidentView` holds it: an `IncidentView` passes in as it is. */
export interface IncidentFacts {
  readonly id: string;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly severity: Severity;
  readonly summary: string | undefined;
  readonly declaredAt: string;
  readonly timestamps: Partial<Record<IncidentTimestamp, { readonly at: string; readonly by: string }>>;
  readonly roles: Partial<Record<IncidentRole, { readonly assignee: string }>>;
  readonly services: ReadonlyArray<{
    readonly name: string;
    readonly degradedAt: string | undefined;
    readonly restoredAt: string | undefined;
  }>;
  readonly importantBusinessServices: ReadonlyArray<string>;
  readonly alerts: { readonly firing: number; readonly resolved: number };
  readonly classification:
    | {
        readonly classifiedAt: string;
        readonly regimes: {
          readonly doraMajor: boolean;
          readonly gdprPersonalDataBreach: boolean;
          readonly nis2Significant: boolean;
          readonly ukOperationalIncident: boolean;
        };
        readonly rootCause: string | undefined;
      }
    | undefined;
  readonly reports: ReadonlyArray<{
    readonly regime: string;
    readonly report: string;
    readonly submittedAt: string;
    readonly reference: string | undefined;
  }>;
}

export interface IncidentContributionInput {
  readonly incident: IncidentFacts;
  /** `computeClocks(incidentService.clockInputOf(view), now)`. */
  readonly clocks: ReadonlyArray<Clock>;
  /** The affected services found in the catalogue. */
  readonly services: ReadonlyArray<ServiceView>;
  readonly importantBusinessServices: ReadonlyArray<ImportantBusinessService>;
  readonly teams: ReadonlyArray<Team>;
  readonly timeZone?: string | undefined;
}
