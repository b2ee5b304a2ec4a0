/**
 * A change's risk as data: each factor scores points and explains itself, and the total maps to a risk level by
 * the policy's thresholds. Pure: times arrive as ISO 8601 strings and are read in the organisation's time zone.
 * @module
 */
import { DateTime } from 'luxon';
import type { Tier } from '../catalogue/index.js';
import {
  type ChangeType,
  type PlannedWindow,
  RISK_LEVELS,
  type RiskAssessment,
  type RiskFactor,
  type RiskLevel,
} from './types.js';

/** A service the change touches, as the catalogue describes it. */
export interface ChangedService {
  readonly name: string;
  readonly tier: Tier;
  /** Names of the important business services it supports. */
  readonly importantBusinessServices: ReadonlyArray<string>;
  /** Regimes it falls under, such as `dora`, `pci-dss`, `sox`, `gdpr`; matched without regard to case. */
  readonly regulatoryScope: ReadonlyArray<string>;
  /** Every service that depends on it, directly or through others. */
  readonly dependants: ReadonlyArray<string>;
}

/** A freeze window occurrence near the planned window. */
export interface NearbyFreeze {
  readonly name: string;
  readonly start: string;
  readonly end: string;
}

export interface ChangeRiskInput {
  readonly type: ChangeType;
  /** For a standard change: the pre-approved template it follows. */
  readonly template: string | undefined;
  readonly services: ReadonlyArray<ChangedService>;
  /** The worst recent change failure rate of the services, 0 to 1; undefined when unknown. */
  readonly changeFailureRate: number | undefined;
  /** The lowest error budget remaining across the services' SLOs, as a fraction (≤ 0 when exhausted). */
  readonly errorBudgetRemaining: number | undefined;
  readonly plannedWindow: PlannedWindow | undefined;
  /** The organisation's IANA time zone, in which business hours and holidays are read. */
  readonly timeZone: string;
  readonly freezeWindows: ReadonlyArray<NearbyFreeze>;
}

/** Points once a measure reaches `atLeast`; the highest matching entry wins. */
export interface AtLeastPoints {
  readonly atLeast: number;
  readonly points: number;
}

/** Points once a fraction falls below `below`; the highest matching entry wins. */
export interface BelowPoints {
  readonly below: number;
  readonly points: number;
}

export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/** ISO weekday: 1 is Monday, 7 Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface BusinessHours {
  readonly days: ReadonlyArray<Weekday>;
  readonly open: TimeOfDay;
  readonly close: TimeOfDay;
  /** Local dates, `YYYY-MM-DD`, that are not business days. */
  readonly holidays: ReadonlyArray<string>;
}

/** Conditions serious enough that a standard change is no longer held at its ceiling. */
export type CriticalCondition = 'error-budget-exhausted' | 'freeze-overlap';

export interface RiskPolicy {
  /** Points for the most critical tier among the changed services. */
  readonly tierPoints: Readonly<Record<Tier, number>>;
  readonly importantBusinessServices: { readonly pointsEach: number; readonly cap: number };
  readonly regulatoryScope: {
    /** Points per regime, keyed in lower case. */
    readonly points: Readonly<Record<string, number>>;
    /** For a regime the table does not name: unknown scope is not free. */
    readonly otherPoints: number;
    readonly cap: number;
  };
  /** By the number of distinct services that depend on the changed services. */
  readonly dependants: ReadonlyArray<AtLeastPoints>;
  readonly changeFailureRate: { readonly atLeast: ReadonlyArray<AtLeastPoints>; readonly unknownPoints: number };
  readonly errorBudget: {
    readonly below: ReadonlyArray<BelowPoints>;
    readonly exhaustedPoints: number;
    readonly unknownPoints: number;
  };
  readonly timing: {
    readonly businessHours: BusinessHours;
    readonly outOfHoursPoints: number;
    readonly unplannedPoints: number;
    readonly freezeOverlapPoints: number;
    readonly freezeNearPoints: number;
    /** Milliseconds between the planned window and a freeze within which the freeze counts as near. */
    readonly freezeNearWithin: number;
  };
  readonly changeTypePoints: Readonly<Record<ChangeType, number>>;
  /** The lowest score at each level above `low`. */
  readonly levels: { readonly medium: number; readonly high: number; readonly critical: number };
  /** A standard change that follows a template is held at `ceiling` unless one of `liftedBy` applies. */
  readonly standardChange: { readonly ceiling: RiskLevel; readonly liftedBy: ReadonlyArray<CriticalCondition> };
}

