/**
 * The SRE agent's contribution about one catalogue service: how to monitor and alert on it, how to change and
 * release it, what to do when it breaks, how well it can recover, and which rules it answers to. Pure: the caller
 * passes the catalogue facts and `now`.
 * @module
 */
import type { ServiceView, Team, ThirdParty } from '../catalogue/index.js';
import { DEFAULT_GATE_POLICY } from '../changes/gate-decision.js';
import { assertNever } from '../errors/index.js';
import { DEFAULT_SEVERITY_POLICY, severityFor } from '../incidents/index.js';
import {
  channelsText,
  type DependencyFact,
  dependencyFacts,
  escalationSteps,
  freezesCovering,
  pageTarget,
  SCOPE_LABELS,
  scopeText,
  teamName,
  thirdPartiesOf,
} from './catalogue-facts.js';
import {
  estimateRisk,
  evidenceByScope,
  policiesOf,
  requirementText,
  riskRaisers,
  routineWindow,
} from './change-guidance.js';
import { type Contribution, type ContributionSection, contributionOf, section } from './contribution.js';
import {
  code,
  count,
  DEFAULT_TIME_ZONE,
  duration,
  HOUR,
  list,
  localTime,
  MINUTE,
  num,
  objective,
  pct,
  pctSig,
  times,
  window,
} from './format.js';
import { proposedSlo, releaseFigures, type SloFacts, sloFacts, type TierFacts } from './slo-facts.js';
import { Citations } from './sources.js';
import { CANARY_STEP_HOLD_MS, CANARY_STEPS, ROLLING_BATCH, TIER_GUIDE } from './tier-guide.js';
import type { ServiceContributionInput, SloStatusFacts } from './types.js';

interface Context {
  readonly input: ServiceContributionInput;
  readonly service: ServiceView;
  readonly now: Date;
  readonly zone: string;
  readonly owner: Team | undefined;
  readonly slos: ReadonlyArray<SloFacts>;
  readonly dependencies: ReadonlyArray<DependencyFact>;
  readonly hard: ReadonlyArray<DependencyFact>;
  readonly thirdParties: ReadonlyArray<ThirdParty>;
  readonly citations: Citations;
}

export function serviceContribution(input: ServiceContributionInput, now: Date): Contribution {
  const service = input.service;
  const dependencies = dependencyFacts(service, input.dependencies);
  const hard = dependencies.filter((fact) => fact.reach !== 'soft');
  const context: Context = {
    input,
    service,
    now,
    zone: input.timeZone ?? DEFAULT_TIME_ZONE,
    owner: input.teams.find((team) => team.name === service.team),
    slos: input.slos.length > 0 ? input.slos.map(sloFacts) : [proposedSlo(service.name, service.tier)],
    dependencies,
    hard,
    thirdParties: thirdPartiesOf(
      [...new Set([...service.thirdParties, ...hard.flatMap((fact) => fact.service.thirdParties)])],
      input.thirdParties,
    ),
    citations: new Citations(),
  };
  const sections: ContributionSection[] = [
    summary(context),
    monitoring(context),
    changeManagement(context),
    deployment(context),
    runbook(context),
    resilience(context),
    capacity(context),
    security(context),
    regulatory(context),
  ];
  return contributionOf(
    {
      kind: 'service',
      subject: service.name,
      title: `Service contribution: ${service.displayName ?? service.name}`,
      sections,
      citations: context.citations.list(),
    },
    now,
    context.zone,
  );
}

function summary(context: Context): ContributionSection {
  const { service, input } = context;
  const ibses = input.importantBusinessServices;
  const direct = service.dependencies;
  const paragraphs = [
    `${code(service.name)}${service.displayName === undefined ? '' : ` (${service.displayName})`} is a tier ${service.tier} service owned by ${teamName(input.teams, service.team)}, described as “${service.description}”`,
    ibses.length === 0
      ? 'It supports no important business service in the catalogue, so no impact tolerance applies to it directly.'
      : `It supports ${count(ibses.length, 'important business service')}: ${list(ibses.map((ibs) => `${code(ibs.name)} (impact tolerance ${duration(ibs.impactTolerance.maxTolerableDisruption)})`))}.`,
    `Regulatory scope: ${scopeText(service.regulatoryScope)}. It has ${count(direct.filter((edge) => edge.kind === 'hard').length, 'hard dependency', 'hard dependencies')} and ${count(direct.filter((edge) => edge.kind === 'soft').length, 'soft dependency', 'soft dependencies')}, reaches ${count(input.dependencies.length, 'service')} in all, relies on ${count(context.thirdParties.length, 'third party', 'third parties')}, and ${input.dependants.length === 0 ? 'no other service depends on it' : `${count(input.dependants.length, 'service')} depend${input.dependants.length === 1 ? 's' : ''} on it`}.`,
  ];
  const findings: string[] = [];
  findings.push(recoveryFinding(context));
  const spofs = context.hard.length + context.thirdParties.length;
  findings.push(
    spofs === 0
      ? 'No single point of failure is visible in the catalogue.'
      : `${count(spofs, 'possible single point of failure', 'possible single points of failure')} (see Resilience and recovery).`,
  );
  const proposed = context.slos.find((slo) => slo.proposed);
  findings.push(
    proposed === undefined
      ? `${count(context.slos.length, 'SLO')} defined, with burn-rate alerts computed below.`
      : `No SLO is defined: sre-agent proposes ${objective(proposed.objectivePercent)} availability over ${proposed.periodText} as a start.`,
  );
  const lowest = lowestBudget(input.sloStatuses ?? []);
  if (lowest?.budgetRemaining !== undefined) {
    findings.push(`Lowest error budget remaining: ${pct(lowest.budgetRemaining, 1)} on ${code(lowest.id)}.`);
  }
  const inForce = freezesCovering(input.freezeWindows, service, context.now).filter((fact) => fact.inForce);
  if (inForce.length > 0)
    findings.push(`A freeze is in force now: ${list(inForce.map((fact) => code(fact.window.name)))}.`);
  return section('service', 'summary', { paragraphs, bullets: findings });
}

