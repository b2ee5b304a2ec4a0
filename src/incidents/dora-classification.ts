/**
 * Classifies an ICT-related incident as major or not under Delegated Regulation (EU) 2024/1772, from recorded
 * figures, and assesses recurring non-major incidents collectively (Art 8(2)). Pure: no I/O and no clock. Section
 * numbers refer to the project's regulatory reference (`regulatory.md` §1.2); `[P]`, `[S]` and `[U]` are its
 * confidence tags.
 * @module
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Confidence } from './regulatory-policies.js';

const Estimate = z.boolean().optional();
const CountSchema = z.strictObject({ value: z.number().int().nonnegative(), estimate: Estimate });
const ShareSchema = z.strictObject({ value: z.number().min(0).max(100), estimate: Estimate });
/** Transactions affected can exceed a day's average when the incident lasts longer than a day. */
const RatioSchema = z.strictObject({ value: z.number().nonnegative(), estimate: Estimate });
const AmountSchema = z.strictObject({ value: z.number().nonnegative(), estimate: Estimate });
const InstantSchema = z.iso.datetime({ offset: true });

const PopulationSchema = z.strictObject({
  affected: CountSchema.optional(),
  /** Everyone using the affected service; with `affected` it gives the share when `percent` is absent. */
  total: CountSchema.optional(),
  percent: ShareSchema.optional(),
});