const HOUR = 3_600_000;

export const DEFAULT_RISK_POLICY = {
  tierPoints: { 1: 3, 2: 2, 3: 1, 4: 0 },
  importantBusinessServices: { pointsEach: 2, cap: 4 },
  regulatoryScope: {
    points: {
      dora: 2,
      'dora-cif': 2,
      'pci-dss': 2,
      pci: 2,
      sox: 1,
      gdpr: 1,
      'personal-data': 1,
      nis2: 1,
    },
    otherPoints: 1,
    cap: 3,
  },
  dependants: [
    { atLeast: 1, points: 1 },
    { atLeast: 3, points: 2 },
    { atLeast: 10, points: 3 },
  ],
  changeFailureRate: {
    atLeast: [
      { atLeast: 0.15, points: 1 },
      { atLeast: 0.3, points: 2 },
      { atLeast: 0.5, points: 3 },
    ],
    unknownPoints: 1,
  },
  errorBudget: {
    below: [
      { below: 0.5, points: 1 },
      { below: 0.25, points: 2 },
    ],
    exhaustedPoints: 4,
    unknownPoints: 1,
  },
  timing: {
    businessHours: {
      days: [1, 2, 3, 4, 5],
      open: { hour: 9, minute: 0 },
      close: { hour: 17, minute: 30 },
      holidays: [],
    },
    outOfHoursPoints: 1,
    unplannedPoints: 1,
    freezeOverlapPoints: 4,
    freezeNearPoints: 1,
    freezeNearWithin: 24 * HOUR,
  },
  changeTypePoints: { standard: 0, normal: 0, emergency: 2 },
  levels: { medium: 4, high: 8, critical: 13 },
  standardChange: { ceiling: 'low', liftedBy: ['error-budget-exhausted', 'freeze-overlap'] },
} as const satisfies RiskPolicy;

export function assessChangeRisk(input: ChangeRiskInput, policy: RiskPolicy = DEFAULT_RISK_POLICY): RiskAssessment {
  const conditions = new Set<CriticalCondition>();
  const timing = timingFactor(input, policy, conditions);
  const budget = errorBudgetFactor(input.errorBudgetRemaining, policy, conditions);
  const factors: RiskFactor[] = [
    tierFactor(input.services, policy),
    importantBusinessServicesFactor(input.services, policy),
    regulatoryScopeFactor(input.services, policy),
    blastRadiusFactor(input.services, policy),
    changeFailureRateFactor(input.changeFailureRate, policy),
    budget,
    timing,
  ];
  const scoreBeforeType = factors.reduce((sum, factor) => sum + factor.points, 0);
  const type = changeTypeFactor(input, policy, conditions);
  factors.push(type.factor);
  const score = scoreBeforeType + type.factor.points;
  const byScore = levelForScore(score, policy);
  const level = type.ceiling === undefined ? byScore : lowerLevel(byScore, type.ceiling);
  return { level, score, factors };
}

function levelForScore(score: number, policy: RiskPolicy): RiskLevel {
  if (score >= policy.levels.critical) return 'critical';
  if (score >= policy.levels.high) return 'high';
  if (score >= policy.levels.medium) return 'medium';
  return 'low';
}

function lowerLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return RISK_LEVELS.indexOf(a) <= RISK_LEVELS.indexOf(b) ? a : b;
}

function tierFactor(services: ReadonlyArray<ChangedService>, policy: RiskPolicy): RiskFactor {
  const [first, ...rest] = services;
  if (first === undefined) return { factor: 'tier', points: 0, explanation: 'no changed services named: +0' };
  const critical = rest.reduce((most, service) => (service.tier < most.tier ? service : most), first);
  const points = policy.tierPoints[critical.tier];
  const among = services.length > 1 ? ` (the most critical of ${services.length} changed services)` : '';
  return {
    factor: 'tier',
    points,
    explanation: `tier ${critical.tier} service ${critical.name}${among}: ${signed(points)}`,
  };
}