function recoveryFinding(context: Context): string {
  const { service } = context;
  const tolerance = service.tightestImpactTolerance;
  if (service.rto === undefined) return 'No recovery time objective (RTO) is recorded: set one.';
  if (tolerance === undefined) {
    const guide = TIER_GUIDE[service.tier].rtoMs;
    return service.rto <= guide
      ? `RTO ${duration(service.rto)}, within sre-agent’s guide of ${duration(guide)} for tier ${service.tier}.`
      : `RTO ${duration(service.rto)} is longer than sre-agent’s guide of ${duration(guide)} for tier ${service.tier}.`;
  }
  return service.rto > tolerance
    ? `RTO ${duration(service.rto)} exceeds the tightest impact tolerance it supports (${duration(tolerance)}): a recovery that meets its RTO still breaches that tolerance.`
    : `RTO ${duration(service.rto)} is within the tightest impact tolerance it supports (${duration(tolerance)}), leaving ${duration(tolerance - service.rto)} for detection and decisions.`;
}

function lowestBudget(statuses: ReadonlyArray<SloStatusFacts>): SloStatusFacts | undefined {
  return statuses.reduce<SloStatusFacts | undefined>(
    (lowest, status) =>
      status.budgetRemaining !== undefined &&
      (lowest?.budgetRemaining === undefined || status.budgetRemaining < lowest.budgetRemaining)
        ? status
        : lowest,
    undefined,
  );
}

const BUDGETING_TEXT = {
  Occurrences: 'good events over all events',
  Timeslices: 'good time slices over all slices',
  RatioTimeslices: 'the average of each time slice’s ratio',
} as const;

function monitoring(context: Context): ContributionSection {
  const { service, slos, citations } = context;
  citations.add('googleBudget', 'googleAlerting');
  const paragraphs = [
    'In plain terms: a service level indicator (SLI) is the share of events that went well, such as requests answered without a server error; the service level objective (SLO) is the share we promise over a period; the error budget is the failure that promise leaves room for; and the burn rate is how fast the budget is being spent, where 1× would use it up exactly at the end of the period. Alerts fire on burn rate, not on single errors, so people are woken only when the promise is genuinely at risk.',
  ];
  for (const slo of slos) paragraphs.push(sloParagraph(context, slo));
  const rows = slos.flatMap((slo) =>
    slo.tiers.map((tier) => [
      code(slo.id),
      code(tier.name),
      tier.enabled ? actionOf(tier) : 'disabled',
      `${window(tier.longWindowMs)} / ${window(tier.shortWindowMs)}`,
      times(tier.factor),
      pctSig(tier.errorRatio),
      pct(tier.budgetConsumed, 1),
      duration(tier.exhaustionMs),
    ]),
  );
  const pages = slos.flatMap((slo) =>
    slo.tiers.filter((tier) => tier.enabled && tier.severity === 'page').map((tier) => tierText(slo, tier)),
  );
  const tickets = slos.flatMap((slo) =>
    slo.tiers.filter((tier) => tier.enabled && tier.severity === 'ticket').map((tier) => tierText(slo, tier)),
  );
  const hardNames = context.hard.filter((fact) => fact.reach === 'direct-hard').map((fact) => code(fact.service.name));
  const bullets = [
    pages.length === 0
      ? `Page: nothing pages today. A tier ${service.tier} service needs at least one page tier; add the workbook's 14.4× over 1 hour and 6× over 6 hours.`
      : `Page the on-call engineer (someone is woken): ${list(pages)}.`,
    tickets.length === 0
      ? 'Ticket: nothing opens a ticket today; add the slow tiers (3× over 1 day, 1× over 3 days) so slow erosion of the budget is seen in working hours.'
      : `Open a ticket (handled in working hours): ${list(tickets)}.`,
    `Alert on missing data: ${service.tier <= 2 ? 'page' : 'open a ticket'} when the SLI’s total series has reported nothing for 10 minutes. A silent exporter looks like a perfect SLI and would hide an outage.`,
    `Record, do not alert: the error ratio over each alert window (5m, 30m, 1h, 2h, 6h, 1d and 3d) and the budget remaining over the period, as recording rules (${code('sre-agent slo rules')}); latency percentiles (p50, p95, p99); saturation (CPU, memory, connection pools, queue depth); deployment markers.`,
    hardNames.length === 0
      ? 'Record the error ratio and latency of every outbound call, so a page can say at once whether the fault is here or downstream.'
      : `Record the error ratio and latency of calls to ${list(hardNames)}, so a page can say at once whether the fault is here or in a dependency.`,
    'Never page on a cause alone: high CPU, restarts or queue growth are shown beside the SLO and investigated when a burn-rate alert fires, not paged by themselves.',
  ];
  const guarded = slos.filter((slo) => slo.minimumEvents > 0);
  bullets.push(
    guarded.length > 0
      ? `Low-traffic guard: ${list(guarded.map((slo) => `${code(slo.id)} stays quiet while a window holds fewer than ${count(slo.minimumEvents, 'event')}`))}.`
      : 'No low-traffic guard is set. If traffic falls to a handful of requests at night, one failure can trip the fast page; set a minimum of about 100 events per window for such periods.',
  );
  return section('service', 'monitoring', {
    paragraphs,
    bullets,
    table: {
      columns: [
        'SLO',
        'Alert tier',
        'Action',
        'Long / short window',
        'Burn rate',
        'Error ratio above',
        'Budget used when it fires',
        'Whole budget gone in',
      ],
      rows,
    },
  });
}

