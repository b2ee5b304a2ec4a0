/**
 * The deployment gate as data: whether a deployment to a service may go ahead now, with every rule that applied
 * giving its reason. Any deny denies; otherwise any hold holds; otherwise it is allowed.
 * @module
 */
import { DateTime } from 'luxon';
import type { Tier } from '../catalogue/index.js';
import { assertNever } from '../errors/index.js';
import type { Severity } from '../incidents/index.js';
import { type ApprovalState, DEFAULT_APPROVAL_POLICY } from './approval-policy.js';
import type { ChangeStatus, ChangeType, GateDecision, GateReason, GateVerdict, PlannedWindow } from './types.js';

export interface GateService {
  readonly name: string;
  readonly tier: Tier;
}

export interface GateChange {
  readonly id: string;
  readonly type: ChangeType;
  readonly status: ChangeStatus;
  /**
   * The approval state against the requirement at the service's current budget (`requiredApprovals` given the
   * budget now), so a budget that has fallen since approval shows here as a missing approval.
   */
  readonly approvals: Pick<ApprovalState, 'satisfied' | 'missing'>;
  readonly plannedWindow: PlannedWindow | undefined;
  /** For an emergency change that has started: when its retrospective approval is due. */
  readonly retrospectiveApprovalDue: string | undefined;
}

/** A freeze window in force at the gate's instant that covers the service. */
export interface ActiveFreeze {
  readonly name: string;
  readonly reason: string;
  readonly end: string;
}

export interface GateBudget {
  /** The lowest error budget remaining across the service's SLOs, as a fraction (≤ 0 when exhausted). */
  readonly remaining: number;
  /** The SLO with that budget. */
  readonly slo: string;
}

export interface OpenIncident {
  readonly id: string;
  readonly severity: Severity;
}

export interface GateInput {
  readonly at: string;
  /** The organisation's IANA time zone, in which the reasons show times. */
  readonly timeZone: string;
  readonly service: GateService;
  readonly change: GateChange | undefined;
  readonly freezes: ReadonlyArray<ActiveFreeze>;
  /** Undefined when the service has no SLO data. */
  readonly budget: GateBudget | undefined;
  readonly incidents: ReadonlyArray<OpenIncident>;
}

export type Restriction = 'hold' | 'deny';

/** What a change's status means at the gate. */
export type StatusRule = 'proceed' | 'await-approval' | 'not-approved' | 'already-implemented';

export interface GatePolicy {
  readonly freeze: { readonly effect: Restriction; readonly emergencyAllowed: boolean };
  readonly budgetExhausted: {
    /** Budget remaining at or below which the budget counts as exhausted. */
    readonly atOrBelow: number;
    readonly effect: Restriction;
    readonly emergencyAllowed: boolean;
  };
  /** Below this budget remaining a change needs its extra approval (see the approval policy) before it proceeds. */
  readonly budgetLow: { readonly below: number; readonly effect: Restriction };
  readonly openIncident: {
    readonly severities: ReadonlyArray<Severity>;
    readonly effect: Restriction;
    readonly emergencyAllowed: boolean;
  };
  readonly statuses: Readonly<Record<ChangeStatus, StatusRule>>;
  /** An emergency change that started before approval and is past its retrospective deadline. */
  readonly retrospectiveOverdue: { readonly effect: Restriction };
  /** Whether an emergency change is held to its planned window. */
  readonly windowBindsEmergency: boolean;
  /** Tiers on which a deployment needs an approved change. */
  readonly changeRequiredForTiers: ReadonlyArray<Tier>;
}

export const DEFAULT_GATE_POLICY = {
  freeze: { effect: 'deny', emergencyAllowed: true },
  budgetExhausted: { atOrBelow: 0, effect: 'deny', emergencyAllowed: true },
  budgetLow: { below: DEFAULT_APPROVAL_POLICY.extraApprovalsBelowBudget.below, effect: 'hold' },
  openIncident: { severities: ['SEV1', 'SEV2'], effect: 'hold', emergencyAllowed: true },
  statuses: {
    draft: 'not-approved',
    submitted: 'await-approval',
    approved: 'proceed',
    rejected: 'not-approved',
    implementing: 'proceed',
    implemented: 'already-implemented',
    failed: 'already-implemented',
    'rolled-back': 'already-implemented',
    reviewed: 'already-implemented',
  },
  retrospectiveOverdue: { effect: 'hold' },
  windowBindsEmergency: false,
  changeRequiredForTiers: [1, 2],
} as const satisfies GatePolicy;

export function decideGate(input: GateInput, policy: GatePolicy = DEFAULT_GATE_POLICY): GateVerdict {
  const context: Context = {
    input,
    policy,
    at: parse(input.at, input.timeZone),
    emergency: input.change?.type === 'emergency',
    subject: input.change === undefined ? `a deployment to ${input.service.name}` : `change ${input.change.id}`,
  };
  const reasons = [
    ...freezeReasons(context),
    ...budgetReasons(context),
    ...incidentReasons(context),
    ...(input.change === undefined ? noChangeReasons(context) : changeReasons(context, input.change)),
  ];
  return { decision: decisionOf(reasons), reasons };
}

