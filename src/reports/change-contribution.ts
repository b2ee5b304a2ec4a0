/**
 * The SRE agent's review of one change request: its risk, its timing against freezes, the approvals and evidence
 * it still lacks, its regulatory effect, and how to release and roll it back. Pure.
 * @module
 */
import type { RegulatoryScope, ServiceView } from '../catalogue/index.js';
import type { NearbyFreeze } from '../changes/change-risk.js';
import { freezesOverlapping, freezeText, scopeText, teamName } from './catalogue-facts.js';
import { estimateRisk, evidenceByScope, policiesOf, requirementText, riskRaisers } from './change-guidance.js';
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
  pct,
  pctSig,
  times,
} from './format.js';
import { releaseFigures, sloFacts } from './slo-facts.js';
import { Citations } from './sources.js';
import { TIER_GUIDE } from './tier-guide.js';
import type { ChangeContributionInput, ChangeFacts } from './types.js';

/** Free text shorter than this is too thin to stand as evidence. */
const THIN_EVIDENCE_CHARACTERS = 30;
const NONE_ANSWERS = /^\s*(none|n\/?a|no|nil|-+)\s*\.?\s*$/i;

interface Context {
  readonly input: ChangeContributionInput;
  readonly change: ChangeFacts;
  readonly now: Date;
  readonly zone: string;
  readonly scopes: ReadonlyArray<RegulatoryScope>;
  readonly owners: ReadonlyArray<string>;
  readonly missingServices: ReadonlyArray<string>;
  readonly budgetRemaining: { readonly sloId: string; readonly remaining: number } | undefined;
  readonly citations: Citations;
}

interface EvidenceItem {
  readonly item: string;
  readonly state: 'present' | 'missing' | 'thin';
  readonly found: string;
  readonly askedBy: string;
}

export function changeContribution(input: ChangeContributionInput, now: Date): Contribution {
  const change = input.change;
  const known = new Set(input.services.map((service) => service.name));
  const budgetRemaining = (input.budgets ?? []).reduce<{ sloId: string; remaining: number } | undefined>(
    (lowest, budget) => (lowest === undefined || budget.remaining < lowest.remaining ? budget : lowest),
    undefined,
  );
  const context: Context = {
    input,
    change,
    now,
    zone: input.timeZone ?? DEFAULT_TIME_ZONE,
    scopes: [...new Set(input.services.flatMap((service) => service.regulatoryScope))],
    owners: [...new Set(input.services.map((service) => teamName(input.teams, service.team)))],
    missingServices: change.content.services.filter((name) => !known.has(name)),
    budgetRemaining,
    citations: new Citations(),
  };
  const evidence = evidenceItems(context);
  const sections: ContributionSection[] = [
    summary(context, evidence),
    risk(context),
    timing(context),
    approvals(context),
    evidenceSection(context, evidence),
    regulatoryEffect(context),
    deployment(context),
  ];
  return contributionOf(
    {
      kind: 'change',
      subject: change.id,
      title: `Change review: ${change.id}, “${change.content.title}”`,
      sections,
      citations: context.citations.list(),
    },
    now,
    context.zone,
  );
}

function overlaps(context: Context) {
  const planned = context.change.content.plannedWindow;
  if (planned === null || planned === undefined) return [];
  return freezesOverlapping(
    context.input.freezeWindows,
    context.input.services,
    new Date(planned.start),
    new Date(planned.end),
  );
}

function nearbyFreezes(context: Context): NearbyFreeze[] {
  const planned = context.change.content.plannedWindow;
  if (planned === null || planned === undefined) return [];
  const reach = 24 * HOUR;
  const from = new Date(Date.parse(planned.start) - reach);
  const to = new Date(Date.parse(planned.end) + reach);
  return freezesOverlapping(context.input.freezeWindows, context.input.services, from, to).map((fact) => ({
    name: fact.window.name,
    start: fact.start.toISOString(),
    end: fact.end.toISOString(),
  }));
}