function sloParagraph(context: Context, slo: SloFacts): string {
  const lead = slo.proposed
    ? `No SLO is defined for ${code(context.service.name)}. Start with ${code(slo.id)}: ${objective(slo.objectivePercent)} of requests answered without a server error over ${slo.periodText}, sre-agent’s starting point for tier ${context.service.tier}; the figures below are for that proposal.`
    : `${code(slo.id)}: ${objective(slo.objectivePercent)} over ${slo.periodText}, counted as ${BUDGETING_TEXT[slo.budgeting]}${slo.description === undefined ? '' : ` (${slo.description.replace(/\.$/, '')})`}.`;
  const budget = ` Its error budget is ${pctSig(slo.budget)} of events: about ${num(slo.budgetMinutes, 1)} minutes of complete failure per ${duration(slo.periodMs)} at even traffic.`;
  const status = context.input.sloStatuses?.find((candidate) => candidate.id === slo.id);
  const now =
    status?.budgetRemaining === undefined
      ? ''
      : ` At the last evaluation ${pct(status.budgetRemaining, 1)} of it remained${status.budgetRemainingMinutes === undefined ? '' : ` (${num(status.budgetRemainingMinutes, 1)} minutes)`}${status.timeToExhaustionMs === undefined ? '' : `, gone in ${duration(Math.round(status.timeToExhaustionMs / MINUTE) * MINUTE)} at the current burn rate`}.`;
  return `${lead}${budget}${now}`;
}

function actionOf(tier: TierFacts): string {
  const action = tier.severity === 'page' ? 'page' : 'ticket';
  return tier.holdMs > 0 ? `${action} after ${duration(tier.holdMs)}` : action;
}

function tierText(slo: SloFacts, tier: TierFacts): string {
  return `${code(slo.id)} at ${times(tier.factor)} (error ratio above ${pctSig(tier.errorRatio)} over both ${window(tier.longWindowMs)} and ${window(tier.shortWindowMs)}, ${pct(tier.budgetConsumed, 1)} of the budget gone)`;
}

