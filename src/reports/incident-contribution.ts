/**
 * The SRE agent's contribution to a live or finished incident: where it stands, which regulatory clocks run and
 * when each report is due in local time, who to involve, and what to do next, most urgent first. Pure.
 * @module
 */
import type { Tier } from '../catalogue/index.js';
import type { Clock } from '../incidents/index.js';
import { channelsText, escalationSteps, pageTarget, teamName } from './catalogue-facts.js';
import { type Contribution, type ContributionSection, contributionOf, section } from './contribution.js';
import { code, DEFAULT_TIME_ZONE, duration, list, localTime, MINUTE, pct } from './format.js';
import { Citations } from './sources.js';
import { TIER_GUIDE } from './tier-guide.js';
import type { IncidentContributionInput, IncidentFacts } from './types.js';

const STATUS_TEXT: Readonly<Record<Clock['status'], string>> = {
  pending: 'pending',
  'at-risk': 'at risk',
  due: 'due',
  met: 'met',
  missed: 'missed',
  'not-applicable': 'not applicable',
  'awaiting-anchor': 'not started',
};

const REGIME_NAMES: Readonly<Record<string, string>> = {
  dora: 'DORA',
  gdpr: 'GDPR',
  nis2: 'NIS2',
  'uk-incident-reporting': 'UK incident reporting',
  'uk-impact-tolerance': 'UK operational resilience',
};

interface Context {
  readonly input: IncidentContributionInput;
  readonly incident: IncidentFacts;
  readonly now: Date;
  readonly zone: string;
  readonly open: boolean;
  readonly citations: Citations;
}

export function incidentContribution(input: IncidentContributionInput, now: Date): Contribution {
  const incident = input.incident;
  const context: Context = {
    input,
    incident,
    now,
    zone: input.timeZone ?? DEFAULT_TIME_ZONE,
    open: incident.status !== 'resolved' && incident.status !== 'closed',
    citations: new Citations(),
  };
  const sections: ContributionSection[] = [
    status(context),
    obligations(context),
    responders(context),
    nextActions(context),
  ];
  return contributionOf(
    {
      kind: 'incident',
      subject: incident.id,
      title: `Incident contribution: ${incident.id}, “${incident.title}”`,
      sections,
      citations: context.citations.list(),
    },
    now,
    context.zone,
  );
}

/** Whole minutes, so elapsed times read cleanly. */
function since(from: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - Date.parse(from)) / MINUTE) * MINUTE);
}

function status(context: Context): ContributionSection {
  const { incident, zone, now, input } = context;
  const aware = incident.timestamps.aware?.at ?? incident.declaredAt;
  const paragraphs = [
    `${code(incident.id)} is ${incident.severity}, ${incident.status}. It was declared at ${localTime(incident.declaredAt, zone)}; the organisation has been aware of it since ${localTime(aware, zone)}, ${duration(since(aware, now))} ago.`,
  ];
  if (incident.summary !== undefined) paragraphs.push(`Summary so far: “${incident.summary}”`);
  paragraphs.push(
    incident.classification === undefined
      ? 'It has not been classified for the regulators yet.'
      : `Classified at ${localTime(incident.classification.classifiedAt, zone)}: ${classificationText(incident.classification.regimes)}.${incident.classification.rootCause === undefined ? '' : ` Apparent root cause: “${incident.classification.rootCause}”.`}`,
  );
  const bullets: string[] = [];
  const acknowledged = incident.timestamps.acknowledged;
  bullets.push(
    acknowledged === undefined
      ? 'Not acknowledged.'
      : `Acknowledged by ${code(acknowledged.by)} at ${localTime(acknowledged.at, zone)}.`,
  );
  const roles = (['commander', 'communications', 'operations'] as const).map((role) => {
    const holder = incident.roles[role];
    return holder === undefined ? `${role}: unassigned` : `${role}: ${code(holder.assignee)}`;
  });
  bullets.push(`Roles: ${roles.join('; ')}.`);
  bullets.push(`Alerts joined: ${incident.alerts.firing} firing and ${incident.alerts.resolved} resolved.`);
  if (incident.importantBusinessServices.length > 0) {
    bullets.push(`Important business services affected: ${list(incident.importantBusinessServices.map(code))}.`);
  }
  const rows = incident.services.map((affected) => {
    const service = input.services.find((candidate) => candidate.name === affected.name);
    const end = affected.restoredAt === undefined ? now : new Date(affected.restoredAt);
    const down = affected.degradedAt === undefined ? undefined : since(affected.degradedAt, end);
    return [
      code(affected.name),
      affected.degradedAt === undefined ? 'not recorded' : localTime(affected.degradedAt, zone),
      affected.restoredAt === undefined ? 'not yet' : localTime(affected.restoredAt, zone),
      down === undefined ? 'unknown' : duration(down),
      service?.rto === undefined ? 'none recorded' : duration(service.rto),
      down === undefined || service?.rto === undefined
        ? 'unknown'
        : down <= service.rto
          ? 'within'
          : `exceeded by ${duration(down - service.rto)}`,
    ];
  });
  return section('incident', 'status', {
    paragraphs,
    bullets,
    table: {
      columns: ['Service', 'Degraded from', 'Restored at', 'Disruption', 'RTO', 'Against RTO'],
      rows,
    },
  });
}

