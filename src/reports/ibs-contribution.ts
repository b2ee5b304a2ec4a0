/**
 * The SRE agent's contribution about one important business service: its impact tolerance in numbers, the
 * mapping of what delivers it, what would breach it, and the scenario tests that would show it holds. Pure.
 * @module
 */
import type { ServiceView, Team, ThirdParty } from '../catalogue/index.js';
import { REGULATORY_POLICIES } from '../incidents/index.js';
import { dependencyFacts, escalationSteps, teamName } from './catalogue-facts.js';
import { type Contribution, type ContributionSection, contributionOf, section } from './contribution.js';
import { code, count, DEFAULT_TIME_ZONE, duration, list, money, objective, pct } from './format.js';
import { type SloFacts, sloFacts, tierOf } from './slo-facts.js';
import { Citations } from './sources.js';
import type { IbsContributionInput } from './types.js';

const DORA_DOWNTIME_MS = 2 * 3_600_000;
const DORA_CLIENTS = 100_000;
/** A scenario passes with this share of the tolerance still unused. */
const SCENARIO_MARGIN = 0.25;

interface Context {
  readonly input: IbsContributionInput;
  readonly tolerance: number;
  readonly slos: ReadonlyArray<SloFacts>;
  /** Everything listed or reached, by name. */
  readonly byName: ReadonlyMap<string, ServiceView>;
  /** Services reached through hard dependencies only, listed or not. */
  readonly hardReach: ReadonlySet<string>;
  readonly thirdParties: ReadonlyArray<ThirdParty>;
  readonly citations: Citations;
}

export function ibsContribution(input: IbsContributionInput, now: Date): Contribution {
  const everything = [...input.services, ...input.indirect];
  const byName = new Map(everything.map((service) => [service.name, service]));
  const hardReach = new Set<string>(input.services.map((service) => service.name));
  for (const service of input.services) {
    for (const fact of dependencyFacts(
      service,
      everything.filter((candidate) => candidate !== service),
    )) {
      if (fact.reach !== 'soft') hardReach.add(fact.service.name);
    }
  }
  const usedBy = new Set([...hardReach].flatMap((name) => byName.get(name)?.thirdParties ?? []));
  const context: Context = {
    input,
    tolerance: input.ibs.impactTolerance.maxTolerableDisruption,
    slos: input.slos.map(sloFacts),
    byName,
    hardReach,
    thirdParties: input.thirdParties.filter((party) => usedBy.has(party.name)),
    citations: new Citations(),
  };
  const sections: ContributionSection[] = [
    summary(context),
    tolerance(context),
    mapping(context),
    breach(context),
    scenarios(context),
    regulatory(context),
  ];
  return contributionOf(
    {
      kind: 'ibs',
      subject: input.ibs.name,
      title: `Important business service contribution: ${input.ibs.name}`,
      sections,
      citations: context.citations.list(),
    },
    now,
    input.timeZone ?? DEFAULT_TIME_ZONE,
  );
}

function longestRto(services: ReadonlyArray<ServiceView>): ServiceView | undefined {
  return services.reduce<ServiceView | undefined>(
    (worst, service) =>
      service.rto !== undefined && (worst?.rto === undefined || service.rto > worst.rto) ? service : worst,
    undefined,
  );
}

function summary(context: Context): ContributionSection {
  const { input, tolerance: limit } = context;
  const ibs = input.ibs;
  const findings: string[] = [];
  const worst = longestRto(input.services);
  if (worst?.rto !== undefined) {
    findings.push(
      worst.rto > limit
        ? `The RTO of ${code(worst.name)} (${duration(worst.rto)}) exceeds the tolerance of ${duration(limit)}: a recovery on target still breaches it.`
        : `The longest RTO among its services is ${duration(worst.rto)} (${code(worst.name)}), ${pct(worst.rto / limit, 0)} of the tolerance.`,
    );
  }
  const missing = [...context.hardReach].filter((name) => !ibs.services.includes(name));
  if (missing.length > 0) {
    findings.push(
      `${count(missing.length, 'service')} it cannot run without ${missing.length === 1 ? 'is' : 'are'} missing from its mapping: ${list(missing.map(code))}.`,
    );
  }
  const unwatched = input.services.filter((service) => !context.slos.some((slo) => sloService(slo, service)));
  if (unwatched.length > 0) {
    findings.push(
      `${list(unwatched.map((service) => code(service.name)))} ${unwatched.length === 1 ? 'has' : 'have'} no SLO, so a failure there is found by people, not by an alert.`,
    );
  }
  const shared = context.thirdParties.filter((party) =>
    input.services.every((service) => service.thirdParties.includes(party.name)),
  );
  if (shared.length > 0) {
    findings.push(
      `Every supporting service relies on ${list(shared.map((party) => code(party.name)))}: one provider outage stops the whole service.`,
    );
  }
  return section('ibs', 'summary', {
    paragraphs: [
      `${code(ibs.name)}: “${ibs.description}”`,
      `It is delivered by ${count(ibs.services.length, 'service')} (${list(ibs.services.map(code))}) and answers to ${list([...ibs.regulators])}. Its impact tolerance is ${duration(limit)}.`,
    ],
    bullets: findings,
  });
}