function changeManagement(context: Context): ContributionSection {
  const { service, input, zone, citations } = context;
  const policies = policiesOf(input.policies);
  const routine = estimateRisk(
    {
      type: 'normal',
      template: undefined,
      plannedWindow: routineWindow(context.now, zone),
      changeFailureRate: 0,
      budgetRemaining: 1,
      freezes: [],
    },
    [service],
    input.dependants,
    zone,
    policies,
  );
  const owner = teamName(input.teams, service.team);
  const firstBand = policies.risk.changeFailureRate.atLeast.reduce(
    (lowest, band) => Math.min(lowest, band.atLeast),
    Number.POSITIVE_INFINITY,
  );
  const paragraphs = [
    `A normal change to ${code(service.name)} alone, planned inside business hours and clear of any freeze, with a healthy error budget and a recent change failure rate under ${pct(firstBand, 0)}, scores ${count(routine.assessment.score, 'point')}: ${routine.assessment.level} risk. It needs ${requirementText(routine.requirement, [owner])}. The requester and the implementer can never approve their own change.`,
    riskRaisers(policies),
  ];
  const gated = DEFAULT_GATE_POLICY.changeRequiredForTiers.some((tier) => tier === service.tier);
  paragraphs.push(
    gated
      ? `The deployment gate (${code(`sre-agent gate check --service ${service.name}`)}) refuses a tier ${service.tier} deployment without an approved change, denies it during a freeze or with the budget exhausted unless it is an emergency, and holds it while a SEV1 or SEV2 incident is open.`
      : `The deployment gate does not ask for a change request at tier ${service.tier}, but still denies a deployment during a freeze that covers it or with the error budget exhausted.`,
  );
  const freezes = freezesCovering(input.freezeWindows, service, context.now);
  paragraphs.push(
    freezes.length === 0
      ? 'No freeze window covers this service.'
      : `${count(freezes.length, 'freeze window')} cover${freezes.length === 1 ? 's' : ''} it; only emergency changes go ahead while one is in force. The evidence every change to it must carry follows the table.`,
  );
  return section('service', 'change-management', {
    paragraphs,
    bullets: evidenceByScope(service.regulatoryScope, citations),
    table: {
      columns: ['Freeze window', 'In force now or next', 'Recurs', 'Reason'],
      rows: freezes.map((fact) => [
        code(fact.window.name),
        `${fact.inForce ? 'now, ' : ''}${localTime(fact.start, zone)} to ${localTime(fact.end, zone)}`,
        fact.window.schedule.kind === 'recurring' ? 'yes' : 'no',
        `“${fact.window.reason}”`,
      ]),
    },
  });
}

function deployment(context: Context): ContributionSection {
  const { service, citations } = context;
  const figures = releaseFigures(context.slos);
  const strategy = TIER_GUIDE[service.tier].strategy;
  citations.add('argoAnalysis');
  if (figures === undefined) {
    return section('service', 'deployment', { paragraphs: ['No SLO is available to judge a release against.'] });
  }
  const basis = `Releases are judged on ${code(figures.slo.id)}, the SLO with the least room: its budget allows an error ratio of ${pctSig(figures.budget)}. To show that a clean result is below that with 95% confidence a step must serve at least ${count(figures.events, 'request')} (3 divided by the allowed error ratio, the rule of three).`;
  const rollbackWithin = service.rto === undefined ? undefined : Math.min(service.rto / 2, 15 * MINUTE);
  const rollbackTime =
    rollbackWithin === undefined || service.rto === undefined
      ? 'Rehearse the rollback and time it; no RTO is recorded to hold it against.'
      : `The rollback must finish within ${duration(rollbackWithin)}, well inside the RTO of ${duration(service.rto)}; rehearse it and time it.`;
  switch (strategy) {
    case 'canary':
      return section('service', 'deployment', {
        paragraphs: [
          `Tier ${service.tier} releases go out as a canary: a small share of traffic reaches the new version first, and automated analysis decides at every step whether to go on, wait or roll back. sre-agent’s deployment gate is asked before each step, through the ${code('sre-agent-gate')} analysis template for Argo Rollouts or the Flagger webhooks in ${code('examples/delivery')}.`,
          basis,
        ],
        bullets: [
          `Roll back at once, without waiting for the step to end, when the canary’s error ratio over 5 minutes exceeds ${pctSig(figures.fast)} (the ${times(figures.fastFactor)} fast-page threshold) or the gate answers deny.`,
          'Hold the step, neither promoting nor rolling back, while the gate answers hold (an open SEV1 or SEV2 incident, or a low budget without its extra approval); resume when it allows.',
          `After the last step keep the previous version’s capacity for ${duration(figures.slowLongMs)}, the slow page’s long window, so a slow burn can still be undone quickly.`,
          rollbackTime,
        ],
        table: {
          columns: ['Step', 'Traffic to the new version', 'Hold at least', 'Promote when', 'Roll back when'],
          rows: CANARY_STEPS.map((share, index) => [
            `Step ${index + 1}`,
            pct(share, 0),
            `${duration(CANARY_STEP_HOLD_MS)} and ${count(Math.ceil(figures.events), 'request')}`,
            `error ratio at or below ${pctSig(figures.budget)} and no more than ${pctSig(figures.budget)} above the current version; gate allows`,
            `error ratio above ${pctSig(figures.slow)} (${times(figures.slowFactor)}) over the step, or gate denies`,
          ]),
        },
      });
    case 'blue-green':
      return section('service', 'deployment', {
        paragraphs: [
          `Tier ${service.tier} releases go out blue-green: the new version (green) starts at full size beside the current one (blue), is checked without customer traffic, then takes all traffic in one switch. Switching back is just as quick, which keeps a bad release well inside the RTO.`,
          basis,
        ],
        bullets: [rollbackTime],
        table: {
          columns: ['Stage', 'What happens', 'Go on when', 'Switch back when'],
          rows: [
            [
              'Pre-promotion analysis',
              `smoke tests and at least ${count(figures.events, 'synthetic or mirrored request')} against green`,
              `error ratio at or below ${pctSig(figures.budget)}; gate allows`,
              'not applicable: blue still has all traffic; fix or abandon green',
            ],
            [
              'Switch',
              'all traffic moves to green',
              'the switch completes and readiness holds',
              'readiness fails on green',
            ],
            [
              'Post-promotion watch',
              `blue kept at full size for ${duration(figures.slowLongMs)}`,
              'no page tier fires during the watch',
              `error ratio above ${pctSig(figures.fast)} over 5 minutes or above ${pctSig(figures.slow)} over ${duration(figures.slowShortMs)}, or gate denies`,
            ],
            [
              'Retire blue',
              'blue scaled down',
              'the watch ended cleanly',
              'not applicable: redeploy the previous version',
            ],
          ],
        },
      });
    case 'rolling':
      return section('service', 'deployment', {
        paragraphs: [
          `Tier ${service.tier} releases go out as a rolling update: instances are replaced ${pct(ROLLING_BATCH, 0)} at a time, each batch passing its readiness checks before the next starts.`,
          basis,
        ],
        bullets: [
          `Pause for ${duration(CANARY_STEP_HOLD_MS)} after the first batch; go on while the new instances’ error ratio stays at or below ${pctSig(figures.slow)} (${times(figures.slowFactor)}).`,
          `Roll back to the previous revision when the error ratio over 5 minutes exceeds ${pctSig(figures.fast)} (${times(figures.fastFactor)}), or when readiness fails on 2 instances in a row.`,
          rollbackTime,
        ],
      });
    default:
      return assertNever(strategy);
  }
}