/** Request body of a classification: each figure is `{ value, estimate? }`; anything absent counts as not met. */
export const DoraClassificationInputSchema = z.strictObject({
  /** Art 6(a)–(c); the incident can be major only if one of them holds. */
  criticalServices: z.strictObject({
    criticalOrImportantFunctions: z.boolean().optional(),
    authorisedFinancialServices: z.boolean().optional(),
    maliciousUnauthorisedAccess: z.boolean().optional(),
  }),
  clients: PopulationSchema.optional(),
  counterparts: PopulationSchema.optional(),
  transactions: z
    .strictObject({
      affectedNumber: CountSchema.optional(),
      dailyAverageNumber: CountSchema.optional(),
      percentByNumber: RatioSchema.optional(),
      /** Amounts in one currency, whichever the entity reports in. */
      affectedValue: AmountSchema.optional(),
      dailyAverageValue: AmountSchema.optional(),
      percentByValue: RatioSchema.optional(),
    })
    .optional(),
  relevantClientsOrCounterpartsAffected: z.boolean().optional(),
  reputational: z
    .strictObject({
      mediaCoverage: z.boolean().optional(),
      repeatedComplaints: z.boolean().optional(),
      regulatoryRequirementsUnlikelyMet: z.boolean().optional(),
      likelyLossOfClientsOrCounterparts: z.boolean().optional(),
    })
    .optional(),
  /** `minutes` wins over the times; without `resolvedAt`, `assessedAt` gives the duration so far. */
  duration: z
    .strictObject({
      minutes: AmountSchema.optional(),
      occurredAt: InstantSchema.optional(),
      resolvedAt: InstantSchema.optional(),
      assessedAt: InstantSchema.optional(),
    })
    .refine((duration) => notBefore(duration.occurredAt, duration.resolvedAt), {
      message: 'resolvedAt must not be before occurredAt',
      path: ['resolvedAt'],
    })
    .refine((duration) => notBefore(duration.occurredAt, duration.assessedAt), {
      message: 'assessedAt must not be before occurredAt',
      path: ['assessedAt'],
    })
    .optional(),
  /** Full or partial unavailability of an ICT service supporting a critical or important function. */
  cifDowntimeMinutes: AmountSchema.optional(),
  /** ISO 3166-1 alpha-2 codes; codes that are not EU Member States are reported and not counted. */
  memberStates: z.array(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals')).optional(),
  dataImpact: z
    .strictObject({
      availability: z.boolean().optional(),
      authenticity: z.boolean().optional(),
      integrity: z.boolean().optional(),
      confidentiality: z.boolean().optional(),
      adverseEffectOnBusinessOrCompliance: z.boolean().optional(),
      maliciousAccessMayLeadToDataLoss: z.boolean().optional(),
    })
    .optional(),
  economic: z
    .strictObject({
      costsAndLossesEur: AmountSchema.optional(),
      likelyToExceedThreshold: z.boolean().optional(),
    })
    .optional(),
});

export type DoraClassificationInput = z.output<typeof DoraClassificationInputSchema>;

export interface Measure {
  readonly value: number;
  readonly estimate?: boolean | undefined;
}

export type DoraCriterion =
  | 'clients-counterparts-transactions'
  | 'reputational'
  | 'duration-downtime'
  | 'geographical'
  | 'data-losses'
  | 'economic';

export type CriticalServiceLimb =
  | 'critical-or-important-functions'
  | 'authorised-financial-services'
  | 'malicious-unauthorised-access';

export interface DoraCriterionPolicy {
  readonly criterion: DoraCriterion;
  readonly title: string;
  readonly article: string;
  readonly confidence: Confidence;
}

export interface CriticalServiceLimbPolicy {
  readonly limb: CriticalServiceLimb;
  readonly title: string;
  readonly article: string;
  readonly confidence: Confidence;
}

/** `above` is strict (>); `at-least` is ≥. */
export interface DoraThreshold {
  readonly value: number;
  readonly comparison: 'above' | 'at-least';
  readonly source: string;
  readonly confidence: Confidence;
}

export interface DoraThresholds {
  readonly clientsPercent: DoraThreshold;
  readonly clients: DoraThreshold;
  readonly counterpartsPercent: DoraThreshold;
  readonly transactionsByNumberPercent: DoraThreshold;
  readonly transactionsByValuePercent: DoraThreshold;
  readonly durationHours: DoraThreshold;
  readonly cifDowntimeHours: DoraThreshold;
  readonly memberStates: DoraThreshold;
  readonly economicEur: DoraThreshold;
  /** Criteria needed for a major incident when the malicious-access rule does not apply. */
  readonly criteriaForMajor: DoraThreshold;
  /** Art 8(2) look-back for recurring incidents. */
  readonly recurrenceMonths: DoraThreshold;
}

const REGULATION = 'Del. Reg. (EU) 2024/1772';

export const DORA_CRITERIA = [
  {
    criterion: 'clients-counterparts-transactions',
    title: 'Clients, financial counterparts and transactions',
    article: `${REGULATION} Art 9(1)`,
    confidence: '[P]',
  },
  { criterion: 'reputational', title: 'Reputational impact', article: `${REGULATION} Art 9(2)`, confidence: '[S]' },
  {
    criterion: 'duration-downtime',
    title: 'Duration and service downtime',
    article: `${REGULATION} Art 9(3)`,
    confidence: '[S]',
  },
  { criterion: 'geographical', title: 'Geographical spread', article: `${REGULATION} Art 9(4)`, confidence: '[S]' },
  { criterion: 'data-losses', title: 'Data losses', article: `${REGULATION} Art 9(5)`, confidence: '[S]' },
  { criterion: 'economic', title: 'Economic impact', article: `${REGULATION} Art 9(6)`, confidence: '[S]' },
] as const satisfies ReadonlyArray<DoraCriterionPolicy>;

export const CRITICAL_SERVICE_LIMBS = [
  {
    limb: 'critical-or-important-functions',
    title: 'ICT services or systems supporting critical or important functions',
    article: `${REGULATION} Art 6(a)`,
    confidence: '[S]',
  },
  {
    limb: 'authorised-financial-services',
    title: 'financial services requiring authorisation, registration or supervision',
    article: `${REGULATION} Art 6(b)`,
    confidence: '[S]',
  },
  {
    limb: 'malicious-unauthorised-access',
    title: 'successful, malicious, unauthorised access to network and information systems',
    article: `${REGULATION} Art 6(c)`,
    confidence: '[S]',
  },
] as const satisfies ReadonlyArray<CriticalServiceLimbPolicy>;

export const DORA_THRESHOLDS = {
  clientsPercent: { value: 10, comparison: 'above', source: `${REGULATION} Art 9(1)`, confidence: '[P]' },
  clients: { value: 100_000, comparison: 'above', source: `${REGULATION} Art 9(1)`, confidence: '[P]' },
  counterpartsPercent: { value: 30, comparison: 'above', source: `${REGULATION} Art 9(1)`, confidence: '[P]' },
  transactionsByNumberPercent: {
    value: 10,
    comparison: 'above',
    source: `${REGULATION} Art 9(1)`,
    confidence: '[P]',
  },
  transactionsByValuePercent: {
    value: 10,
    comparison: 'above',
    source: `${REGULATION} Art 9(1)`,
    confidence: '[P]',
  },
  durationHours: { value: 24, comparison: 'above', source: `${REGULATION} Art 9(3), Art 3`, confidence: '[S]' },
  cifDowntimeHours: { value: 2, comparison: 'above', source: `${REGULATION} Art 9(3), Art 3`, confidence: '[S]' },
  memberStates: { value: 2, comparison: 'at-least', source: `${REGULATION} Art 9(4), Art 4`, confidence: '[S]' },
  // Cost categories (Art 7) and whether recoveries are netted off are unconfirmed (§6); the caller decides.
  economicEur: { value: 100_000, comparison: 'above', source: `${REGULATION} Art 9(6), Art 7`, confidence: '[S]' },
  criteriaForMajor: { value: 2, comparison: 'at-least', source: `${REGULATION} Art 8(1)`, confidence: '[P]' },
  recurrenceMonths: { value: 6, comparison: 'at-least', source: `${REGULATION} Art 8(2)`, confidence: '[P]' },
} as const satisfies DoraThresholds;

/**
 * EU Member States as ISO 3166-1 alpha-2 codes (Greece is `GR`, not the EU's `EL`). Whether EEA states count for
 * Art 9(4) is not settled in the reference; they are left out.
 */
export const EU_MEMBER_STATES = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const satisfies ReadonlyArray<string>;

export interface CriterionResult {
  readonly criterion: DoraCriterion;
  readonly met: boolean;
  /** One sentence per figure or flag assessed, with the threshold it was compared with. */
  readonly reasons: ReadonlyArray<string>;
  /** A figure this criterion was assessed on is an estimate. */
  readonly estimate: boolean;
  readonly article: string;
}

export interface CriticalServicesGate {
  readonly met: boolean;
  readonly limbs: ReadonlyArray<CriticalServiceLimb>;
}

export interface DoraClassification {
  readonly major: boolean;
  readonly criticalServicesGate: CriticalServicesGate;
  /** Art 9(5)(b): successful malicious unauthorised access that may lead to data loss; with the gate it suffices. */
  readonly maliciousAccessRule: boolean;
  readonly criteria: ReadonlyArray<CriterionResult>;
  readonly criteriaMetCount: number;
  readonly explanation: string;
  readonly estimatesUsed: boolean;
}

/** The outcome of one figure or flag compared with its threshold. */
interface Finding {
  readonly met: boolean;
  readonly reason: string;
  readonly estimate: boolean;
}

/**
 * Applies the Art 8(1) rule: critical services affected (Art 6) and either the malicious-access rule
 * (Art 9(5)(b)) or at least two of the Art 9(1)–(6) criteria.
 * @param thresholds - defaults to `DORA_THRESHOLDS`
 */
export function classifyDoraIncident(
  input: DoraClassificationInput,
  thresholds: DoraThresholds = DORA_THRESHOLDS,
): DoraClassification {
  const findings: Record<DoraCriterion, ReadonlyArray<Finding>> = {
    'clients-counterparts-transactions': clientFindings(input, thresholds),
    reputational: reputationalFindings(input),
    'duration-downtime': durationFindings(input, thresholds),
    geographical: geographicalFindings(input, thresholds),
    'data-losses': dataFindings(input),
    economic: economicFindings(input, thresholds),
  };
  const criteria = DORA_CRITERIA.map((policy): CriterionResult => {
    const found = findings[policy.criterion];
    return {
      criterion: policy.criterion,
      met: found.some((finding) => finding.met),
      reasons: found.map((finding) => capitalise(finding.reason)),
      estimate: found.some((finding) => finding.estimate),
      article: policy.article,
    };
  });
  const limbs = CRITICAL_SERVICE_LIMBS.filter((policy) => gateLimbHolds(input, policy.limb)).map(
    (policy) => policy.limb,
  );
  const gate: CriticalServicesGate = { met: limbs.length > 0, limbs };
  const maliciousAccessRule = input.dataImpact?.maliciousAccessMayLeadToDataLoss === true;
  const criteriaMetCount = criteria.filter((result) => result.met).length;
  const enoughCriteria = passes(criteriaMetCount, thresholds.criteriaForMajor);
  const major = gate.met && (maliciousAccessRule || enoughCriteria);
  const estimatesUsed = criteria.some((result) => result.estimate);
  return {
    major,
    criticalServicesGate: gate,
    maliciousAccessRule,
    criteria,
    criteriaMetCount,
    explanation: explain({ major, gate, maliciousAccessRule, criteria, criteriaMetCount, estimatesUsed }, thresholds),
    estimatesUsed,
  };
}

function gateLimbHolds(input: DoraClassificationInput, limb: CriticalServiceLimb): boolean {
  switch (limb) {
    case 'critical-or-important-functions':
      return input.criticalServices.criticalOrImportantFunctions === true;
    case 'authorised-financial-services':
      return input.criticalServices.authorisedFinancialServices === true;
    case 'malicious-unauthorised-access':
      return input.criticalServices.maliciousUnauthorisedAccess === true;
    default:
      return assertNever(limb);
  }
}

function clientFindings(input: DoraClassificationInput, thresholds: DoraThresholds): Finding[] {
  const findings: Finding[] = [];
  const clients = input.clients;
  if (clients?.affected !== undefined) {
    findings.push(compare(clients.affected, thresholds.clients, (value) => `${count(value)} clients affected`, count));
  }
  const clientShare = affectedShare(clients);
  if (clientShare !== undefined) {
    findings.push(compare(clientShare, thresholds.clientsPercent, (value) => `${percent(value)} of clients`, percent));
  }
  const counterpartShare = affectedShare(input.counterparts);
  if (counterpartShare !== undefined) {
    findings.push(
      compare(
        counterpartShare,
        thresholds.counterpartsPercent,
        (value) => `${percent(value)} of financial counterparts`,
        percent,
      ),
    );
  }
  const transactions = input.transactions;
  const byNumber = transactionsShare(transactions, 'number');
  if (byNumber !== undefined) {
    findings.push(
      compare(
        byNumber,
        thresholds.transactionsByNumberPercent,
        (value) => `transactions affected equal to ${percent(value)} of the daily average number`,
        percent,
      ),
    );
  }
  const byValue = transactionsShare(transactions, 'value');
  if (byValue !== undefined) {
    findings.push(
      compare(
        byValue,
        thresholds.transactionsByValuePercent,
        (value) => `transactions affected equal to ${percent(value)} of the daily average value`,
        percent,
      ),
    );
  }
  if (input.relevantClientsOrCounterpartsAffected !== undefined) {
    const met = input.relevantClientsOrCounterpartsAffected;
    findings.push({
      met,
      reason: met
        ? 'a relevant client or financial counterpart affected'
        : 'no relevant client or financial counterpart affected',
      estimate: false,
    });
  }
  return findings.length > 0
    ? findings
    : [notRecorded('no figures recorded for clients, financial counterparts or transactions')];
}

/** The recorded percentage of clients or counterparts affected, else `affected` over `total`. */
export function affectedShare(population: DoraClassificationInput['clients']): Measure | undefined {
  return population?.percent ?? ratio(population?.affected, population?.total);
}

/** The recorded percentage of the daily average, else the affected figure over the daily average. */
export function transactionsShare(
  transactions: DoraClassificationInput['transactions'],
  by: 'number' | 'value',
): Measure | undefined {
  return by === 'number'
    ? (transactions?.percentByNumber ?? ratio(transactions?.affectedNumber, transactions?.dailyAverageNumber))
    : (transactions?.percentByValue ?? ratio(transactions?.affectedValue, transactions?.dailyAverageValue));
}

function ratio(part: Measure | undefined, whole: Measure | undefined): Measure | undefined {
  if (part === undefined || whole === undefined || whole.value === 0) return undefined;
  return measure((part.value * 100) / whole.value, isEstimate(part) || isEstimate(whole));
}

const REPUTATIONAL_FLAGS = [
  ['mediaCoverage', 'media coverage'],
  ['repeatedComplaints', 'repeated complaints from different clients or financial counterparts'],
  ['regulatoryRequirementsUnlikelyMet', 'regulatory requirements will not or are unlikely to be met'],
  [
    'likelyLossOfClientsOrCounterparts',
    'likely loss of clients or financial counterparts with a material impact on the business',
  ],
] as const satisfies ReadonlyArray<readonly [keyof NonNullable<DoraClassificationInput['reputational']>, string]>;

function reputationalFindings(input: DoraClassificationInput): Finding[] {
  const flags = REPUTATIONAL_FLAGS.filter(([flag]) => input.reputational?.[flag] === true);
  return flags.length > 0
    ? flags.map(([, reason]) => ({ met: true, reason, estimate: false }))
    : [notRecorded('no reputational impact recorded')];
}

function durationFindings(input: DoraClassificationInput, thresholds: DoraThresholds): Finding[] {
  const findings: Finding[] = [];
  const duration = durationMinutes(input.duration);
  if (duration !== undefined) {
    const label = duration.ongoing ? 'duration so far' : 'duration';
    findings.push(
      compare(
        measure(duration.minutes.value / 60, isEstimate(duration.minutes)),
        thresholds.durationHours,
        (hours) => `${label} ${formatMinutes(hours * 60)}`,
        (hours) => `${count(hours)} h`,
      ),
    );
  }
  const downtime = input.cifDowntimeMinutes;
  if (downtime !== undefined) {
    findings.push(
      compare(
        measure(downtime.value / 60, isEstimate(downtime)),
        thresholds.cifDowntimeHours,
        (hours) => `downtime of a service supporting a critical or important function ${formatMinutes(hours * 60)}`,
        (hours) => `${count(hours)} h`,
      ),
    );
  }
  return findings.length > 0 ? findings : [notRecorded('no duration or downtime recorded')];
}

/** Art 3: occurrence to resolution; an ongoing incident is measured up to `assessedAt`. */
function durationMinutes(
  duration: DoraClassificationInput['duration'],
): { readonly minutes: Measure; readonly ongoing: boolean } | undefined {
  if (duration === undefined) return undefined;
  if (duration.minutes !== undefined) return { minutes: duration.minutes, ongoing: false };
  if (duration.occurredAt === undefined) return undefined;
  const end = duration.resolvedAt ?? duration.assessedAt;
  if (end === undefined) return undefined;
  const minutes = (Date.parse(end) - Date.parse(duration.occurredAt)) / 60_000;
  return { minutes: { value: Math.max(0, minutes) }, ongoing: duration.resolvedAt === undefined };
}

function geographicalFindings(input: DoraClassificationInput, thresholds: DoraThresholds): Finding[] {
  if (input.memberStates === undefined) return [notRecorded('no Member States recorded')];
  const codes = [...new Set(input.memberStates)].sort();
  const states = codes.filter((code) => isMemberState(code));
  const others = codes.filter((code) => !isMemberState(code));
  const finding = compare(
    measure(states.length, false),
    thresholds.memberStates,
    (value) =>
      `${count(value)} ${value === 1 ? 'Member State' : 'Member States'} affected${states.length > 0 ? ` (${states.join(', ')})` : ''}`,
    count,
  );
  return others.length > 0
    ? [
        finding,
        {
          met: false,
          reason: `${others.join(', ')} not counted: ${others.length === 1 ? 'not an EU Member State' : 'not EU Member States'}`,
          estimate: false,
        },
      ]
    : [finding];
}

function isMemberState(code: string): boolean {
  return EU_MEMBER_STATES.some((state) => state === code);
}

const DATA_PROPERTIES = ['availability', 'authenticity', 'integrity', 'confidentiality'] as const;

function dataFindings(input: DoraClassificationInput): Finding[] {
  const data = input.dataImpact;
  const findings: Finding[] = [];
  const affected = DATA_PROPERTIES.filter((property) => data?.[property] === true);
  if (affected.length > 0) {
    const what = `${list(affected)} of data affected`;
    const adverse = data?.adverseEffectOnBusinessOrCompliance === true;
    findings.push({
      met: adverse,
      reason: adverse
        ? `${what}, with an adverse effect on business objectives or compliance`
        : `${what}, with no adverse effect on business objectives or compliance recorded`,
      estimate: false,
    });
  }
  if (data?.maliciousAccessMayLeadToDataLoss === true) {
    findings.push({
      met: true,
      reason: 'successful malicious unauthorised access that may lead to data loss',
      estimate: false,
    });
  }
  return findings.length > 0 ? findings : [notRecorded('no impact on data recorded')];
}

function economicFindings(input: DoraClassificationInput, thresholds: DoraThresholds): Finding[] {
  const findings: Finding[] = [];
  const amount = input.economic?.costsAndLossesEur;
  if (amount !== undefined) {
    findings.push(compare(amount, thresholds.economicEur, (value) => `costs and losses of ${euros(value)}`, euros));
  }
  if (input.economic?.likelyToExceedThreshold === true) {
    findings.push({
      met: true,
      reason: `costs and losses likely to exceed ${euros(thresholds.economicEur.value)}`,
      estimate: true,
    });
  }
  return findings.length > 0 ? findings : [notRecorded('no costs or losses recorded')];
}

function compare(
  figure: Measure,
  threshold: DoraThreshold,
  describe: (value: number) => string,
  format: (value: number) => string,
): Finding {
  const met = passes(figure.value, threshold);
  const estimate = isEstimate(figure);
  const limit = format(threshold.value);
  const relation =
    threshold.comparison === 'above'
      ? met
        ? `above ${limit}`
        : `not above ${limit}`
      : met
        ? `at least ${limit}`
        : `fewer than ${limit}`;
  return { met, reason: `${describe(figure.value)}${estimate ? ' (estimate)' : ''}, ${relation}`, estimate };
}

function passes(value: number, threshold: DoraThreshold): boolean {
  return threshold.comparison === 'above' ? value > threshold.value : value >= threshold.value;
}

function notRecorded(reason: string): Finding {
  return { met: false, reason, estimate: false };
}

interface Outcome {
  readonly major: boolean;
  readonly gate: CriticalServicesGate;
  readonly maliciousAccessRule: boolean;
  readonly criteria: ReadonlyArray<CriterionResult>;
  readonly criteriaMetCount: number;
  readonly estimatesUsed: boolean;
}

function explain(outcome: Outcome, thresholds: DoraThresholds): string {
  const needed = thresholds.criteriaForMajor.value;
  const met = outcome.criteria.filter((result) => result.met).map((result) => titleOf(result.criterion).toLowerCase());
  const criteriaText =
    met.length === 0
      ? 'no materiality criterion was met'
      : `${met.length} of ${outcome.criteria.length} materiality criteria ${met.length === 1 ? 'was' : 'were'} met (${list(met)})`;
  const services = CRITICAL_SERVICE_LIMBS.filter((policy) => outcome.gate.limbs.includes(policy.limb)).map(
    (policy) => policy.title,
  );
  const estimates = outcome.estimatesUsed ? ' Some figures are estimates and should be confirmed.' : '';
  if (!outcome.gate.met) {
    return `Not major: no critical service was affected (${REGULATION} Art 6), so the incident cannot be major whatever else is met; ${criteriaText}.${estimates}`;
  }
  const gateText = `critical services were affected (${list(services)})`;
  if (outcome.maliciousAccessRule) {
    return `Major under ${REGULATION} Art 8(1): ${gateText} and successful malicious unauthorised access may lead to data loss (Art 9(5)(b)), which suffices on its own; ${criteriaText}.${estimates}`;
  }
  if (outcome.major) {
    return `Major under ${REGULATION} Art 8(1): ${gateText} and ${criteriaText}, at least ${needed} being required.${estimates}`;
  }
  return `Not major: ${gateText}, but ${criteriaText}; at least ${needed} are required, or successful malicious unauthorised access that may lead to data loss (Art 9(5)(b)).${estimates}`;
}

function titleOf(criterion: DoraCriterion): string {
  return DORA_CRITERIA.find((policy) => policy.criterion === criterion)?.title ?? criterion;
}

export interface RecurringIncident {
  readonly id: string;
  /** Incidents with the same key share an apparent root cause. */
  readonly rootCause: string;
  /** ISO 8601 with an offset. */
  readonly occurredAt: string;
  readonly input: DoraClassificationInput;
}

export interface RecurringGroup {
  readonly rootCause: string;
  /** Earliest first. */
  readonly incidentIds: ReadonlyArray<string>;
  readonly firstOccurredAt: string;
  readonly lastOccurredAt: string;
  /** The collective figures the group was assessed on. */
  readonly collectiveInput: DoraClassificationInput;
  readonly classification: DoraClassification;
  readonly major: boolean;
}

export interface RecurringAssessment {
  readonly at: string;
  readonly windowStart: string;
  /** Root causes with at least two non-major incidents in the window, by root cause. */
  readonly groups: ReadonlyArray<RecurringGroup>;
  /** Incidents left out because each is major on its own. */
  readonly individuallyMajor: ReadonlyArray<string>;
}

/**
 * Assesses recurring non-major incidents collectively (Art 8(2)): those with the same root cause that occurred in
 * the six months up to `at`, two or more per root cause. Counts, shares, amounts and costs are summed (overlaps
 * are not removed, so the sums are upper bounds), the longest duration and downtime are kept, Member States are
 * united and any flag counts. The regulation asks for this monthly; the caller chooses `at`.
 * @param at - the end of the look-back window
 * @param thresholds - defaults to `DORA_THRESHOLDS`
 */
export function assessRecurring(
  incidents: ReadonlyArray<RecurringIncident>,
  at: Date,
  thresholds: DoraThresholds = DORA_THRESHOLDS,
): RecurringAssessment {
  const end = DateTime.fromJSDate(at, { zone: 'utc' });
  const start = end.minus({ months: thresholds.recurrenceMonths.value });
  const individuallyMajor: string[] = [];
  const byRootCause = new Map<string, RecurringIncident[]>();
  for (const incident of incidents) {
    const occurred = DateTime.fromISO(incident.occurredAt, { zone: 'utc' });
    if (!occurred.isValid)
      throw new RangeError(`invalid occurredAt of incident ${incident.id}: ${incident.occurredAt}`);
    if (occurred < start || occurred > end) continue;
    if (classifyDoraIncident(incident.input, thresholds).major) {
      individuallyMajor.push(incident.id);
      continue;
    }
    byRootCause.set(incident.rootCause, [...(byRootCause.get(incident.rootCause) ?? []), incident]);
  }
  const groups: RecurringGroup[] = [];
  for (const [rootCause, members] of [...byRootCause].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (members.length < 2) continue;
    const ordered = [...members].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    const first = ordered[0];
    const last = ordered.at(-1);
    if (first === undefined || last === undefined) continue;
    const collectiveInput = combine(ordered.map((incident) => incident.input));
    const classification = classifyDoraIncident(collectiveInput, thresholds);
    groups.push({
      rootCause,
      incidentIds: ordered.map((incident) => incident.id),
      firstOccurredAt: utc(first.occurredAt),
      lastOccurredAt: utc(last.occurredAt),
      collectiveInput,
      classification,
      major: classification.major,
    });
  }
  return { at: utc(end), windowStart: utc(start), groups, individuallyMajor };
}

function combine(inputs: ReadonlyArray<DoraClassificationInput>): DoraClassificationInput {
  const any = (pick: (input: DoraClassificationInput) => boolean | undefined): boolean | undefined =>
    inputs.some((input) => pick(input) === true) ? true : undefined;
  const durations = inputs.map((input) => durationMinutes(input.duration)?.minutes);
  const memberStates = inputs.flatMap((input) => input.memberStates ?? []);
  return {
    criticalServices: {
      criticalOrImportantFunctions: any((input) => input.criticalServices.criticalOrImportantFunctions),
      authorisedFinancialServices: any((input) => input.criticalServices.authorisedFinancialServices),
      maliciousUnauthorisedAccess: any((input) => input.criticalServices.maliciousUnauthorisedAccess),
    },
    clients: nonEmpty({
      affected: sum(inputs.map((input) => input.clients?.affected)),
      percent: sum(inputs.map((input) => affectedShare(input.clients))),
    }),
    counterparts: nonEmpty({
      affected: sum(inputs.map((input) => input.counterparts?.affected)),
      percent: sum(inputs.map((input) => affectedShare(input.counterparts))),
    }),
    transactions: nonEmpty({
      affectedNumber: sum(inputs.map((input) => input.transactions?.affectedNumber)),
      percentByNumber: sum(inputs.map((input) => transactionsShare(input.transactions, 'number'))),
      affectedValue: sum(inputs.map((input) => input.transactions?.affectedValue)),
      percentByValue: sum(inputs.map((input) => transactionsShare(input.transactions, 'value'))),
    }),
    relevantClientsOrCounterpartsAffected: any((input) => input.relevantClientsOrCounterpartsAffected),
    reputational: nonEmpty({
      mediaCoverage: any((input) => input.reputational?.mediaCoverage),
      repeatedComplaints: any((input) => input.reputational?.repeatedComplaints),
      regulatoryRequirementsUnlikelyMet: any((input) => input.reputational?.regulatoryRequirementsUnlikelyMet),
      likelyLossOfClientsOrCounterparts: any((input) => input.reputational?.likelyLossOfClientsOrCounterparts),
    }),
    duration: nonEmpty({ minutes: longest(durations) }),
    cifDowntimeMinutes: longest(inputs.map((input) => input.cifDowntimeMinutes)),
    memberStates: memberStates.length > 0 ? [...new Set(memberStates)].sort() : undefined,
    dataImpact: nonEmpty({
      availability: any((input) => input.dataImpact?.availability),
      authenticity: any((input) => input.dataImpact?.authenticity),
      integrity: any((input) => input.dataImpact?.integrity),
      confidentiality: any((input) => input.dataImpact?.confidentiality),
      adverseEffectOnBusinessOrCompliance: any((input) => input.dataImpact?.adverseEffectOnBusinessOrCompliance),
      maliciousAccessMayLeadToDataLoss: any((input) => input.dataImpact?.maliciousAccessMayLeadToDataLoss),
    }),
    economic: nonEmpty({
      costsAndLossesEur: sum(inputs.map((input) => input.economic?.costsAndLossesEur)),
      likelyToExceedThreshold: any((input) => input.economic?.likelyToExceedThreshold),
    }),
  };
}

function sum(measures: ReadonlyArray<Measure | undefined>): Measure | undefined {
  const present = measures.filter((entry) => entry !== undefined);
  if (present.length === 0) return undefined;
  return measure(
    present.reduce((total, entry) => total + entry.value, 0),
    present.some(isEstimate),
  );
}

function longest(measures: ReadonlyArray<Measure | undefined>): Measure | undefined {
  return measures.reduce<Measure | undefined>(
    (best, entry) => (entry !== undefined && (best === undefined || entry.value > best.value) ? entry : best),
    undefined,
  );
}

/** `undefined` when every property is. */
function nonEmpty<T extends object>(record: T): T | undefined {
  return Object.values(record).some((value) => value !== undefined) ? record : undefined;
}

function measure(value: number, estimate: boolean): Measure {
  return estimate ? { value, estimate: true } : { value };
}

function isEstimate(figure: Measure): boolean {
  return figure.estimate === true;
}

function notBefore(start: string | undefined, end: string | undefined): boolean {
  return start === undefined || end === undefined || Date.parse(end) >= Date.parse(start);
}

/** "1 h 12 min", or "45 min". */
function formatMinutes(totalMinutes: number): string {
  const minutes = Math.round(totalMinutes);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

const COUNT_FORMAT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

function count(value: number): string {
  return COUNT_FORMAT.format(value);
}

const PERCENT_FORMAT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 4 });

function percent(value: number): string {
  return `${PERCENT_FORMAT.format(value)} %`;
}

function euros(value: number): string {
  return `EUR ${COUNT_FORMAT.format(value)}`;
}

function list(items: ReadonlyArray<string>): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function utc(at: string | DateTime): string {
  const time = typeof at === 'string' ? DateTime.fromISO(at, { zone: 'utc' }) : at.toUTC();
  const text = time.toISO({ suppressMilliseconds: true });
  if (text === null) throw new RangeError(`invalid date-time: ${time.invalidExplanation ?? 'unknown reason'}`);
  return text;
}

function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