function importantBusinessServicesFactor(services: ReadonlyArray<ChangedService>, policy: RiskPolicy): RiskFactor {
  const supported = distinct(services.flatMap((service) => service.importantBusinessServices));
  const { pointsEach, cap } = policy.importantBusinessServices;
  const points = Math.min(supported.length * pointsEach, cap);
  if (supported.length === 0) {
    return { factor: 'important-business-services', points, explanation: 'supports no important business service: +0' };
  }
  const capped = supported.length * pointsEach > cap ? `, capped at ${signed(cap)}` : '';
  return {
    factor: 'important-business-services',
    points,
    explanation:
      `supports ${countOf(supported.length, 'important business service')} (${list(supported)}), ` +
      `${signed(pointsEach)} each${capped}: ${signed(points)}`,
  };
}

function regulatoryScopeFactor(services: ReadonlyArray<ChangedService>, policy: RiskPolicy): RiskFactor {
  const scopes = distinct(services.flatMap((service) => service.regulatoryScope.map((scope) => scope.toLowerCase())));
  if (scopes.length === 0) {
    return { factor: 'regulatory-scope', points: 0, explanation: 'in no regulatory scope: +0' };
  }
  const table = policy.regulatoryScope.points;
  const scored = scopes.map((scope) => {
    const known = Object.hasOwn(table, scope) ? table[scope] : undefined;
    return { scope, points: known ?? policy.regulatoryScope.otherPoints, known: known !== undefined };
  });
  const total = scored.reduce((sum, entry) => sum + entry.points, 0);
  const points = Math.min(total, policy.regulatoryScope.cap);
  const parts = scored.map(
    (entry) => `${entry.scope} ${signed(entry.points)}${entry.known ? '' : ' (a regime the policy does not name)'}`,
  );
  const capped = total > points ? `, capped at ${signed(points)}` : '';
  return {
    factor: 'regulatory-scope',
    points,
    explanation: `in regulatory scope ${parts.join(', ')}${capped}: ${signed(points)}`,
  };
}

function blastRadiusFactor(services: ReadonlyArray<ChangedService>, policy: RiskPolicy): RiskFactor {
  const dependants = distinct(services.flatMap((service) => service.dependants));
  const points = highestAtLeast(policy.dependants, dependants.length);
  const them = services.length > 1 ? 'them' : 'it';
  if (dependants.length === 0) {
    return { factor: 'blast-radius', points, explanation: `no service depends on ${them}: ${signed(points)}` };
  }
  const verb = dependants.length === 1 ? 'depends' : 'depend';
  return {
    factor: 'blast-radius',
    points,
    explanation: `${countOf(dependants.length, 'service')} ${verb} on ${them} (${list(dependants)}): ${signed(points)}`,
  };
}

function changeFailureRateFactor(rate: number | undefined, policy: RiskPolicy): RiskFactor {
  if (rate === undefined) {
    const points = policy.changeFailureRate.unknownPoints;
    return {
      factor: 'change-failure-rate',
      points,
      explanation: `no recent change failure rate is known, so it cannot be shown to be low: ${signed(points)}`,
    };
  }
  const points = highestAtLeast(policy.changeFailureRate.atLeast, rate);
  return {
    factor: 'change-failure-rate',
    points,
    explanation: `recent change failure rate ${percent(rate)} (the worst of the changed services): ${signed(points)}`,
  };
}

function errorBudgetFactor(
  remaining: number | undefined,
  policy: RiskPolicy,
  conditions: Set<CriticalCondition>,
): RiskFactor {
  const { below, exhaustedPoints, unknownPoints } = policy.errorBudget;
  if (remaining === undefined) {
    return {
      factor: 'error-budget',
      points: unknownPoints,
      explanation: `no error budget data for the changed services: ${signed(unknownPoints)}`,
    };
  }
  const banded = Math.max(0, ...below.filter((band) => remaining < band.below).map((band) => band.points));
  if (remaining <= 0) {
    conditions.add('error-budget-exhausted');
    // An exhausted budget is also below every band, so it never scores less than a low one.
    const points = Math.max(exhaustedPoints, banded);
    return {
      factor: 'error-budget',
      points,
      explanation: `error budget exhausted (${percent(remaining)} remaining, the lowest across their SLOs): ${signed(points)}`,
    };
  }
  return {
    factor: 'error-budget',
    points: banded,
    explanation: `${percent(remaining)} of the error budget remaining (the lowest across their SLOs): ${signed(banded)}`,
  };
}