/** The SLO id belongs to the service: ids are `<service>-<name>`. */
function sloService(slo: SloFacts, service: ServiceView): boolean {
  return slo.id.startsWith(`${service.name}-`);
}

function tolerance(context: Context): ContributionSection {
  const { input, tolerance: limit, citations } = context;
  const measures = input.ibs.impactTolerance;
  citations.add('syscTolerance', 'toleranceNotRto', 'syscWithinTolerance');
  const extra = [
    measures.customersAffected === undefined ? undefined : `${count(measures.customersAffected, 'customer')} affected`,
    measures.transactionCount === undefined
      ? undefined
      : `${count(measures.transactionCount, 'transaction')} disrupted`,
    measures.transactionValue === undefined
      ? undefined
      : `${money(measures.transactionValue.amount, measures.transactionValue.currency)} of payments disrupted`,
  ].filter((text): text is string => text !== undefined);
  const paragraphs = [
    `The impact tolerance is the most disruption ${code(input.ibs.name)} can bear before the harm to customers or to the market becomes intolerable: ${duration(limit)} of disruption${extra.length === 0 ? '' : `, or ${list(extra, 'or')}, whichever comes first`}. It is a limit on harm, not a recovery target; recovery objectives should sit well inside it.`,
  ];
  const warnings = REGULATORY_POLICIES.impactTolerance.warningFractions;
  paragraphs.push(
    `During an incident sre-agent tracks time in disruption against it and warns at ${list(warnings.map((fraction) => `${pct(fraction, 0)} (${duration(limit * fraction)})`))}.`,
  );
  const detection = detectionTimes(context);
  const escalation = Math.max(0, ...input.services.map((service) => lastEscalation(input.teams, service.team)));
  const worst = longestRto(input.services);
  if (worst?.rto !== undefined) {
    const spent = (detection.worstMs ?? 0) + escalation + worst.rto;
    paragraphs.push(
      `Time budget for the worst single failure: detection ${detection.worstMs === undefined ? 'unknown (a supporting service has no SLO)' : `within ${duration(roundSeconds(detection.worstMs))} of a complete outage`}, escalation through every step within ${duration(escalation)}, and recovery within ${duration(worst.rto)} (${code(worst.name)}): ${duration(spent)} in all, ${spent > limit ? `which exceeds the tolerance by ${duration(spent - limit)}` : `leaving ${duration(limit - spent)} of the tolerance unused`}.`,
    );
  }
  const doraSupported = input.services.some((service) => service.regulatoryScope.includes('dora-cif'));
  if (doraSupported) {
    citations.add('doraClassification');
    paragraphs.push(
      limit >= DORA_DOWNTIME_MS
        ? `DORA treats more than ${duration(DORA_DOWNTIME_MS)} of downtime of a service supporting a critical or important function as one of its materiality thresholds, so a disruption ${limit === DORA_DOWNTIME_MS ? 'that reaches this tolerance has met it too' : 'meets that threshold long before it breaches this tolerance'}.`
        : `The tolerance is shorter than DORA’s ${duration(DORA_DOWNTIME_MS)} downtime threshold, so the tolerance is breached first.`,
    );
    if (measures.customersAffected !== undefined && measures.customersAffected > DORA_CLIENTS) {
      paragraphs.push(
        `The tolerance allows ${count(measures.customersAffected, 'customer')} to be affected, more than DORA’s threshold of ${count(DORA_CLIENTS, 'client')}: a disruption of that size meets the DORA client threshold well before it breaches the tolerance.`,
      );
    }
  }
  const rows = input.services.map((service) => [
    code(service.name),
    `tier ${service.tier}`,
    service.rto === undefined ? 'none recorded' : duration(service.rto),
    service.rpo === undefined ? 'none recorded' : duration(service.rpo),
    service.rto === undefined ? 'unknown' : pct(service.rto / limit, 0),
    context.slos
      .filter((slo) => sloService(slo, service))
      .map((slo) => `${code(slo.id)} ${objective(slo.objectivePercent)}`)
      .join(', ') || 'none',
    teamName(input.teams, service.team),
  ]);
  return section('ibs', 'tolerance', {
    paragraphs,
    table: { columns: ['Service', 'Tier', 'RTO', 'RPO', 'RTO as share of tolerance', 'SLOs', 'Owner'], rows },
  });
}

