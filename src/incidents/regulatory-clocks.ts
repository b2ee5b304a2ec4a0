/**
 * Evaluates the regulatory reporting clocks of one incident at one instant, from the policies in
 * `regulatory-policies.ts`. Pure: the caller passes `now`, the holiday calendars and the policies.
 * @module
 */
import { DateTime } from 'luxon';
import {
  type Anchor,
  type AnchorEvent,
  type CalendarRole,
  type ClockStatusRule,
  type Condition,
  type Deadline,
  ENGLAND_AND_WALES_CALENDAR,
  type IncidentFact,
  type Limb,
  type Nis2EntityType,
  type Offset,
  REGULATORY_POLICIES,
  type RegulatoryPolicies,
  type ReportingRegime,
  type ReportingRegimePolicy,
  type ReportPolicy,
  type WorkingCalendar,
  type WorkingDayRelief,
} from './regulatory-policies.js';

export interface IncidentClassification {
  readonly doraMajor: boolean;
  readonly gdprPersonalDataBreach: boolean;
  readonly nis2Significant: boolean;
  /** The incident reasonably appears to meet a UK (PS26/2) reporting threshold. */
  readonly ukOperationalIncident: boolean;
}

export interface ReportingEntity {
  readonly creditInstitution: boolean;
  readonly centralCounterparty: boolean;
  readonly tradingVenueOperator: boolean;
  readonly paymentServiceProvider: boolean;
  readonly nis2: Nis2EntityType;
  readonly ukEnhancedReporting: boolean;
  /** The competent authority withdrew DORA weekend and bank-holiday relief (2025/301 Art 5(4)–(6)). */
  readonly doraReliefWithdrawn: boolean;
}

export interface SubmittedReport {
  readonly regime: ReportingRegime;
  readonly report: string;
  readonly submittedAt: Date;
}

export interface AffectedBusinessService {
  readonly name: string;
  readonly impactToleranceMs: number;
  readonly degradedAt: Date;
  readonly restoredAt?: Date;
}

export interface ClockInput {
  readonly occurredAt?: Date;
  readonly awareAt: Date;
  readonly classifiedAt?: Date;
  readonly classification: IncidentClassification;
  readonly entity: ReportingEntity;
  readonly submissions: ReadonlyArray<SubmittedReport>;
  readonly services: ReadonlyArray<AffectedBusinessService>;
  /** UK working days and local display; defaults to England and Wales in Europe/London. */
  readonly calendar?: WorkingCalendar;
  /** DORA relief follows the entity's Member State; defaults to `calendar`. */
  readonly memberStateCalendar?: WorkingCalendar;
}

export type OpenClockStatus = 'pending' | 'at-risk' | 'due';
export type TimedClockStatus = OpenClockStatus | 'met' | 'missed';

export interface ClockAnchor {
  readonly event: AnchorEvent | 'submission';
  readonly description: string;
  readonly at: string;
}

interface ClockIdentity {
  readonly regime: ReportingRegime;
  readonly report: string;
  readonly title: string;
  readonly source: string;
}

/**
 * `met`: the first submission at or before `now` was at or before `dueAt`. `missed`: that submission came after
 * `dueAt`, or nothing was submitted and `now` is past `dueAt`. Otherwise the clock is open: see `ClockStatusRule`.
 */
export interface TimedClock extends ClockIdentity {
  readonly status: TimedClockStatus;
  readonly dueAt: string;
  readonly dueAtLocal: string;
  readonly rule: string;
  readonly anchor: ClockAnchor;
  /** The deadline moved to the next working day under a weekend and bank-holiday relief. */
  readonly reliefApplied: boolean;
  readonly submittedAt: string | undefined;
}

/** `not-applicable`: a condition of the regime or report does not hold; `awaiting-anchor`: its start has not happened. */
export interface UntimedClock extends ClockIdentity {
  readonly status: 'not-applicable' | 'awaiting-anchor';
  readonly reason: string;
}

/** `met`: restored within tolerance; `missed`: in breach; open statuses as for reports. */
export interface ImpactToleranceClock {
  readonly regime: 'uk-impact-tolerance';
  readonly report: 'impact-tolerance';
  readonly service: string;
  readonly title: string;
  readonly source: string;
  readonly status: TimedClockStatus;
  readonly dueAt: string;
  readonly dueAtLocal: string;
  readonly anchor: ClockAnchor;
  readonly toleranceMs: number;
  readonly timeInDisruptionMs: number;
  readonly fractionOfTolerance: number;
  /** The highest warning crossed, in per cent of the tolerance. */
  readonly warningPercent: number | undefined;
  readonly breached: boolean;
}