function blockers(context: Context, evidence: ReadonlyArray<EvidenceItem>): string[] {
  const { change } = context;
  const found: string[] = [];
  if (change.status === 'draft') found.push('it is still a draft: submit it for review');
  if (change.status === 'rejected') found.push('it was rejected');
  if (!change.approvalsSatisfied)
    found.push(`approvals are missing (${change.missingApprovals.join('; ') || 'not yet assessed'})`);
  const gaps = evidence.filter((item) => item.state !== 'present');
  if (gaps.length > 0)
    found.push(
      `evidence is ${gaps.length === 1 ? 'incomplete' : 'incomplete in several places'}: ${list(gaps.map((item) => item.item.toLowerCase()))}`,
    );
  const frozen = overlaps(context);
  if (frozen.length > 0 && change.content.type !== 'emergency') {
    found.push(`its window overlaps ${list(frozen.map((fact) => code(fact.window.name)))}`);
  }
  if (
    context.budgetRemaining !== undefined &&
    context.budgetRemaining.remaining <= 0 &&
    change.content.type !== 'emergency'
  ) {
    found.push(`the error budget of ${code(context.budgetRemaining.sloId)} is exhausted`);
  }
  const conflicts = selfApprovals(change);
  if (conflicts.length > 0) found.push(`${list(conflicts.map(code))} approved a change they requested or implement`);
  if (context.missingServices.length > 0)
    found.push(
      `${list(context.missingServices.map(code))} ${context.missingServices.length === 1 ? 'is' : 'are'} not in the catalogue`,
    );
  return found;
}

function summary(context: Context, evidence: ReadonlyArray<EvidenceItem>): ContributionSection {
  const { change } = context;
  const content = change.content;
  const found = blockers(context, evidence);
  return section('change', 'summary', {
    paragraphs: [
      `${code(change.id)} is a ${content.type} change, now ${change.status}: “${content.title}”. It is described as “${content.description}”`,
      `The reason given: “${content.reason}” It touches ${list(content.services.map(code))}, was requested by ${code(person(change.requester))} and will be implemented by ${code(person(content.implementer))}.`,
      found.length === 0
        ? 'Verdict: ready to proceed as planned, subject to the deployment gate at release time.'
        : `Verdict: not ready. ${capitalise(found.join('; '))}.`,
    ],
  });
}

function risk(context: Context): ContributionSection {
  const { change, input, zone } = context;
  const policies = policiesOf(input.policies);
  const content = change.content;
  const recorded = change.risk;
  const planned = content.plannedWindow ?? undefined;
  const estimate =
    recorded === undefined
      ? estimateRisk(
          {
            type: content.type,
            template: content.template ?? undefined,
            plannedWindow: planned,
            changeFailureRate: undefined,
            budgetRemaining: context.budgetRemaining?.remaining,
            freezes: nearbyFreezes(context),
          },
          input.services,
          input.dependants,
          zone,
          policies,
        )
      : undefined;
  const assessment = recorded ?? estimate?.assessment;
  const paragraphs: string[] = [];
  if (assessment !== undefined) {
    const levels = policies.risk.levels;
    paragraphs.push(
      `${recorded === undefined ? 'Estimated risk (the change has not been assessed yet, and its recent failure rate is unknown)' : 'Risk as assessed on submission'}: ${assessment.level}, ${count(assessment.score, 'point')}. The policy calls a change medium from ${count(levels.medium, 'point')}, high from ${count(levels.high, 'point')} and critical from ${count(levels.critical, 'point')}.`,
    );
  }
  paragraphs.push(riskRaisers(policies));
  const bullets: string[] = [];
  for (const ibs of input.importantBusinessServices) {
    bullets.push(
      `It can disrupt ${code(ibs.name)}, whose impact tolerance is ${duration(ibs.impactTolerance.maxTolerableDisruption)}.`,
    );
  }
  if (input.dependants.length > 0) {
    bullets.push(
      `Blast radius: ${count(input.dependants.length, 'service')} depend${input.dependants.length === 1 ? 's' : ''} on what it changes (${list(input.dependants.map(code))}).`,
    );
  }
  if (context.budgetRemaining !== undefined) {
    bullets.push(
      `Lowest error budget remaining: ${pct(context.budgetRemaining.remaining, 1)} on ${code(context.budgetRemaining.sloId)}.`,
    );
  }
  return section('change', 'risk', {
    paragraphs,
    bullets,
    table:
      assessment === undefined
        ? undefined
        : {
            columns: ['Factor', 'Points', 'Why'],
            rows: assessment.factors.map((factor) => [
              factor.factor,
              count(factor.points, 'point'),
              factor.explanation,
            ]),
          },
  });
}