function timingFactor(input: ChangeRiskInput, policy: RiskPolicy, conditions: Set<CriticalCondition>): RiskFactor {
  const timing = policy.timing;
  const window = input.plannedWindow;
  if (window === undefined) {
    return {
      factor: 'timing',
      points: timing.unplannedPoints,
      explanation: `no planned window, so business hours and freeze windows cannot be checked: ${signed(timing.unplannedPoints)}`,
    };
  }
  const start = parse(window.start, input.timeZone);
  const end = parse(window.end, input.timeZone);
  const hours = timing.businessHours;
  const inHours = withinBusinessHours(start, end, hours);
  const hoursPoints = inHours ? 0 : timing.outOfHoursPoints;
  const holiday = hours.holidays.includes(start.toISODate() ?? '') ? ' (a holiday)' : '';
  const parts = [
    `planned ${span(start, end, input.timeZone)}, ${inHours ? 'within' : 'out of'} business hours` +
      `${holiday} (${businessHoursText(hours)}): ${signed(hoursPoints)}`,
  ];
  let points = hoursPoints;

  const overlapping: string[] = [];
  const near: string[] = [];
  for (const freeze of input.freezeWindows) {
    const freezeStart = parse(freeze.start, input.timeZone);
    const freezeEnd = parse(freeze.end, input.timeZone);
    const described = `freeze window ${freeze.name} (${span(freezeStart, freezeEnd, input.timeZone)})`;
    if (start < freezeEnd && freezeStart < end) {
      overlapping.push(described);
      continue;
    }
    const gap = freezeStart >= end ? freezeStart.toMillis() - end.toMillis() : start.toMillis() - freezeEnd.toMillis();
    if (gap <= timing.freezeNearWithin) {
      const relation = freezeStart >= end ? 'before' : 'after';
      const edge = freezeStart >= end ? 'begins' : 'ends';
      near.push(`${elapsed(gap)} ${relation} ${described} ${edge}`);
    }
  }
  if (overlapping.length > 0) {
    conditions.add('freeze-overlap');
    points += timing.freezeOverlapPoints;
    parts.push(`overlaps ${overlapping.join(' and ')}: ${signed(timing.freezeOverlapPoints)}`);
  } else if (near.length > 0) {
    points += timing.freezeNearPoints;
    parts.push(
      `within ${elapsed(timing.freezeNearWithin)} of a freeze: ${near.join('; ')}: ${signed(timing.freezeNearPoints)}`,
    );
  }
  return { factor: 'timing', points, explanation: parts.join('; ') };
}

function changeTypeFactor(
  input: ChangeRiskInput,
  policy: RiskPolicy,
  conditions: ReadonlySet<CriticalCondition>,
): { readonly factor: RiskFactor; readonly ceiling: RiskLevel | undefined } {
  switch (input.type) {
    case 'standard': {
      if (input.template === undefined) {
        const points = policy.changeTypePoints.normal;
        return {
          factor: {
            factor: 'change-type',
            points,
            explanation: `standard change with no pre-approved template, so assessed as a normal change: ${signed(points)}`,
          },
          ceiling: undefined,
        };
      }
      const points = policy.changeTypePoints.standard;
      const { ceiling, liftedBy } = policy.standardChange;
      const lifting = liftedBy.filter((condition) => conditions.has(condition));
      const base = `standard change following pre-approved template ${input.template}: ${signed(points)}`;
      if (lifting.length === 0) {
        return {
          factor: { factor: 'change-type', points, explanation: `${base}; level held at ${ceiling} by the template` },
          ceiling,
        };
      }
      const why = lifting.map((condition) => CRITICAL_CONDITION_TEXT[condition]).join(' and ');
      return {
        factor: {
          factor: 'change-type',
          points,
          explanation: `${base}; not held at ${ceiling} because ${why}, so the level follows the score`,
        },
        ceiling: undefined,
      };
    }
    case 'normal': {
      const points = policy.changeTypePoints.normal;
      return {
        factor: { factor: 'change-type', points, explanation: `normal change: ${signed(points)}` },
        ceiling: undefined,
      };
    }
    case 'emergency': {
      const points = policy.changeTypePoints.emergency;
      return {
        factor: {
          factor: 'change-type',
          points,
          explanation: `emergency change, with shortened review and testing: ${signed(points)}`,
        },
        ceiling: undefined,
      };
    }
  }
}