function runbook(context: Context): ContributionSection {
  const { service, owner, input, citations } = context;
  const guide = TIER_GUIDE[service.tier];
  const severity = severityFor(DEFAULT_SEVERITY_POLICY, {
    tier: service.tier,
    impact: 'critical',
    supportsImportantBusinessService: input.importantBusinessServices.length > 0,
  });
  const escalation = escalationSteps(owner);
  const steps = [
    `Acknowledge within ${duration(guide.acknowledgeWithinMs)}. The page goes to ${teamName(input.teams, service.team)} through ${pageTarget(owner)}; work in the open on ${channelsText(owner)}.${escalation.length === 0 ? '' : ` Unanswered, it escalates ${escalation.join('; ')}.`}`,
    `Declare the incident: ${code(`sre-agent incident declare --service ${service.name} --title "<what users see>"`)}. A fast-burn page on this service is ${severity === 'none' ? 'recorded without an incident by default; declare one by hand if customers are affected' : severity} by default. The awareness time recorded here starts the regulatory clocks.`,
    `Assign an incident commander, a communications lead and an operations lead (${code('sre-agent incident assign')}); the commander decides, the others act.`,
  ];
  const ibses = input.importantBusinessServices;
  if (ibses.length > 0) {
    steps.push(
      `Measure the impact against the impact tolerances: ${list(ibses.map((ibs) => `${code(ibs.name)} tolerates ${duration(ibs.impactTolerance.maxTolerableDisruption)} (sre-agent warns at ${list([0.5, 0.75, 0.9].map((fraction) => duration(ibs.impactTolerance.maxTolerableDisruption * fraction)))})`))}. Follow them with ${code('sre-agent incident clocks <id>')}.`,
    );
  }
  steps.push(
    `Look for a recent change first: ${code(`sre-agent change list --service ${service.name}`)}. If a release went out in the last ${duration(6 * HOUR)}, roll it back before diagnosing further.`,
  );
  const directHard = context.hard.filter((fact) => fact.reach === 'direct-hard');
  if (directHard.length > 0) {
    steps.push(
      `Check its hard dependencies: ${list(directHard.map((fact) => `${code(fact.service.name)} (${teamName(input.teams, fact.service.team)}, ${channelsText(input.teams.find((team) => team.name === fact.service.team))})`))}. If one of them is the cause, add it to the incident and page its team.`,
    );
  }
  if (context.thirdParties.length > 0) {
    citations.add('doraThirdPartyOrigin');
    steps.push(
      `Check the third parties it relies on (${list(context.thirdParties.map((party) => `${code(party.name)}, ${party.criticality}`))}): their status pages and support lines. Record a provider fault in the incident; a DORA initial notification asks whether the incident started at a third party.`,
    );
  }
  steps.push(
    service.rto === undefined
      ? 'Restore service: fail over, roll back or shed load. No RTO is recorded, so escalate to the commander after 30 minutes without progress.'
      : `Restore service within the RTO of ${duration(service.rto)} from the start of degradation: fail over, roll back or shed load before looking for root cause.${rpoCheck(service.rpo)}`,
  );
  if (service.regulatoryScope.includes('dora-cif') || ibses.length > 0) {
    citations.add('doraClassification', 'doraReporting');
    steps.push(
      `Classify it for the regulators (${code('sre-agent incident classify <id>')}) as soon as the facts allow. Under DORA it is major when critical services are affected and two thresholds are met, one of them being more than 2 hours of downtime for a service supporting a critical or important function; the initial notification is then due within 4 hours of classification and no later than 24 hours after awareness.`,
    );
  }
  if (service.regulatoryScope.includes('personal-data')) {
    citations.add('gdprBreach');
    steps.push(
      'If personal data may have been exposed, tell the data protection officer now: a breach must reach the ICO within 72 hours of awareness where feasible.',
    );
  }
  steps.push(
    `Post updates every ${duration(guide.updateEveryMs)} while customers are affected (status page and stakeholders), with ${code('sre-agent incident update')} so the ledger has them too.`,
    `Resolve and review: ${code('sre-agent incident resolve <id>')}, then draft the blameless post-incident review (${code('sre-agent incident report <id>')}) and turn its actions into change requests.`,
  );
  citations.add('isoIncident', 'doraRecording');
  const paragraphs = [
    `Severity follows the tier: a page on a tier ${service.tier} service ${input.importantBusinessServices.length > 0 ? 'that supports an important business service ' : ''}is answered within ${duration(guide.acknowledgeWithinMs)}. Every incident is recorded, not only the major ones.`,
  ];
  if (service.runbook !== undefined) paragraphs.push(`Service-specific procedures: ${service.runbook}`);
  return section('service', 'runbook', { paragraphs, bullets: steps, numbered: true });
}