function classificationText(regimes: NonNullable<IncidentFacts['classification']>['regimes']): string {
  const parts = [
    regimes.doraMajor ? 'a major ICT-related incident under DORA' : 'not major under DORA',
    regimes.gdprPersonalDataBreach ? 'a personal-data breach' : 'no personal-data breach',
    ...(regimes.nis2Significant ? ['significant under NIS2'] : []),
    regimes.ukOperationalIncident ? 'a reportable UK operational incident' : 'below the UK reporting thresholds',
  ];
  return list(parts);
}

function clockTitle(clock: Clock): string {
  const regime = REGIME_NAMES[clock.regime] ?? clock.regime;
  return 'service' in clock ? `${regime}: impact tolerance of ${code(clock.service)}` : `${regime}: ${clock.title}`;
}

function obligations(context: Context): ContributionSection {
  const { input, zone, citations, incident } = context;
  const rows = input.clocks.map((clock) => {
    if (!('dueAt' in clock)) return [clockTitle(clock), 'none', STATUS_TEXT[clock.status], clock.reason, clock.source];
    const detail =
      'service' in clock
        ? `${pct(clock.fractionOfTolerance, 0)} of ${duration(clock.toleranceMs)} used${clock.warningPercent === undefined ? '' : `; past the ${clock.warningPercent}% warning`}`
        : `${clock.rule}${clock.submittedAt === undefined ? '' : `; submitted ${localTime(clock.submittedAt, zone)}`}${clock.reliefApplied ? '; moved by weekend or bank-holiday relief' : ''}`;
    return [clockTitle(clock), localTime(clock.dueAt, zone), STATUS_TEXT[clock.status], detail, clock.source];
  });
  const regimes = [...new Set(input.clocks.map((clock) => clock.regime))];
  if (regimes.includes('dora')) citations.add('doraReporting');
  if (regimes.includes('gdpr')) citations.add('gdprBreach');
  if (regimes.includes('uk-incident-reporting')) citations.add('ukIncidentReporting');
  if (regimes.includes('uk-impact-tolerance')) citations.add('syscTolerance', 'toleranceBreachIndicator');
  const paragraphs = [
    `Each regime runs its own clock, in parallel; times are shown in ${zone}. A clock is pending while there is time, at risk or due as its deadline nears, and met or missed once it has passed.`,
  ];
  const bullets: string[] = [];
  const disrupted = input.clocks.some((clock) => 'service' in clock);
  if (disrupted && context.open) {
    citations.add('supImmediate');
    bullets.push(
      'Under SUP 15.3.1R the FCA expects to hear immediately of a disruption that could cause serious detriment to customers; do not wait for the formal reporting deadlines.',
    );
  }
  const personal = input.services.filter((service) => service.regulatoryScope.includes('personal-data'));
  const processes = `${list(personal.map((service) => code(service.name)))} ${personal.length === 1 ? 'processes' : 'process'} personal data`;
  if (personal.length > 0 && incident.classification === undefined) {
    citations.add('gdprBreach');
    bullets.push(
      `${processes}: record whether personal data was exposed, and if so the 72-hour clock runs from awareness; record a decision not to report, with its reasons.`,
    );
  } else if (personal.length > 0 && !incident.classification?.regimes.gdprPersonalDataBreach) {
    citations.add('gdprBreach');
    bullets.push(
      `${processes} and the classification records no personal-data breach: keep the reasons for that decision with the incident.`,
    );
  }
  if (input.services.some((service) => service.regulatoryScope.includes('dora-cif'))) {
    citations.add('doraClassification', 'doraRecording');
    bullets.push(
      'DORA: record the incident whatever its classification; it is major when critical services are affected and two thresholds are met, such as more than 2 hours of downtime on a service supporting a critical or important function.',
    );
  }
  return section('incident', 'obligations', {
    paragraphs,
    bullets,
    table: { columns: ['Obligation', 'Due', 'Status', 'Detail', 'Source'], rows },
  });
}

