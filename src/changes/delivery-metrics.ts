/**
 * DevOps Research and Assessment (DORA) delivery metrics, the "four keys": deployment frequency, change lead time,
 * change fail rate and failed deployment recovery time over production deployments, each placed in a 2024 State of
 * DevOps performance band. Unrelated to the Digital Operational Resilience Act (Regulation (EU) 2022/2554), which
 * `incidents/dora-*.ts` handle. Pure: the period is passed in; days, ISO weeks (from Monday) and months are UTC.
 * @module
 */
import { DateTime } from 'luxon';
import { assertNever } from '../errors/errors.js';
import type { DeploymentRecord } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** Four Keys' month (730 h); its six months are six of these. */
const MONTH = 730 * HOUR;

export const DELIVERY_GROUPINGS = ['service', 'team', 'overall'] as const;
export type DeliveryGrouping = (typeof DELIVERY_GROUPINGS)[number];

/** Deployments count when `from <= deployedAt < to`. */
export interface DeliveryPeriod {
  readonly from: Date;
  readonly to: Date;
}

export const PERFORMANCE_BANDS = ['elite', 'high', 'medium', 'low'] as const;
export type PerformanceBand = (typeof PERFORMANCE_BANDS)[number];

export const BANDED_METRICS = [
  'deploymentFrequency',
  'changeLeadTime',
  'changeFailRate',
  'failedDeploymentRecoveryTime',
] as const;
export type BandedMetric = (typeof BANDED_METRICS)[number];

/**
 * How a value is matched to a band, in the metric's unit: deployments per day, milliseconds, or a fraction.
 * Bands are tried from elite down and the first match wins; `nearest` cells (the report gives change fail rate as one
 * typical value per cluster, not as bounds) go to the closest value, a tie to the band further down.
 */
export type BandCriterion =
  | { readonly kind: 'above'; readonly value: number }
  | { readonly kind: 'at-least'; readonly value: number }
  | { readonly kind: 'below'; readonly value: number }
  | { readonly kind: 'nearest'; readonly value: number }
  | { readonly kind: 'otherwise' };

export interface BandCell {
  /** The report's wording. */
  readonly definition: string;
  /** False where the reference could not confirm the cell against the 2024 report. */
  readonly confirmed: boolean;
  readonly criterion: BandCriterion;
}

export interface PerformanceBandRow {
  readonly band: PerformanceBand;
  /** Share of respondents in the cluster, as a fraction. */
  readonly share: number;
  readonly shareConfirmed: boolean;
  readonly cells: Readonly<Record<BandedMetric, BandCell>>;
}

export const BANDS_SOURCE =
  'DORA, Accelerate State of DevOps Report 2024 (Google Cloud): software delivery performance clusters. The 2025 report has no such bands, and DORA advises against using them as targets.';

/**
 * The 2024 clusters. Medium's change fail rate (10%) is below high's (20%) in the report itself, and high and medium
 * share one recovery-time definition, so a recovery under a day is placed in high. Values past the low definitions
 * (deploying less than every six months, lead time over six months, recovery between a day and a week) fall to low.
 */
export const PERFORMANCE_BANDS_2024 = [
  {
    band: 'elite',
    share: 0.19,
    shareConfirmed: true,
    cells: {
      deploymentFrequency: {
        definition: 'On demand (multiple deploys per day)',
        confirmed: true,
        criterion: { kind: 'above', value: 1 },
      },
      changeLeadTime: { definition: 'Less than one day', confirmed: true, criterion: { kind: 'below', value: DAY } },
      changeFailRate: { definition: '5%', confirmed: true, criterion: { kind: 'nearest', value: 0.05 } },
      failedDeploymentRecoveryTime: {
        definition: 'Less than one hour',
        confirmed: true,
        criterion: { kind: 'below', value: HOUR },
      },
    },
  },
  {
    band: 'high',
    share: 0.22,
    shareConfirmed: true,
    cells: {
      deploymentFrequency: {
        definition: 'Between once per day and once per week',
        confirmed: true,
        criterion: { kind: 'at-least', value: DAY / WEEK },
      },
      changeLeadTime: {
        definition: 'Between one day and one week',
        confirmed: true,
        criterion: { kind: 'below', value: WEEK },
      },
      changeFailRate: { definition: '20%', confirmed: true, criterion: { kind: 'nearest', value: 0.2 } },
      failedDeploymentRecoveryTime: {
        definition: 'Less than one day',
        confirmed: false,
        criterion: { kind: 'below', value: DAY },
      },
    },
  },
  {
    band: 'medium',
    share: 0.35,
    shareConfirmed: true,
    cells: {
      deploymentFrequency: {
        definition: 'Between once per week and once per month',
        confirmed: true,
        criterion: { kind: 'at-least', value: DAY / MONTH },
      },
      changeLeadTime: {
        definition: 'Between one week and one month',
        confirmed: true,
        criterion: { kind: 'below', value: MONTH },
      },
      changeFailRate: { definition: '10%', confirmed: false, criterion: { kind: 'nearest', value: 0.1 } },
      failedDeploymentRecoveryTime: {
        definition: 'Less than one day',
        confirmed: false,
        criterion: { kind: 'below', value: DAY },
      },
    },
  },
  {
    band: 'low',
    share: 0.25,
    shareConfirmed: true,
    cells: {
      deploymentFrequency: {
        definition: 'Between once per month and once every six months',
        confirmed: true,
        criterion: { kind: 'otherwise' },
      },
      changeLeadTime: {
        definition: 'Between one month and six months',
        confirmed: true,
        criterion: { kind: 'otherwise' },
      },
      changeFailRate: { definition: '40%', confirmed: false, criterion: { kind: 'nearest', value: 0.4 } },
      failedDeploymentRecoveryTime: {
        definition: 'Between one week and one month',
        confirmed: false,
        criterion: { kind: 'otherwise' },
      },
    },
  },
] as const satisfies ReadonlyArray<PerformanceBandRow>;