function rpoCheck(rpo: number | undefined): string {
  if (rpo === undefined) return '';
  return rpo === 0
    ? ' Then confirm that no committed data was lost (its RPO is 0 seconds) and reconcile anything in flight.'
    : ` Then confirm that no more than ${duration(rpo)} of data was lost (the RPO) and reconcile anything in flight.`;
}

function resilience(context: Context): ContributionSection {
  const { service, input, citations } = context;
  const paragraphs = [recoveryFinding(context)];
  const slower = context.hard.filter(
    (fact) => fact.service.rto !== undefined && service.rto !== undefined && fact.service.rto > service.rto,
  );
  if (service.rto !== undefined) {
    if (slower.length === 0) {
      paragraphs.push(
        context.hard.length === 0
          ? 'It has no hard dependency, so nothing else in the catalogue holds back its recovery.'
          : 'Every hard dependency recovers at least as fast as it does, so its own RTO is the one that counts.',
      );
    } else {
      const effective = Math.max(...slower.map((fact) => fact.service.rto ?? 0));
      paragraphs.push(
        `${list(slower.map((fact) => `${code(fact.service.name)} (RTO ${duration(fact.service.rto ?? 0)})`))} recover${slower.length === 1 ? 's' : ''} more slowly than its own RTO of ${duration(service.rto)}; while ${slower.length === 1 ? 'it is' : 'they are'} down this service cannot recover, so its effective RTO is ${duration(effective)}.${service.tightestImpactTolerance !== undefined && effective > service.tightestImpactTolerance ? ` That exceeds the impact tolerance of ${duration(service.tightestImpactTolerance)}.` : ''}`,
      );
    }
  }
  const guide = TIER_GUIDE[service.tier];
  if (service.rpo === undefined) {
    paragraphs.push(
      `No recovery point objective (RPO) is recorded; sre-agent’s guide for tier ${service.tier} is ${duration(guide.rpoMs)} at most.`,
    );
  } else {
    paragraphs.push(
      service.rpo === 0
        ? 'Its RPO is 0 seconds: no committed data may be lost, which needs synchronous replication and a restore test that proves it.'
        : `Its RPO is ${duration(service.rpo)}${service.rpo > guide.rpoMs ? `, looser than sre-agent’s guide of ${duration(guide.rpoMs)} for tier ${service.tier}` : ''}; backups or replication must run at least that often.`,
    );
  }
  const rows: string[][] = [];
  for (const fact of context.hard) {
    rows.push([
      code(fact.service.name),
      fact.reach === 'direct-hard' ? 'service, hard, direct' : 'service, hard, through another dependency',
      'no redundancy is recorded in the catalogue: its outage is this service’s outage',
      fact.service.rto === undefined ? 'no RTO recorded' : `RTO ${duration(fact.service.rto)}`,
      teamName(input.teams, fact.service.team),
    ]);
  }
  for (const party of context.thirdParties) {
    const direct = service.thirdParties.includes(party.name);
    rows.push([
      code(party.name),
      `third party, ${party.criticality}${direct ? '' : ', through a dependency'}`,
      `relied on by ${count(party.services.length, 'catalogue service')} with no alternative provider recorded`,
      'set by the provider: hold its recovery commitments and an exit plan',
      'supplier management',
    ]);
  }
  const soft = service.dependencies.filter((edge) => edge.kind === 'soft').map((edge) => code(edge.service));
  const beyond = context.dependencies.filter((fact) => fact.reach === 'soft').length - soft.length;
  const bullets: string[] = [];
  if (soft.length > 0) {
    bullets.push(
      `Soft dependencies (${list(soft)}${beyond > 0 ? `, and ${count(beyond, 'service')} reached only through them` : ''}) only degrade it: test that it keeps serving with each of them switched off.`,
    );
  }
  if (service.regulatoryScope.includes('dora-cif')) {
    citations.add('doraContinuityTests', 'doraTestingProgramme', 'doraBackup', 'doraRecoveryPlans', 'doraRegister');
    bullets.push(
      'Test failover at least yearly and after any substantive change, including a switchover to redundant capacity, and record the achieved recovery time against the RTO.',
      'Restore a backup onto systems segregated from production on a schedule set by its criticality, and record the achieved recovery point against the RPO.',
      'Keep a response and recovery plan with its activation conditions, recovery objectives, partial-recovery options and success criteria; the third parties above belong in the register of information.',
    );
  } else {
    bullets.push(
      'Test failover and a backup restore at least yearly, recording the achieved recovery time and recovery point against the RTO and RPO.',
    );
  }
  citations.add('isoContinuity');
  return section('service', 'resilience', {
    paragraphs,
    bullets,
    table: { columns: ['Possible single point of failure', 'Kind', 'Why', 'Recovery', 'Owner'], rows },
  });
}

