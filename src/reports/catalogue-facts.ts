/**
 * What contributions read off the catalogue: owners and how to reach them, regulatory scope in words, which
 * dependencies can take a service down, and the freeze windows that cover it.
 * @module
 */
import {
  type Channel,
  type FreezeWindow,
  freezeAppliesTo,
  nextOccurrence,
  occurrenceAt,
  type RegulatoryScope,
  type ServiceView,
  type Team,
  type ThirdParty,
} from '../catalogue/index.js';
import { code, duration, list, localTime } from './format.js';

export const SCOPE_LABELS = {
  'dora-cif': 'DORA (it supports a critical or important function)',
  pci: 'PCI DSS (it handles cardholder data)',
  'personal-data': 'UK GDPR and GDPR (it processes personal data)',
  nis2: 'NIS2',
  sox: 'SOX IT general controls (it feeds financial reporting)',
} as const satisfies Record<RegulatoryScope, string>;

export function scopeText(scopes: ReadonlyArray<RegulatoryScope>): string {
  return scopes.length === 0 ? 'no regulatory scope recorded' : list(scopes.map((scope) => SCOPE_LABELS[scope]));
}

const CHANNEL_NAMES = {
  slack: 'Slack',
  teams: 'Microsoft Teams',
  email: 'email',
  pagerduty: 'PagerDuty',
  webhook: 'webhook',
  phone: 'phone',
} as const satisfies Record<Channel['type'], string>;

export function teamName(teams: ReadonlyArray<Team>, name: string): string {
  const team = teams.find((candidate) => candidate.name === name);
  return team?.displayName ?? name;
}

export function channelsText(team: Team | undefined): string {
  if (team === undefined || team.channels.length === 0) return 'no channel recorded in the catalogue';
  return list(team.channels.map((channel) => `${CHANNEL_NAMES[channel.type]} ${code(channel.target)}`));
}

/** Where a page goes first: the PagerDuty service, else the first channel. */
export function pageTarget(team: Team | undefined): string {
  const channel = team?.channels.find((candidate) => candidate.type === 'pagerduty') ?? team?.channels[0];
  return channel === undefined
    ? 'the owning team (no channel recorded)'
    : `${CHANNEL_NAMES[channel.type]} ${code(channel.target)}`;
}

export function escalationSteps(team: Team | undefined): string[] {
  if (team === undefined) return [];
  return team.escalation.map((step) =>
    step.after === 0
      ? `at once to ${list(step.contacts.map(code))}`
      : `after ${duration(step.after)} to ${list(step.contacts.map(code))}`,
  );
}

export type DependencyReach = 'direct-hard' | 'indirect-hard' | 'soft';

export interface DependencyFact {
  readonly service: ServiceView;
  readonly reach: DependencyReach;
}

/**
 * How each reachable service matters to `root`: through hard dependencies only (direct or indirect), or only
 * through a soft link somewhere on every path.
 */
export function dependencyFacts(root: ServiceView, reachable: ReadonlyArray<ServiceView>): DependencyFact[] {
  const byName = new Map(reachable.map((service) => [service.name, service]));
  const direct = new Set(root.dependencies.filter((edge) => edge.kind === 'hard').map((edge) => edge.service));
  const hard = new Set<string>();
  const queue = [...direct];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (hard.has(next)) continue;
    hard.add(next);
    for (const edge of byName.get(next)?.dependencies ?? []) {
      if (edge.kind === 'hard' && !hard.has(edge.service)) queue.push(edge.service);
    }
  }
  return reachable.map((service) => ({
    service,
    reach: direct.has(service.name) ? 'direct-hard' : hard.has(service.name) ? 'indirect-hard' : 'soft',
  }));
}

/** Third parties `services` use, with the number of catalogue services that rely on each. */
export function thirdPartiesOf(
  names: ReadonlyArray<string>,
  thirdParties: ReadonlyArray<ThirdParty>,
): ReadonlyArray<ThirdParty> {
  const wanted = new Set(names);
  return thirdParties.filter((party) => wanted.has(party.name));
}

export interface FreezeFact {
  readonly window: FreezeWindow;
  /** The occurrence in force at the time asked, or the next one. */
  readonly start: Date;
  readonly end: Date;
  readonly inForce: boolean;
}

/** The freeze windows covering `service`, each with the occurrence in force at `at` or the next one. */
export function freezesCovering(
  windows: ReadonlyArray<FreezeWindow>,
  service: Pick<ServiceView, 'name' | 'tier'>,
  at: Date,
): FreezeFact[] {
  return windows
    .filter((window) => freezeAppliesTo(window, service))
    .flatMap((window): FreezeFact[] => {
      const current = occurrenceAt(window, at);
      if (current !== undefined) return [{ window, start: current.start, end: current.end, inForce: true }];
      const next = nextOccurrence(window, at);
      return next === undefined ? [] : [{ window, start: next.start, end: next.end, inForce: false }];
    });
}

/** Occurrences of `windows` covering any of `services` that overlap [start, end). */
export function freezesOverlapping(
  windows: ReadonlyArray<FreezeWindow>,
  services: ReadonlyArray<Pick<ServiceView, 'name' | 'tier'>>,
  start: Date,
  end: Date,
): FreezeFact[] {
  const found: FreezeFact[] = [];
  for (const window of windows) {
    if (!services.some((service) => freezeAppliesTo(window, service))) continue;
    const current = occurrenceAt(window, start);
    if (current !== undefined) {
      found.push({ window, start: current.start, end: current.end, inForce: true });
      continue;
    }
    const next = nextOccurrence(window, start);
    if (next !== undefined && next.start < end)
      found.push({ window, start: next.start, end: next.end, inForce: false });
  }
  return found;
}

/** One freeze occurrence in a sentence; `inForceAt` names the moment `inForce` was judged at. */
export function freezeText(fact: FreezeFact, zone: string, inForceAt = 'now'): string {
  const when = `${localTime(fact.start, zone)} to ${localTime(fact.end, zone)}`;
  const state = fact.inForce ? `in force ${inForceAt}` : 'next';
  const schedule = fact.window.schedule.kind === 'recurring' ? `recurring; ${state}` : fact.inForce ? state : 'once';
  return `${code(fact.window.name)} (${schedule}): ${when}, for “${fact.window.reason}”`;
}