export interface UntimedImpactToleranceClock {
  readonly regime: 'uk-impact-tolerance';
  readonly report: 'impact-tolerance';
  readonly title: string;
  readonly source: string;
  readonly status: 'not-applicable';
  readonly reason: string;
}

export type Clock = TimedClock | UntimedClock | ImpactToleranceClock | UntimedImpactToleranceClock;

interface Context {
  readonly input: ClockInput;
  readonly now: Date;
  readonly facts: Readonly<Record<IncidentFact, boolean>>;
  readonly calendars: Readonly<Record<CalendarRole, WorkingCalendar>>;
  readonly display: string;
  readonly status: ClockStatusRule;
}

interface ResolvedLimb {
  readonly anchor: ClockAnchor;
  readonly anchorAt: DateTime;
  readonly dueAt: DateTime;
}

type Resolution = { readonly ok: true; readonly limb: ResolvedLimb } | { readonly ok: false; readonly reason: string };

/**
 * The clocks of every regime in `policies`, evaluated at `now`.
 * @param input - the incident's recorded facts; times after `now` are not yet known and are ignored
 * @param policies - the regimes' rules; defaults to `REGULATORY_POLICIES`
 */
export function computeClocks(
  input: ClockInput,
  now: Date,
  policies: RegulatoryPolicies = REGULATORY_POLICIES,
): Clock[] {
  const calendar = input.calendar ?? ENGLAND_AND_WALES_CALENDAR;
  const context: Context = {
    input,
    now,
    facts: {
      ...input.classification,
      creditInstitution: input.entity.creditInstitution,
      centralCounterparty: input.entity.centralCounterparty,
      tradingVenueOperator: input.entity.tradingVenueOperator,
      paymentServiceProvider: input.entity.paymentServiceProvider,
      ukEnhancedReporting: input.entity.ukEnhancedReporting,
      doraReliefWithdrawn: input.entity.doraReliefWithdrawn,
    },
    calendars: { uk: calendar, 'member-state': input.memberStateCalendar ?? calendar },
    display: calendar.timeZone,
    status: policies.status,
  };
  const clocks: Clock[] = [];
  for (const regime of policies.reporting) {
    for (const report of regime.reports) clocks.push(reportClock(context, regime, report));
  }
  clocks.push(...impactToleranceClocks(context, policies));
  return clocks;
}

function reportClock(context: Context, regime: ReportingRegimePolicy, report: ReportPolicy): Clock {
  const identity: ClockIdentity = {
    regime: regime.regime,
    report: report.report,
    title: report.title,
    source: report.source,
  };
  const unmet = unmetCondition(context, regime.appliesWhen) ?? unmetOf(context, report.appliesWhen);
  if (unmet !== undefined) return { ...identity, status: 'not-applicable', reason: `applies only to ${unmet}` };

  const variant = report.variants?.find((candidate) => unmetCondition(context, candidate.when) === undefined);
  const deadline = variant?.deadline ?? report.deadline;
  const resolved = resolveDeadline(context, regime.regime, deadline);
  if (!resolved.ok) return { ...identity, status: 'awaiting-anchor', reason: resolved.reason };

  const relief = report.relief;
  const reliefApplies = relief !== undefined && unmetCondition(context, relief.deniedWhen) !== undefined;
  const relieved = reliefApplies ? applyRelief(context, relief, resolved.limb.dueAt) : resolved.limb.dueAt;
  const submittedAt = firstSubmission(context, regime.regime, report.report);
  return {
    ...identity,
    status: statusOf(context, resolved.limb.anchorAt, relieved, submittedAt),
    dueAt: utcIso(relieved),
    dueAtLocal: localIso(relieved, context.display),
    rule: deadline.rule,
    anchor: resolved.limb.anchor,
    reliefApplied: relieved.toMillis() !== resolved.limb.dueAt.toMillis(),
    submittedAt: submittedAt === undefined ? undefined : utcIso(submittedAt),
  };
}

function unmetOf(context: Context, condition: Condition | undefined): string | undefined {
  return condition === undefined ? undefined : unmetCondition(context, condition);
}