function roundSeconds(milliseconds: number): number {
  return Math.max(1_000, Math.ceil(milliseconds / 1_000) * 1_000);
}

function lastEscalation(teams: ReadonlyArray<Team>, name: string): number {
  const team = teams.find((candidate) => candidate.name === name);
  return Math.max(0, ...(team?.escalation.map((step) => step.after) ?? []));
}

/**
 * How long the fastest page takes to fire at a complete outage, per service: the long window's error ratio reaches
 * factor × budget after budget × factor × window.
 */
function detectionTimes(context: Context): { readonly worstMs: number | undefined } {
  let worst = 0;
  for (const service of context.input.services) {
    const fastest = context.slos
      .filter((slo) => sloService(slo, service))
      .map((slo) => {
        const tier = tierOf(slo, 'page');
        return tier === undefined ? undefined : slo.budget * tier.factor * tier.longWindowMs;
      })
      .filter((value): value is number => value !== undefined);
    if (fastest.length === 0) return { worstMs: undefined };
    worst = Math.max(worst, Math.min(...fastest));
  }
  return { worstMs: worst };
}

function mapping(context: Context): ContributionSection {
  const { input, citations } = context;
  citations.add('syscMapping');
  const rows: string[][] = [];
  for (const service of input.services) {
    const hard = service.dependencies.filter((edge) => edge.kind === 'hard').map((edge) => code(edge.service));
    rows.push([
      code(service.name),
      'technology',
      `tier ${service.tier} service; ${hard.length === 0 ? 'no hard dependency' : `depends on ${list(hard)}`}`,
      teamName(input.teams, service.team),
    ]);
  }
  for (const service of input.indirect) {
    const hard = context.hardReach.has(service.name);
    rows.push([
      code(service.name),
      'technology, reached indirectly',
      hard
        ? 'needed through hard dependencies but not listed: add it to the mapping'
        : 'reached only through soft dependencies: its loss degrades the service',
      teamName(input.teams, service.team),
    ]);
  }
  const owners = [...new Set([...context.hardReach].flatMap((name) => context.byName.get(name)?.team ?? []))];
  for (const owner of owners) {
    const team = input.teams.find((candidate) => candidate.name === owner);
    rows.push([
      team?.displayName ?? owner,
      'people',
      `${count(team?.members.length ?? 0, 'member')}; escalation ${escalationSteps(team).join('; ') || 'not recorded'}`,
      team?.displayName ?? owner,
    ]);
  }
  for (const party of context.thirdParties) {
    const users = [...context.hardReach].filter((name) => context.byName.get(name)?.thirdParties.includes(party.name));
    rows.push([
      code(party.name),
      `third party, ${party.criticality}`,
      `${party.description === undefined ? 'no description' : `“${party.description}”`}; used by ${list(users.map(code))}`,
      'supplier management',
    ]);
  }
  const information = [...context.hardReach].filter((name) => {
    const scopes = context.byName.get(name)?.regulatoryScope ?? [];
    return scopes.includes('personal-data') || scopes.includes('pci');
  });
  if (information.length > 0) {
    rows.push([
      'customer and card data',
      'information',
      `held or processed by ${list(information.map(code))}`,
      'data owners of those services',
    ]);
  }
  return section('ibs', 'mapping', {
    paragraphs: [
      'Mapping lists the people, processes, technology, facilities and information, third parties included, that deliver the service, so that a failure anywhere in the chain can be traced to its effect on customers. The rows below come from the catalogue.',
    ],
    bullets: [
      'Processes and facilities are not held in the catalogue: add the manual processes (for example payment repair and customer contact) and the sites and data centres involved.',
      'Review the mapping when anything in it changes materially and at least once a year.',
    ],
    table: { columns: ['Resource', 'Type', 'Detail', 'Owner'], rows },
  });
}