function responders(context: Context): ContributionSection {
  const { input, incident } = context;
  const byTeam = new Map<string, string[]>();
  for (const service of input.services) byTeam.set(service.team, [...(byTeam.get(service.team) ?? []), service.name]);
  const bullets = [...byTeam.entries()].map(([name, services]) => {
    const team = input.teams.find((candidate) => candidate.name === name);
    const steps = escalationSteps(team);
    return `${teamName(input.teams, name)} for ${list(services.map(code))}: page through ${pageTarget(team)}; channels ${channelsText(team)}${steps.length === 0 ? '' : `; escalation ${steps.join('; ')}`}.`;
  });
  const missing = incident.services.filter(
    (affected) => !input.services.some((service) => service.name === affected.name),
  );
  if (missing.length > 0)
    bullets.push(
      `Not in the catalogue, so no owner is known: ${list(missing.map((affected) => code(affected.name)))}.`,
    );
  const commander = incident.roles.commander;
  return section('incident', 'responders', {
    paragraphs: [
      commander === undefined
        ? 'No incident commander is assigned. Until one is, the first responder leads.'
        : `${code(commander.assignee)} commands the incident: decisions and external messages go through them.`,
    ],
    bullets,
  });
}

interface Action {
  /** Lower is more urgent. */
  readonly rank: number;
  readonly text: string;
}