const CRITICAL_CONDITION_TEXT = {
  'error-budget-exhausted': 'the error budget is exhausted',
  'freeze-overlap': 'the planned window overlaps a freeze',
} as const satisfies Record<CriticalCondition, string>;

function withinBusinessHours(start: DateTime, end: DateTime, hours: BusinessHours): boolean {
  const day = start.startOf('day');
  if (!hours.days.some((weekday) => weekday === start.weekday)) return false;
  if (hours.holidays.includes(start.toISODate() ?? '')) return false;
  const open = day.set({ hour: hours.open.hour, minute: hours.open.minute });
  const close = day.set({ hour: hours.close.hour, minute: hours.close.minute });
  return start >= open && end <= close && end >= start;
}

const WEEKDAY_NAMES = {
  1: 'Monday',
  2: 'Tuesday',
  3: 'Wednesday',
  4: 'Thursday',
  5: 'Friday',
  6: 'Saturday',
  7: 'Sunday',
} as const satisfies Record<Weekday, string>;

function businessHoursText(hours: BusinessHours): string {
  const days = [...new Set(hours.days)].sort((a, b) => a - b);
  const first = days[0];
  const last = days[days.length - 1];
  const contiguous = first !== undefined && last !== undefined && last - first === days.length - 1;
  const dayText =
    first === undefined
      ? 'no days'
      : contiguous && last !== undefined && days.length > 1
        ? `${WEEKDAY_NAMES[first]} to ${WEEKDAY_NAMES[last]}`
        : days.map((day) => WEEKDAY_NAMES[day]).join(', ');
  return `${dayText} ${clock(hours.open)}–${clock(hours.close)}`;
}

function clock(time: TimeOfDay): string {
  return `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
}

/** `02:00–03:00 Europe/London on Saturday 6 June 2026`, or both dates when the span crosses midnight. */
function span(start: DateTime, end: DateTime, zone: string): string {
  if (start.hasSame(end, 'day')) {
    return `${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')} ${zone} on ${start.toFormat('cccc d LLLL yyyy')}`;
  }
  return `${start.toFormat('cccc d LLLL yyyy HH:mm')} to ${end.toFormat('cccc d LLLL yyyy HH:mm')} ${zone}`;
}

function parse(iso: string, zone: string): DateTime {
  const time = DateTime.fromISO(iso, { zone, locale: 'en-GB' });
  if (!time.isValid) throw new RangeError(`cannot read "${iso}" in ${zone}: ${time.invalidExplanation ?? 'invalid'}`);
  return time;
}

function highestAtLeast(thresholds: ReadonlyArray<AtLeastPoints>, value: number): number {
  return Math.max(0, ...thresholds.filter((threshold) => value >= threshold.atLeast).map((entry) => entry.points));
}

function distinct(values: ReadonlyArray<string>): string[] {
  return [...new Set(values)];
}

const LISTED = 5;

function list(names: ReadonlyArray<string>): string {
  if (names.length <= LISTED) return names.join(', ');
  return `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`;
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function signed(points: number): string {
  return points < 0 ? `−${-points}` : `+${points}`;
}

const NUMBER_FORMAT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

function percent(fraction: number): string {
  return `${NUMBER_FORMAT.format(fraction * 100)} %`;
}

function elapsed(milliseconds: number): string {
  const minutes = milliseconds / 60_000;
  if (minutes < 120) return countOf(Math.round(minutes), 'minute');
  const hours = milliseconds / HOUR;
  return `${NUMBER_FORMAT.format(hours)} hours`;
}