const RANK = { allow: 0, hold: 1, deny: 2 } as const satisfies Record<GateDecision, number>;

function decisionOf(reasons: ReadonlyArray<GateReason>): GateDecision {
  return reasons.reduce<GateDecision>(
    (decision, reason) => (RANK[reason.effect] > RANK[decision] ? reason.effect : decision),
    'allow',
  );
}

interface Context {
  readonly input: GateInput;
  readonly policy: GatePolicy;
  readonly at: DateTime;
  readonly emergency: boolean;
  /** `change CHG-1` or `a deployment to payments-api`. */
  readonly subject: string;
}

function freezeReasons(context: Context): GateReason[] {
  const { freeze } = context.policy;
  return context.input.freezes.map((window) => {
    const found = `freeze ${window.name} (${window.reason}) is in force on ${context.input.service.name} until ${time(window.end, context)}`;
    if (context.emergency && freeze.emergencyAllowed) {
      return {
        code: 'freeze',
        effect: 'allow',
        message: `${found}; emergency ${context.subject} may proceed through it, and this is recorded`,
      };
    }
    return { code: 'freeze', effect: freeze.effect, message: `${found}: ${onlyEmergencies(freeze.emergencyAllowed)}` };
  });
}

function budgetReasons(context: Context): GateReason[] {
  const budget = context.input.budget;
  if (budget === undefined) return [];
  const { budgetExhausted, budgetLow } = context.policy;
  const of = `the error budget of SLO ${budget.slo} on ${context.input.service.name}`;
  if (budget.remaining <= budgetExhausted.atOrBelow) {
    const found = `${of} is exhausted (${percent(budget.remaining)} remaining)`;
    if (context.emergency && budgetExhausted.emergencyAllowed) {
      return [
        { code: 'budget-exhausted', effect: 'allow', message: `${found}; emergency ${context.subject} may proceed` },
      ];
    }
    return [
      {
        code: 'budget-exhausted',
        effect: budgetExhausted.effect,
        message: `${found}: ${onlyEmergencies(budgetExhausted.emergencyAllowed)}`,
      },
    ];
  }
  if (budget.remaining >= budgetLow.below) return [];
  const found = `${percent(budget.remaining)} of ${of} remains, below ${percent(budgetLow.below)}`;
  const change = context.input.change;
  if (change === undefined) {
    return [
      {
        code: 'budget-low',
        effect: budgetLow.effect,
        message: `${found}: ${context.subject} needs an approved change with the extra approval this calls for`,
      },
    ];
  }
  if (context.emergency) {
    return [
      {
        code: 'budget-low',
        effect: 'allow',
        message: `${found}; emergency ${context.subject} may proceed, and its extra approval is due with its retrospective approval`,
      },
    ];
  }
  if (change.approvals.satisfied) {
    return [
      {
        code: 'budget-low',
        effect: 'allow',
        message: `${found}; ${context.subject} has the extra approval this calls for`,
      },
    ];
  }
  return [
    {
      code: 'budget-low',
      effect: budgetLow.effect,
      message: `${found}: ${context.subject} needs the extra approval this calls for (still needed: ${missing(change)})`,
    },
  ];
}

function incidentReasons(context: Context): GateReason[] {
  const { openIncident } = context.policy;
  const serious = context.input.incidents.filter((incident) => openIncident.severities.includes(incident.severity));
  if (serious.length === 0) return [];
  const listed = serious.map((incident) => `${incident.severity} ${incident.id}`).join(', ');
  const found = `${serious.length === 1 ? 'an open incident' : 'open incidents'} on ${context.input.service.name} (${listed})`;
  if (context.emergency && openIncident.emergencyAllowed) {
    return [
      {
        code: 'open-incident',
        effect: 'allow',
        message: `${found}; emergency ${context.subject}, most likely the fix, may proceed`,
      },
    ];
  }
  return [
    {
      code: 'open-incident',
      effect: openIncident.effect,
      message: `${found}: other changes wait until it is resolved${openIncident.emergencyAllowed ? '; an emergency change may proceed' : ''}`,
    },
  ];
}

function noChangeReasons(context: Context): GateReason[] {
  const { service } = context.input;
  if (context.policy.changeRequiredForTiers.includes(service.tier)) {
    return [
      {
        code: 'change-required',
        effect: 'deny',
        message: `tier ${service.tier} service ${service.name} needs an approved change to deploy, and none was given`,
      },
    ];
  }
  return [
    {
      code: 'change-not-required',
      effect: 'allow',
      message: `tier ${service.tier} service ${service.name} may deploy without a change, subject to the other rules`,
    },
  ];
}