function breach(context: Context): ContributionSection {
  const { input, tolerance: limit, citations } = context;
  const bullets: string[] = [];
  for (const service of input.services) {
    if (service.rto !== undefined && service.rto > limit) {
      bullets.push(
        `${code(service.name)} recovering at its RTO of ${duration(service.rto)} breaches the tolerance by ${duration(service.rto - limit)}.`,
      );
    }
  }
  const dependedOn = new Map<string, string[]>();
  for (const service of input.services) {
    for (const edge of service.dependencies) {
      if (edge.kind !== 'hard') continue;
      dependedOn.set(edge.service, [...(dependedOn.get(edge.service) ?? []), service.name]);
    }
  }
  for (const [name, users] of [...dependedOn.entries()].sort((a, b) => b[1].length - a[1].length)) {
    const shared = context.byName.get(name);
    bullets.push(
      `An outage of ${code(name)} stops ${list(users.map(code))}${users.length > 1 ? ' together' : ' as well'}${shared?.rto === undefined ? '; it has no RTO recorded' : `; recovering at its RTO of ${duration(shared.rto)} uses ${pct(shared.rto / limit, 0)} of the tolerance`}.`,
    );
  }
  for (const party of context.thirdParties) {
    const users = input.services.filter((service) => service.thirdParties.includes(party.name));
    if (users.length === 0) continue;
    bullets.push(
      `A ${party.criticality} third party, ${code(party.name)}, failing takes down ${users.length === input.services.length ? 'every supporting service at once' : list(users.map((service) => code(service.name)))}; recovery then runs on the provider’s clock, and after ${duration(limit)} without a workaround the tolerance is breached.`,
    );
  }
  const lossy = input.services.filter((service) => service.rpo !== undefined && service.rpo > 0);
  if (lossy.length > 0) {
    bullets.push(
      `Data corruption restored from backup loses up to ${list(lossy.map((service) => `${duration(service.rpo ?? 0)} at ${code(service.name)}`))}; replaying or re-keying that data counts against the tolerance too.`,
    );
  }
  const unwatched = input.services.filter((service) => !context.slos.some((slo) => sloService(slo, service)));
  if (unwatched.length > 0) {
    bullets.push(
      `A quiet failure of ${list(unwatched.map((service) => code(service.name)))} could run for a long time before anyone notices, as ${unwatched.length === 1 ? 'it has' : 'they have'} no SLO alerting.`,
    );
  }
  citations.add('toleranceBreachIndicator');
  return section('ibs', 'breach', {
    paragraphs: [
      `The tolerance is breached when customers have been unable to use the service for more than ${duration(limit)}, counted from the first moment of disruption, whichever supporting service caused it. A breach is a strong sign the incident must be reported. These failures would cause one:`,
    ],
    bullets:
      bullets.length === 0
        ? ['No single failure in the catalogue obviously breaches it; test that with the scenarios below.']
        : bullets,
  });
}