/** Relative slack for `nearest` ties, so 3 failures in 40 deployments (7.5%) is a tie and not decided by rounding. */
const TIE_TOLERANCE = 1e-9;

/**
 * The 2024 band of one metric's value.
 * @param value - deployments per day, milliseconds, or a fraction in [0, 1], as the metric takes.
 */
export function performanceBand2024(metric: BandedMetric, value: number): PerformanceBand {
  const rows: ReadonlyArray<PerformanceBandRow> = PERFORMANCE_BANDS_2024;
  let nearest: { readonly band: PerformanceBand; readonly distance: number } | undefined;
  for (const row of rows) {
    const criterion = row.cells[metric].criterion;
    switch (criterion.kind) {
      case 'above':
        if (value > criterion.value) return row.band;
        break;
      case 'at-least':
        if (value >= criterion.value) return row.band;
        break;
      case 'below':
        if (value < criterion.value) return row.band;
        break;
      case 'otherwise':
        return row.band;
      case 'nearest': {
        const distance = Math.abs(value - criterion.value);
        if (nearest === undefined || distance <= nearest.distance + TIE_TOLERANCE) {
          nearest = { band: row.band, distance };
        }
        break;
      }
      default:
        return assertNever(criterion, 'band criterion');
    }
  }
  if (nearest === undefined) throw new Error(`the 2024 band table places no value of ${metric}`);
  return nearest.band;
}