function timing(context: Context): ContributionSection {
  const { change, zone } = context;
  const planned = change.content.plannedWindow;
  if (planned === null || planned === undefined) {
    return section('change', 'timing', {
      paragraphs: [
        'No planned window is given, so neither business hours nor freeze windows can be checked. Give a start and end time before submitting; DORA expects a timeline in the change record.',
      ],
    });
  }
  const length = Date.parse(planned.end) - Date.parse(planned.start);
  const paragraphs = [
    `Planned from ${localTime(planned.start, zone)} to ${localTime(planned.end, zone)} (${duration(length)}).`,
  ];
  const frozen = overlaps(context);
  const near = nearbyFreezes(context).filter((entry) => !frozen.some((fact) => fact.window.name === entry.name));
  if (frozen.length === 0) {
    paragraphs.push('It overlaps no freeze window that covers the changed services.');
  } else {
    paragraphs.push(
      `It overlaps ${count(frozen.length, 'freeze window')}: ${frozen.map((fact) => freezeText(fact, zone, 'at the start of the window')).join('; ')}`,
      change.content.type === 'emergency'
        ? 'As an emergency change it may go through the freeze; the gate records that it did.'
        : 'Only emergency changes may proceed during a freeze: move the window, or raise it as an emergency with the justification that calls for.',
    );
  }
  if (near.length > 0) {
    paragraphs.push(
      `A freeze starts or ends within ${duration(24 * HOUR)} of the window (${list(near.map((entry) => code(entry.name)))}): leave room to roll back before it begins.`,
    );
  }
  if (Date.parse(planned.end) < context.now.getTime() && ['draft', 'submitted', 'approved'].includes(change.status)) {
    paragraphs.push('The planned window has already passed: set a new one.');
  }
  return section('change', 'timing', { paragraphs });
}

function person(actor: string): string {
  return actor.replace(/^(token|local|user):/, '').trim();
}

function selfApprovals(change: ChangeFacts): string[] {
  const same = (actor: string) => person(actor).toLowerCase();
  const conflicted = new Set([same(change.requester), same(change.content.implementer)]);
  return [
    ...new Set(
      change.approvals.map((approval) => approval.approver).filter((approver) => conflicted.has(same(approver))),
    ),
  ];
}

function approvals(context: Context): ContributionSection {
  const { change, zone, citations } = context;
  citations.add('doraChange', 'soc2Change');
  const paragraphs: string[] = [];
  paragraphs.push(
    change.requirement === undefined
      ? 'The approvals it needs are set when it is submitted; submit it to see them.'
      : `It needs ${requirementText(change.requirement, context.owners)}.`,
  );
  paragraphs.push(
    change.approvals.length === 0
      ? 'No approval is recorded yet.'
      : `Recorded: ${list(change.approvals.map((approval) => `${code(approval.approver)}${approval.asBoard ? ' for the change advisory board' : ''} at ${localTime(approval.at, zone)}`))}.`,
  );
  const bullets = change.approvalsSatisfied
    ? ['The approvals are complete for the current content.']
    : change.missingApprovals.map((missing) => `Missing: ${missing}.`);
  for (const conflicted of selfApprovals(change)) {
    bullets.push(
      `${code(conflicted)} requested or implements this change and cannot approve it: that approval must not count, as approvers must be independent of requesters and implementers.`,
    );
  }
  if (context.scopes.includes('pci')) {
    citations.add('pciSeparation');
    bullets.push(
      'PCI DSS scope: only a reviewed and approved change may be deployed, by someone in a separate role from its author.',
    );
  }
  if (change.content.type === 'emergency') {
    bullets.push(
      change.retrospectiveDueAt === undefined
        ? 'As an emergency change it may start before approval; the approval is then due retrospectively once it starts.'
        : `As an emergency change it must be approved retrospectively by ${localTime(change.retrospectiveDueAt, zone)}.`,
    );
  }
  if (context.budgetRemaining !== undefined) {
    const policies = policiesOf(context.input.policies);
    const extra = policies.approval.extraApprovalsBelowBudget;
    if (context.budgetRemaining.remaining < extra.below) {
      bullets.push(
        `With ${pct(context.budgetRemaining.remaining, 1)} of the error budget left (below ${pct(extra.below, 0)}), it needs ${count(extra.extra, 'extra approval')}.`,
      );
    }
  }
  return section('change', 'approvals', { paragraphs, bullets });
}