function scenarios(context: Context): ContributionSection {
  const { input, tolerance: limit, citations } = context;
  const target = limit * (1 - SCENARIO_MARGIN);
  const pass = `all supporting services restored within ${duration(target)} (${pct(1 - SCENARIO_MARGIN, 0)} of the tolerance)`;
  const rows: string[][] = [];
  for (const party of context.thirdParties.filter(
    (candidate) => candidate.criticality === 'critical' || candidate.criticality === 'high',
  )) {
    rows.push([
      `Loss of ${code(party.name)}`,
      'failover to another region or provider, the exit plan, and communication with customers while the provider recovers',
      pass,
    ]);
  }
  const sharedDependency = [...context.hardReach]
    .filter(
      (name) =>
        input.services.filter((service) =>
          service.dependencies.some((edge) => edge.kind === 'hard' && edge.service === name),
        ).length >= 2,
    )
    .sort();
  for (const name of sharedDependency) {
    rows.push([
      `Loss of ${code(name)}, which other supporting services depend on`,
      'the recovery procedure of a shared dependency and the behaviour of everything that calls it',
      pass,
    ]);
  }
  const strictest = input.services.reduce<ServiceView | undefined>(
    (best, service) =>
      service.rpo !== undefined && (best?.rpo === undefined || service.rpo < best.rpo) ? service : best,
    undefined,
  );
  if (strictest?.rpo !== undefined) {
    rows.push([
      `Destructive cyber attack on ${code(strictest.name)}`,
      'restore from backups held apart from production, and reconciliation of what was in flight',
      `${strictest.rpo === 0 ? 'no committed data lost' : `no more than ${duration(strictest.rpo)} of data lost`} and ${pass}`,
    ]);
  }
  const lean = input.teams
    .filter((team) => input.services.some((service) => service.team === team.name))
    .reduce<Team | undefined>(
      (best, team) => (best === undefined || team.members.length < best.members.length ? team : best),
      undefined,
    );
  if (lean !== undefined) {
    rows.push([
      `${lean.displayName ?? lean.name} unavailable (the smallest owning team, ${count(lean.members.length, 'person', 'people')})`,
      'runbooks followed by people outside the team, and access granted in an emergency',
      pass,
    ]);
  }
  if (input.ibs.impactTolerance.transactionCount !== undefined) {
    rows.push([
      'Backlog after recovery',
      `replay of up to ${count(input.ibs.impactTolerance.transactionCount, 'transaction')} queued during the outage without a second failure`,
      'backlog cleared without breaching any SLO page tier',
    ]);
  }
  citations.add('syscScenarioTesting', 'syscSelfAssessment');
  const doraSupported = input.services.some((service) => service.regulatoryScope.includes('dora-cif'));
  if (doraSupported) citations.add('doraContinuityTests');
  return section('ibs', 'scenarios', {
    paragraphs: [
      `Each scenario is severe but plausible, and passes only with a quarter of the tolerance to spare: ${duration(limit - target)} of margin against ${duration(limit)}. Measure from the moment the fault is injected, not from when the team is told.`,
    ],
    bullets: [
      `Run them at least once a year${doraSupported ? ' and after any substantive change, as DORA expects for services supporting critical or important functions' : ' and after any material change'}; record the results, lessons and remediation dates in the self-assessment, which is kept for at least 6 years.`,
    ],
    table: { columns: ['Scenario', 'What it exercises', 'Passes when'], rows },
  });
}

function regulatory(context: Context): ContributionSection {
  const { input, citations } = context;
  const regulators = input.ibs.regulators;
  citations.add('syscIbs', 'supImmediate', 'ukIncidentReporting');
  const rows: string[][] = [
    [
      'Identify important business services',
      'this service is one; review the choice at least every year',
      'FCA SYSC 15A.2.1R–2.4G',
    ],
    [
      'Set an impact tolerance',
      `${duration(context.tolerance)} of disruption, with the other measures above`,
      'FCA SYSC 15A.2.5R',
    ],
    ['Remain within tolerance', 'the time budget and the scenario results above', 'FCA SYSC 15A.2.9R'],
    ['Map what delivers it', 'the mapping table, completed with processes and facilities', 'FCA SYSC 15A.4'],
    ['Test against severe but plausible scenarios', 'the scenario tests above', 'FCA SYSC 15A.5'],
    ['Self-assessment', 'tolerance, mapping, tests and lessons, each version kept at least 6 years', 'FCA SYSC 15A.6'],
    [
      'Incident reporting',
      'notify the FCA at once of a serious disruption; from 18 March 2027 the initial report within 24 hours',
      'FCA SUP 15.3.1R; FCA PS26/2, PRA PS7/26',
    ],
  ];
  if (regulators.includes('PRA')) {
    citations.add('praSs121');
    rows.push([
      'PRA tolerance',
      'set at the first point at which disruption threatens safety and soundness',
      'PRA SS1/21',
    ]);
  }
  if (input.services.some((service) => service.regulatoryScope.includes('dora-cif'))) {
    citations.add('doraReporting', 'doraContinuityTests');
    rows.push([
      'DORA major-incident reporting',
      'initial notification within 4 hours of classification and 24 hours of awareness',
      'Delegated Regulation (EU) 2025/301 Art 5',
    ]);
  }
  const paragraphs = [`Regulators named for this service: ${list([...regulators])}.`];
  if (input.organisation?.entity.paymentServiceProvider === true) {
    paragraphs.push(
      `${input.organisation.name} is a payment service provider: under the UK regime that applies from 18 March 2027 it keeps a 4-hour deadline for initial incident reports.`,
    );
  }
  return section('ibs', 'regulatory', {
    paragraphs,
    table: { columns: ['Requirement', 'What it means here', 'Source'], rows },
  });
}