function nextActions(context: Context): ContributionSection {
  const { incident, input, now, zone, citations, open } = context;
  const actions: Action[] = [];
  if (open && incident.timestamps.acknowledged === undefined) {
    actions.push({ rank: 0, text: `Acknowledge the incident now: ${code(`sre-agent incident ack ${incident.id}`)}.` });
  }
  if (open && incident.roles.commander === undefined) {
    actions.push({
      rank: 1,
      text: `Assign an incident commander: ${code(`sre-agent incident assign ${incident.id}`)}.`,
    });
  }
  for (const clock of input.clocks) {
    if (!('dueAt' in clock)) {
      if (clock.status === 'awaiting-anchor') {
        actions.push({ rank: 6, text: `${clockTitle(clock)}: ${clock.reason}; it starts then.` });
      }
      continue;
    }
    const left = Date.parse(clock.dueAt) - now.getTime();
    const due = localTime(clock.dueAt, zone);
    if ('service' in clock) {
      if (clock.status === 'met') continue;
      if (clock.breached) {
        actions.push({
          rank: 2,
          text: `The impact tolerance of ${code(clock.service)} is breached (${duration(clock.toleranceMs)} passed at ${due}): tell the FCA now, keep restoring, and record why in the self-assessment.`,
        });
      } else if (clock.status !== 'missed') {
        actions.push({
          rank: clock.status === 'pending' ? 5 : 3,
          text: `Keep ${code(clock.service)} inside its impact tolerance: ${pct(clock.fractionOfTolerance, 0)} of ${duration(clock.toleranceMs)} used, breached at ${due} (in ${duration(roundMinute(left))}). ${clock.status === 'pending' ? 'Plan the recovery option that fits.' : 'Invoke the recovery plan now, partial recovery included.'}`,
        });
      }
      continue;
    }
    if (clock.status === 'met') continue;
    if (clock.status === 'missed') {
      if (clock.regime === 'dora') citations.add('doraLateReport');
      actions.push({
        rank: 2,
        text: `${clockTitle(clock)} was due at ${due} and has not been submitted: submit it now with the reasons for the delay${clock.regime === 'dora' ? ', and tell the competent authority why the deadline was missed' : ''}. Record it with ${code(`sre-agent incident submitted ${incident.id}`)}.`,
      });
    } else {
      actions.push({
        rank: clock.status === 'pending' ? 5 : 3,
        text: `${clockTitle(clock)} is due at ${due} (in ${duration(roundMinute(left))}): draft it (${code(`sre-agent incident report ${incident.id}`)}), submit it, and record the submission.${clock.regime === 'dora' ? ' If it cannot be met, tell the competent authority before the deadline, with reasons.' : ''}`,
      });
      if (clock.regime === 'dora') citations.add('doraLateReport');
    }
  }
  if (incident.classification === undefined && open) {
    actions.push({
      rank: 4,
      text: `Classify the incident for the regulators as soon as the facts allow: ${code(`sre-agent incident classify ${incident.id}`)}. The report clocks of every regime start from that decision or from awareness.`,
    });
  }
  for (const affected of incident.services) {
    if (affected.restoredAt !== undefined || affected.degradedAt === undefined || !open) continue;
    const service = input.services.find((candidate) => candidate.name === affected.name);
    if (service?.rto === undefined) continue;
    const target = Date.parse(affected.degradedAt) + service.rto;
    const left = target - now.getTime();
    actions.push({
      rank: left < 0 ? 2 : 3,
      text:
        left < 0
          ? `${code(service.name)} is past its RTO of ${duration(service.rto)} (due at ${localTime(new Date(target), zone)}): escalate to the commander and take the fastest recovery option, even a partial one.`
          : `Restore ${code(service.name)} by ${localTime(new Date(target), zone)}, its RTO of ${duration(service.rto)} from the start of degradation (in ${duration(roundMinute(left))}).`,
    });
  }
  if (open) {
    let tier: Tier = 4;
    for (const service of input.services) if (service.tier < tier) tier = service.tier;
    const cadence = TIER_GUIDE[tier].updateEveryMs;
    actions.push({
      rank: 6,
      text: `Post an update at least every ${duration(cadence)} while customers are affected: ${code(`sre-agent incident update ${incident.id}`)}.`,
    });
  } else {
    citations.add('isoIncident');
    actions.push({
      rank: 7,
      text: `Draft the blameless post-incident review (${code(`sre-agent incident report ${incident.id}`)}), address the root cause and track its actions as change requests; lessons learned feed the next scenario test.`,
    });
    if (incident.timestamps.rootCauseAddressed === undefined) {
      actions.push({
        rank: 7,
        text: `Record when the root cause is addressed (${code(`sre-agent incident time ${incident.id} --timestamp rootCauseAddressed`)}): final reports ask for it.`,
      });
    }
  }
  const ordered = actions.sort((a, b) => a.rank - b.rank).map((action) => action.text);
  return section('incident', 'next-actions', {
    paragraphs: ['Most urgent first.'],
    bullets: ordered.length === 0 ? ['Nothing is outstanding.'] : ordered,
    numbered: true,
  });
}

function roundMinute(milliseconds: number): number {
  return Math.max(MINUTE, Math.round(milliseconds / MINUTE) * MINUTE);
}