function capacity(context: Context): ContributionSection {
  const { service, input, zone, citations } = context;
  const latency = context.slos.find((slo) => /latenc/i.test(`${slo.name} ${slo.description ?? ''}`));
  const bullets = [
    'Throughput: open a ticket when the busiest hour passes 70% of the highest load the service has been tested to carry; throughput alone never pages.',
    'Saturation: open a ticket when CPU stays above 80% or memory above 85% for 15 minutes on any instance, or a connection pool reaches 80% of its size; record queue depth and the age of the oldest message.',
    service.tier <= 2
      ? 'Headroom: keep enough capacity to lose one availability zone at the daily peak and still meet the SLO.'
      : 'Headroom: keep enough capacity to lose one instance at the daily peak and still meet the SLO.',
    'Forecasts: open a ticket when storage, a licence or a quota is forecast to run out within 14 days at the growth of the last 7 days.',
  ];
  if (latency !== undefined) {
    bullets.push(
      `Latency is the user-facing saturation signal: ${code(latency.id)} already alerts on it through its burn-rate tiers.`,
    );
  }
  if (context.thirdParties.length > 0) {
    bullets.push(
      `Third-party limits: track contracted rate limits at ${list(context.thirdParties.map((party) => code(party.name)))} and open a ticket at 70% of a limit.`,
    );
  }
  const freezes = freezesCovering(input.freezeWindows, service, context.now);
  for (const fact of freezes) {
    bullets.push(
      `Before ${code(fact.window.name)} (${fact.inForce ? 'in force now' : `next from ${freezeStart(fact.start, zone)}`}): confirm headroom for the peak, because capacity changes are restricted while it runs.`,
    );
  }
  citations.add('doraCapacity');
  return section('service', 'capacity', {
    paragraphs: [
      'Capacity is judged against the load the service has been shown to carry, not against yesterday’s traffic. These signals only record or open tickets; the SLO pages when users feel the shortage.',
    ],
    bullets,
  });
}

function freezeStart(start: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: zone }).format(start);
}

function security(context: Context): ContributionSection {
  const { service, citations } = context;
  const has = (scope: (typeof service.regulatoryScope)[number]) => service.regulatoryScope.includes(scope);
  citations.add('isoLogging', 'soc2Operations');
  const bullets = [
    'Authentication failures and access denials: record them per minute; open a ticket at 3× the same hour’s 7-day average and page at 10× held for 10 minutes (a credential-stuffing or misconfiguration signal).',
    `Configuration changes made outside an approved change request: detect them and open a ticket${service.tier <= 2 ? ', paging when they touch access control or network policy' : ''}.`,
    `Logging pipeline: ${service.tier <= 2 ? 'page' : 'open a ticket'} when logs from the service stop arriving for 15 minutes; an unlogged period is an audit gap.`,
    'Clock offset: open a ticket when any host drifts more than 100 milliseconds from the reference time source; incident timelines and regulatory timestamps depend on it.',
    `Certificates: open a ticket 30 days before a certificate expires${service.tier <= 2 ? ' and page 7 days before' : ''}.`,
  ];
  if (has('pci')) {
    citations.add('pciLogging');
    bullets.push(
      'PCI DSS requirement 10: log access to cardholder data, administrative actions, access to the audit logs, invalid access attempts and credential changes, each entry with user, event type, time, outcome, origin and resource; review security logs daily; keep 12 months of logs with the latest 3 months immediately available.',
    );
  }
  if (has('dora-cif')) {
    citations.add('doraLogging', 'doraAccessAndScanning');
    bullets.push(
      'DORA: protect logs from tampering and deletion and alert on logging failures; scan its assets for vulnerabilities weekly and review access rights every 6 months.',
    );
  }
  if (has('personal-data')) {
    citations.add('gdprBreach');
    bullets.push(
      'Personal data: open a ticket on unusual bulk reads or exports of personal data (for example more than 10× a user’s 30-day daily average); a confirmed breach starts the 72-hour clock to the ICO.',
    );
  }
  if (has('sox')) {
    bullets.push(
      'Financial reporting data: log every privileged change to ledger data and reconcile the log against approved changes each month.',
    );
  }
  return section('service', 'security', {
    paragraphs: [
      'Security monitoring watches for misuse and for loss of the evidence trail. Most of it opens tickets; only signals of active attack or of lost logging on a critical service page someone.',
    ],
    bullets,
  });
}