/** What a failing condition requires, or `undefined` when it holds. */
function unmetCondition(context: Context, condition: Condition): string | undefined {
  switch (condition.kind) {
    case 'fact':
      return context.facts[condition.fact] ? undefined : condition.description;
    case 'nis2-entity':
      return condition.in.includes(context.input.entity.nis2) ? undefined : condition.description;
    case 'aware-on-or-after': {
      const from = DateTime.fromISO(condition.date, { zone: condition.timeZone }).startOf('day');
      return context.input.awareAt.getTime() >= from.toMillis() ? undefined : condition.description;
    }
    case 'all':
      for (const part of condition.of) {
        const unmet = unmetCondition(context, part);
        if (unmet !== undefined) return unmet;
      }
      return undefined;
    case 'any': {
      const unmet = condition.of.map((part) => unmetCondition(context, part));
      return unmet.some((entry) => entry === undefined) ? undefined : unmet.join(' or ');
    }
    case 'not':
      return unmetCondition(context, condition.condition) === undefined ? condition.description : undefined;
    default:
      return assertNever(condition);
  }
}

function resolveDeadline(context: Context, regime: ReportingRegime, deadline: Deadline): Resolution {
  switch (deadline.kind) {
    case 'after':
      return resolveLimb(context, regime, deadline.limb);
    case 'earliest': {
      const resolutions = deadline.limbs.map((limb) => resolveLimb(context, regime, limb));
      const limbs: ResolvedLimb[] = [];
      for (const resolution of resolutions) {
        if (!resolution.ok) return resolution;
        limbs.push(resolution.limb);
      }
      const floor = eventTime(context, deadline.ignoreLimbsDueBefore);
      const competing = limbs.filter((limb) => floor === undefined || limb.dueAt.toMillis() >= floor.getTime());
      const earliest = (competing.length > 0 ? competing : limbs).reduce<ResolvedLimb | undefined>(
        (best, limb) => (best === undefined || limb.dueAt < best.dueAt ? limb : best),
        undefined,
      );
      return earliest === undefined
        ? { ok: false, reason: 'the policy has no deadline limbs' }
        : { ok: true, limb: earliest };
    }
    default:
      return assertNever(deadline);
  }
}

function resolveLimb(context: Context, regime: ReportingRegime, limb: Limb): Resolution {
  const anchor = anchorOf(context, regime, limb.anchor);
  if (!anchor.ok) return anchor;
  const anchorAt = DateTime.fromJSDate(anchor.at, { zone: context.display });
  return {
    ok: true,
    limb: {
      anchor: { event: limb.anchor.kind, description: anchor.description, at: utcIso(anchorAt) },
      anchorAt,
      dueAt: addOffset(context, anchorAt, limb.offset),
    },
  };
}

type AnchorResolution =
  | { readonly ok: true; readonly at: Date; readonly description: string }
  | { readonly ok: false; readonly reason: string };

function anchorOf(context: Context, regime: ReportingRegime, anchor: Anchor): AnchorResolution {
  if (anchor.kind === 'submission') {
    const submissions = submissionsOf(context, regime, anchor.report);
    const latest = submissions.at(-1);
    return latest === undefined
      ? { ok: false, reason: `waiting for the ${anchor.report} report to be submitted` }
      : { ok: true, at: latest, description: `submission of the ${anchor.report} report` };
  }
  const at = eventTime(context, anchor.kind);
  return at === undefined
    ? { ok: false, reason: `waiting for ${anchor.kind} to be recorded` }
    : { ok: true, at, description: anchor.kind };
}

function eventTime(context: Context, event: AnchorEvent): Date | undefined {
  const known = (at: Date | undefined) => (at !== undefined && at <= context.now ? at : undefined);
  switch (event) {
    case 'awareness':
      return known(context.input.awareAt);
    case 'classification':
      return known(context.input.classifiedAt);
    case 'degradation-start': {
      const starts = context.input.services.map((service) => service.degradedAt).filter((at) => at <= context.now);
      return starts.reduce<Date | undefined>(
        (first, at) => (first === undefined || at < first ? at : first),
        undefined,
      );
    }
    default:
      return assertNever(event);
  }
}

/** Submission times of one report up to `now`, earliest first. */
function submissionsOf(context: Context, regime: ReportingRegime, report: string): Date[] {
  return context.input.submissions
    .filter((entry) => entry.regime === regime && entry.report === report && entry.submittedAt <= context.now)
    .map((entry) => entry.submittedAt)
    .sort((a, b) => a.getTime() - b.getTime());
}

function firstSubmission(context: Context, regime: ReportingRegime, report: string): DateTime | undefined {
  const first = submissionsOf(context, regime, report)[0];
  return first === undefined ? undefined : DateTime.fromJSDate(first, { zone: context.display });
}