export interface DeliveryDuration {
  readonly milliseconds: number;
  /** UK English, such as "45 min", "2 h 5 min" or "3 days 4 h". */
  readonly text: string;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "under 1 min", "45 min", "2 h 5 min", "1 day", "3 days 4 h"; truncated to the unit shown, never rounded up. */
export function formatDeliveryDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) {
    throw new RangeError(`cannot describe ${milliseconds} ms as a duration`);
  }
  if (milliseconds === 0) return '0 min';
  if (milliseconds < MINUTE) return 'under 1 min';
  if (milliseconds < DAY) {
    const hours = Math.floor(milliseconds / HOUR);
    const minutes = Math.floor((milliseconds % HOUR) / MINUTE);
    if (hours === 0) return `${minutes} min`;
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  const days = Math.floor(milliseconds / DAY);
  const hours = Math.floor((milliseconds % DAY) / HOUR);
  return hours === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${hours} h`;
}

function duration(milliseconds: number): DeliveryDuration {
  return { milliseconds, text: formatDeliveryDuration(milliseconds) };
}

/**
 * A metric's value and band, or why there is none. Never NaN: without data the value and band are `undefined`.
 */
export type MetricReading<TValue> =
  | { readonly status: 'measured'; readonly value: TValue; readonly band: PerformanceBand; readonly reason: undefined }
  | { readonly status: 'no-data'; readonly value: undefined; readonly band: undefined; readonly reason: string };

function measured<TValue>(value: TValue, band: PerformanceBand): MetricReading<TValue> {
  return { status: 'measured', value, band, reason: undefined };
}

function noData<TValue>(reason: string): MetricReading<TValue> {
  return { status: 'no-data', value: undefined, band: undefined, reason };
}

/** The Four Keys frequency bucket (dora-team/fourkeys), kept beside the 2024 band for comparison. */
export const FOUR_KEYS_FREQUENCY_BUCKETS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type FourKeysFrequencyBucket = (typeof FOUR_KEYS_FREQUENCY_BUCKETS)[number];

export interface DeploymentFrequencyValue {
  readonly perDay: number;
  readonly perWeek: number;
  /**
   * Daily if the median week has a deployment on 3 or more days, weekly if the median week has one, monthly if the
   * median month has one, else yearly. Weeks and months partly inside the period count, as in Four Keys.
   */
  readonly bucket: FourKeysFrequencyBucket;
}

/** Every outcome counts as a deployment. The band is read from the mean deployments per day. */
export type DeploymentFrequencyMetric = MetricReading<DeploymentFrequencyValue> & {
  readonly deployments: number;
  readonly weeks: number;
  readonly weeksWithDeployment: number;
  readonly medianDaysPerWeekWithDeployment: number;
  readonly months: number;
  readonly monthsWithDeployment: number;
};

export interface DurationSummary {
  readonly median: DeliveryDuration;
  readonly p90: DeliveryDuration;
}

/** `deployedAt − commitAt`, the band read from the median. Percentiles interpolate linearly, to whole milliseconds. */
export type ChangeLeadTimeMetric = MetricReading<DurationSummary> & {
  readonly deployments: number;
  readonly used: number;
  /** No commit time, or one that cannot be read. */
  readonly withoutCommitTime: number;
  /** Committed at or after deployment; dropped, as Four Keys drops automated pushes. */
  readonly nonPositive: number;
};

/** (failed + rolled back) / deployments, as a fraction in [0, 1]. */
export type ChangeFailRateMetric = MetricReading<number> & {
  readonly deployments: number;
  readonly failed: number;
  readonly rolledBack: number;
};

/** `recoveredAt − deployedAt` over failed and rolled-back deployments, the band read from the median. */
export type FailedDeploymentRecoveryTimeMetric = MetricReading<DurationSummary> & {
  readonly failures: number;
  readonly recovered: number;
  /** Not recovered yet: the median leaves them out, so it flatters while any are open. */
  readonly unrecovered: number;
  /** A recovery time before the deployment, or one that cannot be read. */
  readonly unusable: number;
};

export type DeliveryGroupKey =
  | { readonly by: 'service'; readonly service: string }
  | { readonly by: 'team'; readonly team: string | undefined }
  | { readonly by: 'overall' };

export interface DeliveryMetricsGroup {
  readonly group: DeliveryGroupKey;
  readonly deployments: number;
  readonly deploymentFrequency: DeploymentFrequencyMetric;
  readonly changeLeadTime: ChangeLeadTimeMetric;
  readonly changeFailRate: ChangeFailRateMetric;
  readonly failedDeploymentRecoveryTime: FailedDeploymentRecoveryTimeMetric;
}

export interface DeliveryMetricsReport {
  readonly period: { readonly from: string; readonly to: string; readonly days: number };
  readonly groupBy: DeliveryGrouping;
  /**
   * Groups with a deployment in the period, by name; deployments without a team last. Grouping `overall` always
   * gives exactly one group, empty or not.
   */
  readonly groups: ReadonlyArray<DeliveryMetricsGroup>;
  readonly ignored: { readonly outsidePeriod: number; readonly unreadableDeployedAt: number };
  readonly bandsSource: string;
}

interface TimedDeployment {
  readonly record: DeploymentRecord;
  readonly deployedAt: number;
}

interface Calendar {
  readonly span: number;
  readonly weeks: ReadonlyArray<number>;
  readonly months: ReadonlyArray<number>;
}

const NO_DEPLOYMENTS = 'No production deployments in the period.';

/**
 * DevOps Research and Assessment (DORA) "four keys" delivery metrics per service, per team or overall; unrelated to
 * the Digital Operational Resilience Act.
 * @param deployments - production deployments only; those outside the period are counted and ignored.
 * @throws RangeError when the period is not a valid interval ending after it starts.
 */
export function deliveryMetrics(
  deployments: ReadonlyArray<DeploymentRecord>,
  period: DeliveryPeriod,
  groupBy: DeliveryGrouping,
): DeliveryMetricsReport {
  const from = period.from.getTime();
  const to = period.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    throw new RangeError('the period must have valid dates and end after it starts');
  }
  const inPeriod: TimedDeployment[] = [];
  let outsidePeriod = 0;
  let unreadableDeployedAt = 0;
  for (const record of deployments) {
    const deployedAt = Date.parse(record.deployedAt);
    if (Number.isNaN(deployedAt)) unreadableDeployedAt += 1;
    else if (deployedAt < from || deployedAt >= to) outsidePeriod += 1;
    else inPeriod.push({ record, deployedAt });
  }
  const calendar: Calendar = {
    span: to - from,
    weeks: unitStarts(from, to, 'week'),
    months: unitStarts(from, to, 'month'),
  };
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString(), days: (to - from) / DAY },
    groupBy,
    groups: partition(inPeriod, groupBy).map(([group, members]) => measureGroup(group, members, calendar)),
    ignored: { outsidePeriod, unreadableDeployedAt },
    bandsSource: BANDS_SOURCE,
  };
}

function measureGroup(
  group: DeliveryGroupKey,
  members: ReadonlyArray<TimedDeployment>,
  calendar: Calendar,
): DeliveryMetricsGroup {
  return {
    group,
    deployments: members.length,
    deploymentFrequency: deploymentFrequency(members, calendar),
    changeLeadTime: changeLeadTime(members),
    changeFailRate: changeFailRate(members),
    failedDeploymentRecoveryTime: failedDeploymentRecoveryTime(members),
  };
}

function partition(
  members: ReadonlyArray<TimedDeployment>,
  groupBy: DeliveryGrouping,
): Array<readonly [DeliveryGroupKey, ReadonlyArray<TimedDeployment>]> {
  switch (groupBy) {
    case 'overall':
      return [[{ by: 'overall' }, members]];
    case 'service':
      return byKey(members, (member) => member.record.service).map(([service, group]) => [
        { by: 'service', service },
        group,
      ]);
    case 'team':
      return byKey(members, (member) => member.record.team).map(([team, group]) => [{ by: 'team', team }, group]);
    default:
      return assertNever(groupBy, 'grouping');
  }
}

function byKey<TKey extends string | undefined>(
  members: ReadonlyArray<TimedDeployment>,
  keyOf: (member: TimedDeployment) => TKey,
): Array<readonly [TKey, ReadonlyArray<TimedDeployment>]> {
  const groups = new Map<TKey, TimedDeployment[]>();
  for (const member of members) {
    const key = keyOf(member);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [member]);
    else group.push(member);
  }
  return [...groups].sort(([a], [b]) => compareKeys(a, b));
}

function compareKeys(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

function unitStarts(from: number, to: number, unit: 'week' | 'month'): number[] {
  const step = unit === 'week' ? { weeks: 1 } : { months: 1 };
  const starts: number[] = [];
  for (
    let start = DateTime.fromMillis(from, { zone: 'utc' }).startOf(unit);
    start.toMillis() < to;
    start = start.plus(step)
  ) {
    starts.push(start.toMillis());
  }
  return starts;
}

function deploymentFrequency(members: ReadonlyArray<TimedDeployment>, calendar: Calendar): DeploymentFrequencyMetric {
  const daysByWeek = new Map<number, Set<number>>();
  const monthsDeployed = new Set<number>();
  for (const { deployedAt } of members) {
    const at = DateTime.fromMillis(deployedAt, { zone: 'utc' });
    const week = at.startOf('week').toMillis();
    const days = daysByWeek.get(week) ?? new Set<number>();
    days.add(at.startOf('day').toMillis());
    daysByWeek.set(week, days);
    monthsDeployed.add(at.startOf('month').toMillis());
  }
  const daysPerWeek = calendar.weeks.map((week) => daysByWeek.get(week)?.size ?? 0);
  const medianDays = median(daysPerWeek) ?? 0;
  const medianWeek = median(daysPerWeek.map((days) => (days > 0 ? 1 : 0))) ?? 0;
  const medianMonth = median(calendar.months.map((month) => (monthsDeployed.has(month) ? 1 : 0))) ?? 0;
  const counts = {
    deployments: members.length,
    weeks: calendar.weeks.length,
    weeksWithDeployment: daysByWeek.size,
    medianDaysPerWeekWithDeployment: medianDays,
    months: calendar.months.length,
    monthsWithDeployment: monthsDeployed.size,
  };
  if (members.length === 0) return { ...noData<DeploymentFrequencyValue>(NO_DEPLOYMENTS), ...counts };
  const bucket: FourKeysFrequencyBucket =
    medianDays >= 3 ? 'daily' : medianWeek >= 1 ? 'weekly' : medianMonth >= 1 ? 'monthly' : 'yearly';
  const perDay = (members.length * DAY) / calendar.span;
  const value = { perDay, perWeek: (members.length * WEEK) / calendar.span, bucket };
  return { ...measured(value, performanceBand2024('deploymentFrequency', perDay)), ...counts };
}

function changeLeadTime(members: ReadonlyArray<TimedDeployment>): ChangeLeadTimeMetric {
  const leads: number[] = [];
  let withoutCommitTime = 0;
  let nonPositive = 0;
  for (const { record, deployedAt } of members) {
    const committedAt = record.commitAt === undefined ? Number.NaN : Date.parse(record.commitAt);
    if (Number.isNaN(committedAt)) withoutCommitTime += 1;
    else if (deployedAt - committedAt <= 0) nonPositive += 1;
    else leads.push(deployedAt - committedAt);
  }
  const counts = { deployments: members.length, used: leads.length, withoutCommitTime, nonPositive };
  const summary = summarise(leads);
  if (summary === undefined) {
    const reason =
      members.length === 0
        ? NO_DEPLOYMENTS
        : nonPositive === 0
          ? 'No deployment in the period records a commit time.'
          : `No deployment in the period was committed before it was deployed: ${nonPositive} at or after, ${withoutCommitTime} without a commit time.`;
    return { ...noData<DurationSummary>(reason), ...counts };
  }
  return { ...measured(summary, performanceBand2024('changeLeadTime', summary.median.milliseconds)), ...counts };
}

function changeFailRate(members: ReadonlyArray<TimedDeployment>): ChangeFailRateMetric {
  let failed = 0;
  let rolledBack = 0;
  for (const { record } of members) {
    switch (record.outcome) {
      case 'succeeded':
        break;
      case 'failed':
        failed += 1;
        break;
      case 'rolled-back':
        rolledBack += 1;
        break;
      default:
        return assertNever(record.outcome, 'deployment outcome');
    }
  }
  const counts = { deployments: members.length, failed, rolledBack };
  if (members.length === 0) return { ...noData<number>(NO_DEPLOYMENTS), ...counts };
  const rate = (failed + rolledBack) / members.length;
  return { ...measured(rate, performanceBand2024('changeFailRate', rate)), ...counts };
}

function failedDeploymentRecoveryTime(members: ReadonlyArray<TimedDeployment>): FailedDeploymentRecoveryTimeMetric {
  const recoveries: number[] = [];
  let failures = 0;
  let unrecovered = 0;
  let unusable = 0;
  for (const { record, deployedAt } of members) {
    if (record.outcome === 'succeeded') continue;
    failures += 1;
    if (record.recoveredAt === undefined) {
      unrecovered += 1;
      continue;
    }
    const recoveredAt = Date.parse(record.recoveredAt);
    if (Number.isNaN(recoveredAt) || recoveredAt < deployedAt) unusable += 1;
    else recoveries.push(recoveredAt - deployedAt);
  }
  const counts = { failures, recovered: recoveries.length, unrecovered, unusable };
  const summary = summarise(recoveries);
  if (summary === undefined) {
    const reason =
      members.length === 0
        ? NO_DEPLOYMENTS
        : failures === 0
          ? 'No deployment in the period failed or was rolled back, so there is no recovery to measure.'
          : `The ${plural(failures, 'failed or rolled-back deployment')} in the period ${failures === 1 ? 'has' : 'have'} no usable recovery time: ${unrecovered} not recovered yet, ${unusable} unusable.`;
    return { ...noData<DurationSummary>(reason), ...counts };
  }
  return {
    ...measured(summary, performanceBand2024('failedDeploymentRecoveryTime', summary.median.milliseconds)),
    ...counts,
  };
}

function summarise(durations: ReadonlyArray<number>): DurationSummary | undefined {
  const sorted = [...durations].sort((a, b) => a - b);
  const middle = percentile(sorted, 0.5);
  const ninetieth = percentile(sorted, 0.9);
  if (middle === undefined || ninetieth === undefined) return undefined;
  return { median: duration(Math.round(middle)), p90: duration(Math.round(ninetieth)) };
}

function median(values: ReadonlyArray<number>): number | undefined {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Linear interpolation between closest ranks, as PERCENTILE_CONT in Four Keys' BigQuery. */
function percentile(sorted: ReadonlyArray<number>, fraction: number): number | undefined {
  const position = (sorted.length - 1) * fraction;
  const lower = sorted[Math.floor(position)];
  const upper = sorted[Math.ceil(position)];
  if (lower === undefined || upper === undefined) return undefined;
  return lower + (upper - lower) * (position - Math.floor(position));
}