function textEvidence(item: string, text: string, askedBy: string, allowNone = false): EvidenceItem {
  const trimmed = text.trim();
  if (trimmed === '') return { item, state: 'missing', found: 'nothing written', askedBy };
  if (!allowNone && NONE_ANSWERS.test(trimmed))
    return { item, state: 'thin', found: `only “${trimmed}”: say why`, askedBy };
  if (trimmed.length < THIN_EVIDENCE_CHARACTERS) {
    return { item, state: 'thin', found: `only ${count(trimmed.length, 'character')}: too little to audit`, askedBy };
  }
  return { item, state: 'present', found: `“${excerpt(trimmed)}”`, askedBy };
}

function excerpt(text: string): string {
  return text.length <= 120 ? text : `${text.slice(0, 117).trimEnd()}…`;
}

function evidenceItems(context: Context): EvidenceItem[] {
  const { change, scopes } = context;
  const content = change.content;
  const pci = scopes.includes('pci');
  const dora = scopes.includes('dora-cif');
  const asked = (...sources: string[]) => list(sources.filter((source) => source !== ''));
  const links = content.links;
  const items: EvidenceItem[] = [
    textEvidence(
      'Reason',
      content.reason,
      asked(pci ? 'PCI DSS 6.5.1' : '', dora ? 'DORA RTS Art 17' : '', 'SOC 2 CC8.1'),
    ),
    textEvidence('Description', content.description, asked(pci ? 'PCI DSS 6.5.1' : '', dora ? 'DORA RTS Art 17' : '')),
    textEvidence(
      'Security impact',
      content.securityImpact,
      asked(pci ? 'PCI DSS 6.5.1' : '', dora ? 'DORA RTS Art 17' : '', 'ISO/IEC 27001 control 8.32'),
    ),
    textEvidence(
      'Test evidence',
      content.testEvidence,
      asked(pci ? 'PCI DSS 6.5.1' : '', 'SOC 2 CC8.1', scopes.includes('sox') ? 'SOX ITGC' : ''),
    ),
    textEvidence(
      'Rollback plan',
      content.rollbackPlan,
      asked(pci ? 'PCI DSS 6.5.1 (return to a secure state)' : '', dora ? 'DORA RTS Art 17 (fall-back)' : ''),
    ),
    content.plannedWindow === null || content.plannedWindow === undefined
      ? {
          item: 'Timeline',
          state: 'missing',
          found: 'no planned window',
          askedBy: asked(dora ? 'DORA RTS Art 17' : '', 'sre-agent risk policy'),
        }
      : {
          item: 'Timeline',
          state: 'present',
          found: `${duration(Date.parse(content.plannedWindow.end) - Date.parse(content.plannedWindow.start))} planned`,
          askedBy: asked(dora ? 'DORA RTS Art 17' : '', 'sre-agent risk policy'),
        },
    links.length === 0
      ? {
          item: 'Linked records',
          state: 'missing',
          found: 'no ticket, pull request or document linked',
          askedBy: 'SOC 2 CC8.1 (tracking)',
        }
      : {
          item: 'Linked records',
          state: 'present',
          found: list(
            links.map((link) => (link.title === undefined || link.title === null ? link.kind : `“${link.title}”`)),
          ),
          askedBy: 'SOC 2 CC8.1 (tracking)',
        },
    change.approvalsSatisfied
      ? {
          item: 'Documented approval',
          state: 'present',
          found: `${count(change.approvals.length, 'approval')} recorded in the ledger`,
          askedBy: asked(pci ? 'PCI DSS 6.5.1' : '', 'SOC 2 CC8.1'),
        }
      : {
          item: 'Documented approval',
          state: 'missing',
          found: change.missingApprovals.join('; ') || 'not yet assessed',
          askedBy: asked(pci ? 'PCI DSS 6.5.1' : '', 'SOC 2 CC8.1'),
        },
  ];
  return items;
}

function evidenceSection(context: Context, evidence: ReadonlyArray<EvidenceItem>): ContributionSection {
  const gaps = evidence.filter((item) => item.state !== 'present').length;
  return section('change', 'evidence', {
    paragraphs: [
      gaps === 0
        ? 'Every item of evidence the change record should carry is present. What each scope asks for:'
        : `${count(gaps, 'item')} of evidence ${gaps === 1 ? 'is' : 'are'} missing or too thin for an auditor to rely on. What each scope asks for:`,
    ],
    bullets: evidenceByScope(context.scopes, context.citations),
    table: {
      columns: ['Evidence', 'State', 'Found', 'Asked for by'],
      rows: evidence.map((item) => [item.item, item.state, item.found, item.askedBy]),
    },
  });
}