function addOffset(context: Context, anchorAt: DateTime, offset: Offset): DateTime {
  switch (offset.unit) {
    case 'hours':
      return anchorAt.plus({ hours: offset.amount });
    case 'calendar-months':
      return anchorAt.setZone(context.display).plus({ months: offset.amount });
    case 'working-days': {
      const calendar = context.calendars[offset.calendar];
      let day = anchorAt.setZone(calendar.timeZone);
      for (let counted = 0; counted < offset.amount; ) {
        day = day.plus({ days: 1 });
        if (isWorkingDay(day, calendar)) counted += 1;
      }
      return day.endOf('day');
    }
    default:
      return assertNever(offset);
  }
}

function applyRelief(context: Context, relief: WorkingDayRelief, dueAt: DateTime): DateTime {
  const calendar = context.calendars[relief.calendar];
  let day = dueAt.setZone(calendar.timeZone);
  if (isWorkingDay(day, calendar)) return dueAt;
  do {
    day = day.plus({ days: 1 });
  } while (!isWorkingDay(day, calendar));
  return day.set({ ...relief.until, second: 0, millisecond: 0 });
}

function isWorkingDay(day: DateTime, calendar: WorkingCalendar): boolean {
  const SATURDAY = 6;
  return day.weekday < SATURDAY && !calendar.holidays.includes(day.toISODate() ?? '');
}

function statusOf(
  context: Context,
  anchorAt: DateTime,
  dueAt: DateTime,
  submittedAt: DateTime | undefined,
): TimedClockStatus {
  if (submittedAt !== undefined) return submittedAt <= dueAt ? 'met' : 'missed';
  return openStatus(context.status, anchorAt.toMillis(), dueAt.toMillis(), context.now.getTime());
}

function openStatus(rule: ClockStatusRule, anchorMs: number, dueMs: number, nowMs: number): TimedClockStatus {
  const remaining = dueMs - nowMs;
  const window = dueMs - anchorMs;
  if (remaining < 0) return 'missed';
  if (remaining <= Math.max(rule.due.fraction * window, rule.due.minimumMs)) return 'due';
  if (remaining <= Math.max(rule.atRisk.fraction * window, rule.atRisk.minimumMs)) return 'at-risk';
  return 'pending';
}

function impactToleranceClocks(
  context: Context,
  policies: RegulatoryPolicies,
): Array<ImpactToleranceClock | UntimedImpactToleranceClock> {
  const policy = policies.impactTolerance;
  const identity = { regime: policy.regime, report: policy.report, title: policy.title, source: policy.source };
  const disrupted = context.input.services.filter((service) => service.degradedAt <= context.now);
  if (disrupted.length === 0) {
    return [{ ...identity, status: 'not-applicable', reason: 'no important business service has been disrupted' }];
  }
  return disrupted.map((service) => {
    const degradedAt = DateTime.fromJSDate(service.degradedAt, { zone: context.display });
    const dueAt = degradedAt.plus({ milliseconds: service.impactToleranceMs });
    const restoredAt =
      service.restoredAt !== undefined && service.restoredAt <= context.now ? service.restoredAt : undefined;
    const endMs = (restoredAt ?? context.now).getTime();
    const timeInDisruptionMs = Math.max(0, endMs - degradedAt.toMillis());
    const fraction = service.impactToleranceMs > 0 ? timeInDisruptionMs / service.impactToleranceMs : Infinity;
    const crossed = policy.warningFractions.filter((threshold) => fraction >= threshold);
    const highest = crossed.length > 0 ? Math.max(...crossed) : undefined;
    const breached = timeInDisruptionMs > service.impactToleranceMs;
    const status: TimedClockStatus =
      restoredAt !== undefined
        ? breached
          ? 'missed'
          : 'met'
        : openStatus(context.status, degradedAt.toMillis(), dueAt.toMillis(), context.now.getTime());
    return {
      ...identity,
      service: service.name,
      status,
      dueAt: utcIso(dueAt),
      dueAtLocal: localIso(dueAt, context.display),
      anchor: {
        event: 'degradation-start',
        description: `degradation of ${service.name}`,
        at: utcIso(degradedAt),
      },
      toleranceMs: service.impactToleranceMs,
      timeInDisruptionMs,
      fractionOfTolerance: fraction,
      warningPercent: highest === undefined ? undefined : Math.round(highest * 100),
      breached,
    };
  });
}

function utcIso(at: DateTime): string {
  return iso(at.toUTC());
}

function localIso(at: DateTime, zone: string): string {
  return iso(at.setZone(zone));
}

function iso(at: DateTime): string {
  const text = at.toISO();
  if (text === null) throw new RangeError(`invalid date-time: ${at.invalidExplanation ?? 'unknown reason'}`);
  return text;
}

function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}
