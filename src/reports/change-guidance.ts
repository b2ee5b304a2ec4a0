/**
 * Change-management facts shared by the service and change contributions: what a routine change to a set of
 * services scores under the risk policy, what raises the score, and the evidence each regulatory scope asks for.
 * @module
 */
import { DateTime } from 'luxon';
import type { RegulatoryScope, ServiceView } from '../catalogue/index.js';
import { type ApprovalPolicy, DEFAULT_APPROVAL_POLICY, requiredApprovals } from '../changes/approval-policy.js';
import { assessChangeRisk, DEFAULT_RISK_POLICY, type NearbyFreeze, type RiskPolicy } from '../changes/change-risk.js';
import type { ApprovalRequirement, ChangeType, PlannedWindow, RiskAssessment } from '../changes/types.js';
import { code, count, duration, list, pct } from './format.js';
import type { Citations } from './sources.js';

export interface Policies {
  readonly risk: RiskPolicy;
  readonly approval: ApprovalPolicy;
}

export function policiesOf(
  given: { readonly risk?: RiskPolicy | undefined; readonly approval?: ApprovalPolicy | undefined } | undefined,
): Policies {
  return { risk: given?.risk ?? DEFAULT_RISK_POLICY, approval: given?.approval ?? DEFAULT_APPROVAL_POLICY };
}

/** A one-hour window at 10:00 local on the next Tuesday to Thursday after `now`: a routine slot. */
export function routineWindow(now: Date, zone: string): PlannedWindow {
  let day = DateTime.fromJSDate(now, { zone })
    .plus({ days: 1 })
    .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  while (day.weekday < 2 || day.weekday > 4) day = day.plus({ days: 1 });
  return { start: day.toUTC().toISO() ?? '', end: day.plus({ hours: 1 }).toUTC().toISO() ?? '' };
}

export interface RiskEstimate {
  readonly assessment: RiskAssessment;
  readonly requirement: ApprovalRequirement;
}

/** What the risk policy makes of a change to `services`, with the approvals it then needs. */
export function estimateRisk(
  change: {
    readonly type: ChangeType;
    readonly template: string | undefined;
    readonly plannedWindow: PlannedWindow | undefined;
    readonly changeFailureRate: number | undefined;
    readonly budgetRemaining: number | undefined;
    readonly freezes: ReadonlyArray<NearbyFreeze>;
  },
  services: ReadonlyArray<ServiceView>,
  dependants: ReadonlyArray<string>,
  zone: string,
  policies: Policies,
): RiskEstimate {
  const assessment = assessChangeRisk(
    {
      type: change.type,
      template: change.template,
      services: services.map((service) => ({
        name: service.name,
        tier: service.tier,
        importantBusinessServices: service.importantBusinessServices,
        regulatoryScope: service.regulatoryScope,
        dependants,
      })),
      changeFailureRate: change.changeFailureRate,
      errorBudgetRemaining: change.budgetRemaining,
      plannedWindow: change.plannedWindow,
      timeZone: zone,
      freezeWindows: change.freezes,
    },
    policies.risk,
  );
  return {
    assessment,
    requirement: requiredApprovals(change.type, assessment.level, change.budgetRemaining, policies.approval),
  };
}

export function requirementText(requirement: ApprovalRequirement, owners: ReadonlyArray<string>): string {
  if (requirement.approvals === 0 && !requirement.board) return 'no approval before it starts';
  const parts = [count(requirement.approvals, 'approval')];
  if (requirement.fromOwningTeam) {
    parts.push(
      `${requirement.approvals === 1 ? 'given by' : 'at least one of them from'} a member of ${list(owners, 'or')}`,
    );
  }
  if (requirement.board) parts.push('and an approval from the change advisory board');
  return parts.join(', ');
}

/** What pushes a change's score up under `policies`, each with the points it adds. */
export function riskRaisers(policies: Policies): string {
  const { risk, approval } = policies;
  const lowBand = risk.errorBudget.below.reduce<{ below: number; points: number } | undefined>(
    (lowest, band) => (lowest === undefined || band.below < lowest.below ? band : lowest),
    undefined,
  );
  const parts = [
    `an emergency change adds ${count(risk.changeTypePoints.emergency, 'point')} and must be approved within ${duration(approval.emergencyRetrospectiveWithin)} of starting`,
    `a planned window that overlaps a freeze adds ${count(risk.timing.freezeOverlapPoints, 'point')}, and one within ${duration(risk.timing.freezeNearWithin)} of a freeze adds ${count(risk.timing.freezeNearPoints, 'point')}`,
    `a window outside business hours adds ${count(risk.timing.outOfHoursPoints, 'point')}`,
    `an exhausted error budget adds ${count(risk.errorBudget.exhaustedPoints, 'point')}`,
  ];
  if (lowBand !== undefined) {
    parts.push(`a budget below ${pct(lowBand.below, 0)} adds ${count(lowBand.points, 'point')}`);
  }
  parts.push(
    `below ${pct(approval.extraApprovalsBelowBudget.below, 0)} of budget remaining every change needs ${count(approval.extraApprovalsBelowBudget.extra, 'extra approval')}`,
  );
  return `${capitalise(parts.join('; '))}.`;
}

/** Evidence a change to services in `scopes` must carry, citing what asks for it. */
export function evidenceByScope(scopes: ReadonlyArray<RegulatoryScope>, citations: Citations): string[] {
  const has = (scope: RegulatoryScope) => scopes.includes(scope);
  const bullets: string[] = [];
  if (has('dora-cif')) {
    citations.add('doraChange');
    bullets.push(
      'DORA RTS 2024/1774 Art 17: the purpose, scope, timeline and expected outcome written down; the security requirements checked; an approver who is neither the requester nor the implementer; a fall-back or abort procedure; for an emergency, the record completed, re-evaluated and approved afterwards.',
    );
  }
  if (has('pci')) {
    citations.add('pciChange', 'pciAfterChange', 'pciSeparation', 'pciTestData');
    bullets.push(
      'PCI DSS 6.5.1: the reason and a description, the security impact, documented approval by an authorised person, test results showing security is not degraded, and the procedure for failure and return to a secure state.',
      'PCI DSS 6.5.2 to 6.5.6: after a significant change, confirm the PCI DSS controls and update the documentation; deploy only reviewed, approved changes through separated roles; no live card numbers in pre-production, and test data and accounts removed before going live.',
    );
  }
  if (has('sox')) {
    citations.add('soxChange');
    bullets.push(
      'SOX IT general controls: authorisation, test evidence and approval recorded before production, and a deployer other than the developer; auditors sample these records.',
    );
  }
  if (has('personal-data')) {
    citations.add('gdprBreach');
    bullets.push(
      'Personal data: say whether the change alters what personal data is processed or who can reach it; a change that exposes personal data starts the 72-hour breach clock from the moment we become aware.',
    );
  }
  citations.add('isoChange', 'soc2Change');
  bullets.push(
    `ISO/IEC 27001 control 8.32 and SOC 2 CC8.1: the change request in sre-agent (${code('sre-agent change create')}) with its approvals, test evidence and outcome, so the ledger holds the whole trail; emergency changes and changes made to resolve an incident are recorded the same way.`,
  );
  return bullets;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