function regulatoryEffect(context: Context): ContributionSection {
  const { input, scopes, citations } = context;
  const paragraphs = [`The changed services fall under ${scopeText(scopes)}.`];
  const bullets: string[] = [];
  if (input.importantBusinessServices.length > 0) {
    citations.add('syscTolerance', 'toleranceBreachIndicator');
    bullets.push(
      `Operational resilience: a failed release could disrupt ${list(input.importantBusinessServices.map((ibs) => `${code(ibs.name)} (tolerance ${duration(ibs.impactTolerance.maxTolerableDisruption)})`))}; a disruption beyond a tolerance is a strong sign of a reportable incident, so the rollback must finish well inside the tightest of them.`,
    );
  }
  if (scopes.includes('dora-cif')) {
    citations.add('doraClassification');
    bullets.push(
      'DORA: a change that causes more than 2 hours of downtime on a service supporting a critical or important function meets one materiality threshold for a major incident; the change record is part of the evidence a regulator may ask for.',
    );
  }
  if (scopes.includes('pci')) {
    bullets.push(
      'PCI DSS: if this is a significant change, confirm the PCI DSS controls once it is live and update the documentation (requirement 6.5.2).',
    );
  }
  if (scopes.includes('personal-data')) {
    citations.add('gdprBreach');
    bullets.push(
      'UK GDPR: if the change could expose personal data, say how that is prevented; an exposure starts the 72-hour reporting clock from awareness.',
    );
  }
  if (scopes.includes('sox')) {
    bullets.push(
      'SOX: the change touches financial reporting; keep its approval and test evidence together, because auditors sample exactly these records.',
    );
  }
  if (context.change.content.type === 'emergency') {
    bullets.push(
      'Emergency: document it fully, re-evaluate it and obtain approval afterwards; changes made to resolve incidents are tracked like any other.',
    );
  }
  if (bullets.length === 0)
    bullets.push('No regulatory scope is recorded for the changed services: confirm that none applies.');
  return section('change', 'regulatory', { paragraphs, bullets });
}

function deployment(context: Context): ContributionSection {
  const { input, change, citations } = context;
  const top = input.services.reduce<ServiceView | undefined>(
    (best, service) => (best === undefined || service.tier < best.tier ? service : best),
    undefined,
  );
  if (top === undefined) {
    return section('change', 'deployment', {
      paragraphs: ['No changed service is in the catalogue, so no release strategy can be derived.'],
    });
  }
  const strategy = TIER_GUIDE[top.tier].strategy;
  const figures = releaseFigures(
    input.slos.filter((slo) => input.services.some((service) => service.name === slo.service)).map(sloFacts),
  );
  const paragraphs = [
    `The most critical service it touches is ${code(top.name)}, tier ${top.tier}: release it ${strategy === 'canary' ? 'as a canary with automated analysis at every step' : strategy === 'blue-green' ? 'blue-green, with analysis before and after the switch' : 'as a rolling update, pausing after the first batch'}, asking the gate first: ${code(`sre-agent gate check --service ${top.name} --change ${change.id}`)}.`,
  ];
  const bullets: string[] = [];
  if (figures === undefined) {
    bullets.push(
      `No SLO covers the changed services, so roll back on the error ratio you would page on; define an SLO for ${code(top.name)}.`,
    );
  } else {
    bullets.push(
      `Promote while the new version’s error ratio on ${code(figures.slo.id)} stays at or below ${pctSig(figures.budget)} (the SLO’s own budget) over at least ${count(figures.events, 'request')}.`,
      `Roll back at once when it exceeds ${pctSig(figures.fast)} over 5 minutes (${times(figures.fastFactor)} burn), or ${pctSig(figures.slow)} over ${duration(figures.slowShortMs)} (${times(figures.slowFactor)}).`,
    );
  }
  if (top.rto !== undefined)
    bullets.push(
      `The rollback must complete within ${duration(Math.min(top.rto / 2, 15 * MINUTE))}, inside the ${duration(top.rto)} RTO.`,
    );
  bullets.push(
    change.content.rollbackPlan.trim() === ''
      ? 'The change gives no rollback plan: write one before approval.'
      : `Its own rollback plan: “${excerpt(change.content.rollbackPlan.trim())}”`,
  );
  citations.add('argoAnalysis');
  return section('change', 'deployment', { paragraphs, bullets });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