function regulatory(context: Context): ContributionSection {
  const { service, input, citations } = context;
  const has = (scope: (typeof service.regulatoryScope)[number]) => service.regulatoryScope.includes(scope);
  const rows: string[][] = [
    [
      'SLOs and burn-rate alerting',
      'the objectives, budgets and alert tiers in Monitoring and alerting',
      'Google SRE workbook, “Alerting on SLOs”',
    ],
    [
      'Change management',
      'risk scoring, approvals, freezes and the deployment gate in Change management',
      list([
        ...(has('dora-cif') ? ['DORA RTS 2024/1774 Art 17'] : []),
        ...(has('pci') ? ['PCI DSS 6.5.1–6.5.6'] : []),
        ...(has('sox') ? ['SOX IT general controls'] : []),
        'ISO/IEC 27001 control 8.32',
        'SOC 2 CC8.1',
      ]),
    ],
    [
      'Incident management',
      'the runbook and its regulatory classification step',
      list([
        ...(has('dora-cif') ? ['DORA 2024/1772 and 2025/301'] : []),
        'FCA SUP 15.3',
        ...(has('personal-data') ? ['UK GDPR Art 33'] : []),
        'ISO/IEC 27001 controls 5.24–5.28',
      ]),
    ],
    [
      'Resilience testing',
      'failover, restore and scenario tests in Resilience and recovery',
      has('dora-cif') ? 'DORA Arts 11, 12 and 24; ISO/IEC 27001 control 5.30' : 'ISO/IEC 27001 control 5.30',
    ],
    [
      'Logging and monitoring',
      'Security monitoring',
      list([
        ...(has('pci') ? ['PCI DSS requirement 10'] : []),
        ...(has('dora-cif') ? ['DORA RTS 2024/1774 Art 12'] : []),
        'ISO/IEC 27001 controls 8.15–8.16',
        'SOC 2 CC7',
      ]),
    ],
    ['Capacity', 'Capacity', has('dora-cif') ? 'DORA RTS 2024/1774 Art 9' : 'sre-agent practice'],
  ];
  const regulators = [...new Set(input.importantBusinessServices.flatMap((ibs) => ibs.regulators))];
  const paragraphs = [`${code(service.name)} falls under ${scopeText(service.regulatoryScope)}.`];
  if (input.importantBusinessServices.length > 0) {
    citations.add(
      'syscTolerance',
      'syscMapping',
      'syscScenarioTesting',
      'toleranceBreachIndicator',
      'supImmediate',
      'ukIncidentReporting',
    );
    rows.push([
      'Operational resilience',
      `it is mapped to ${list(input.importantBusinessServices.map((ibs) => code(ibs.name)))}; its recovery is judged against their impact tolerances`,
      `FCA SYSC 15A${regulators.includes('PRA') ? '; PRA SS1/21' : ''}`,
    ]);
    if (regulators.includes('PRA')) citations.add('praSs121');
    paragraphs.push(
      `Through its important business services it answers to ${list(regulators)}. A disruption beyond an impact tolerance is a strong sign that an incident must be reported.`,
    );
  }
  if (context.thirdParties.length > 0 && has('dora-cif')) {
    rows.push([
      'Third-party risk',
      `${list(context.thirdParties.map((party) => code(party.name)))} in the register of information`,
      'DORA Art 28(3)',
    ]);
  }
  for (const scope of service.regulatoryScope) {
    if (!(scope in SCOPE_LABELS)) paragraphs.push(`Scope ${code(scope)} is not one sre-agent knows how to map yet.`);
  }
  return section('service', 'regulatory', {
    paragraphs,
    table: { columns: ['Practice', 'Where it lives for this service', 'Source'], rows },
  });
}