function changeReasons(context: Context, change: GateChange): GateReason[] {
  const rule = context.policy.statuses[change.status];
  switch (rule) {
    case 'not-approved':
      return [
        {
          code: 'not-approved',
          effect: 'deny',
          message:
            change.status === 'rejected'
              ? `${context.subject} was rejected and may not be deployed`
              : `${context.subject} is ${STATUS_TEXT[change.status]} and has not been approved`,
        },
      ];
    case 'already-implemented':
      return [
        {
          code: 'already-implemented',
          effect: 'deny',
          message: `${context.subject} has already been carried out (${STATUS_TEXT[change.status]}); a further deployment needs a new change`,
        },
      ];
    case 'await-approval':
      return [
        {
          code: 'awaiting-approval',
          effect: 'hold',
          message: context.emergency
            ? `emergency ${context.subject} awaits approval; start it to deploy now, with approval given retrospectively`
            : `${context.subject} awaits approval (still needed: ${missing(change)})`,
        },
        ...windowReasons(context, change),
      ];
    case 'proceed':
      return [approvalReason(context, change), ...windowReasons(context, change)];
    default:
      return assertNever(rule, 'status rule');
  }
}

function approvalReason(context: Context, change: GateChange): GateReason {
  if (change.approvals.satisfied) {
    return {
      code: 'approved',
      effect: 'allow',
      message: `${context.subject} is ${STATUS_TEXT[change.status]} and has every approval it needs`,
    };
  }
  if (!context.emergency || change.status !== 'implementing') {
    return {
      code: 'awaiting-approval',
      effect: 'hold',
      message: `${context.subject} is ${STATUS_TEXT[change.status]} but does not have every approval it needs (still needed: ${missing(change)})`,
    };
  }
  const due = change.retrospectiveApprovalDue;
  if (due !== undefined && context.at > parse(due, context.input.timeZone)) {
    return {
      code: 'retrospective-overdue',
      effect: context.policy.retrospectiveOverdue.effect,
      message: `retrospective approval of emergency ${context.subject} was due by ${time(due, context)} and is still missing (still needed: ${missing(change)})`,
    };
  }
  const deadline =
    due === undefined
      ? 'no retrospective approval deadline was recorded'
      : `retrospective approval is due by ${time(due, context)}`;
  return {
    code: 'emergency',
    effect: 'allow',
    message: `emergency ${context.subject} started before approval, as an emergency change may; ${deadline} (still needed: ${missing(change)})`,
  };
}

function windowReasons(context: Context, change: GateChange): GateReason[] {
  const window = change.plannedWindow;
  if (window === undefined) return [];
  const zone = context.input.timeZone;
  const start = parse(window.start, zone);
  const end = parse(window.end, zone);
  const planned = `its planned window ${time(window.start, context)} to ${time(window.end, context)}`;
  const inside = context.at >= start && context.at < end;
  if (inside) {
    return [{ code: 'within-window', effect: 'allow', message: `${context.subject} is within ${planned}` }];
  }
  if (context.emergency && !context.policy.windowBindsEmergency) {
    return [
      {
        code: 'outside-window',
        effect: 'allow',
        message: `emergency ${context.subject} is outside ${planned}, which does not bind an emergency change`,
      },
    ];
  }
  if (context.at < start) {
    return [
      { code: 'outside-window', effect: 'hold', message: `${context.subject} is early: ${planned} has not opened` },
    ];
  }
  return [
    {
      code: 'outside-window',
      effect: 'deny',
      message: `${context.subject} is late: ${planned} has closed; plan a new window`,
    },
  ];
}

const STATUS_TEXT = {
  draft: 'a draft',
  submitted: 'submitted',
  approved: 'approved',
  rejected: 'rejected',
  implementing: 'being implemented',
  implemented: 'implemented',
  failed: 'failed',
  'rolled-back': 'rolled back',
  reviewed: 'reviewed',
} as const satisfies Record<ChangeStatus, string>;

function missing(change: GateChange): string {
  return change.approvals.missing.length === 0 ? 'not stated' : change.approvals.missing.join('; ');
}

function onlyEmergencies(emergencyAllowed: boolean): string {
  return emergencyAllowed ? 'only an emergency change may proceed' : 'no change may proceed';
}

function parse(iso: string, zone: string): DateTime {
  const time = DateTime.fromISO(iso, { zone, locale: 'en-GB' });
  if (!time.isValid) throw new RangeError(`cannot read "${iso}" in ${zone}: ${time.invalidExplanation ?? 'invalid'}`);
  return time;
}

function time(iso: string, context: Context): string {
  return `${parse(iso, context.input.timeZone).toFormat('d LLLL yyyy HH:mm')} ${context.input.timeZone}`;
}

const NUMBER_FORMAT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

function percent(fraction: number): string {
  return `${NUMBER_FORMAT.format(fraction * 100)} %`;
}
