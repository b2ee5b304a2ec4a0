/**
 * Regulatory reporting clocks as data: one policy per regime, read by `computeClocks`. Section numbers refer to
 * the project's regulatory reference (`regulatory.md`); `[P]`, `[S]` and `[U]` are its confidence tags.
 * @module
 */

export type ReportingRegime = 'dora' | 'gdpr' | 'nis2' | 'uk-incident-reporting';

export type Confidence = '[P]' | '[S]' | '[U]';

/** Yes/no facts about the incident and the reporting entity that policies may test. */
export type IncidentFact =
  | 'doraMajor'
  | 'gdprPersonalDataBreach'
  | 'nis2Significant'
  | 'ukOperationalIncident'
  | 'creditInstitution'
  | 'centralCounterparty'
  | 'tradingVenueOperator'
  | 'paymentServiceProvider'
  | 'ukEnhancedReporting'
  | 'doraReliefWithdrawn';

export type Nis2EntityType = 'essential' | 'important' | 'none';

/** A leaf's or a `not`'s `description` says what must hold; it becomes the not-applicable reason. */
export type Condition =
  | { readonly kind: 'fact'; readonly fact: IncidentFact; readonly description: string }
  | { readonly kind: 'nis2-entity'; readonly in: ReadonlyArray<Nis2EntityType>; readonly description: string }
  | {
      readonly kind: 'aware-on-or-after';
      /** Local calendar date, `YYYY-MM-DD`, from its midnight in `timeZone`. */
      readonly date: string;
      readonly timeZone: string;
      readonly description: string;
    }
  | { readonly kind: 'all'; readonly of: ReadonlyArray<Condition> }
  | { readonly kind: 'any'; readonly of: ReadonlyArray<Condition> }
  | { readonly kind: 'not'; readonly condition: Condition; readonly description: string };

export type AnchorEvent = 'awareness' | 'classification' | 'degradation-start';

/** `submission` means the latest recorded submission of `report` in the same regime. */
export type Anchor = { readonly kind: AnchorEvent } | { readonly kind: 'submission'; readonly report: string };

/** Which working calendar a rule counts in: England and Wales, or the DORA entity's Member State. */
export type CalendarRole = 'uk' | 'member-state';

/**
 * `hours` are elapsed hours (a clock change does not stretch them); `calendar-months` keep the local wall-clock
 * time and clamp to the month's last day (31 January + 1 month = 28 or 29 February); `working-days` count days
 * after the anchor's local date that are neither Saturday, Sunday nor a bank holiday, and end with the last of them
 * (so a later anchor never gives an earlier deadline).
 */
export type Offset =
  | { readonly unit: 'hours'; readonly amount: number }
  | { readonly unit: 'calendar-months'; readonly amount: number }
  | { readonly unit: 'working-days'; readonly amount: number; readonly calendar: CalendarRole };

export interface Limb {
  readonly anchor: Anchor;
  readonly offset: Offset;
}

export type Deadline =
  | { readonly kind: 'after'; readonly limb: Limb; readonly rule: string }
  | {
      readonly kind: 'earliest';
      readonly limbs: ReadonlyArray<Limb>;
      /** Limbs that fall due before this event are dropped; the rest compete. */
      readonly ignoreLimbsDueBefore: AnchorEvent;
      readonly rule: string;
    };

export interface DeadlineVariant {
  readonly when: Condition;
  readonly deadline: Deadline;
  readonly source: string;
  readonly confidence: Confidence;
}

/** A deadline on a non-working day moves to a local time on the next working day, unless `deniedWhen` holds. */
export interface WorkingDayRelief {
  readonly calendar: CalendarRole;
  /** Local time of day on the next working day. */
  readonly until: { readonly hour: number; readonly minute: number };
  readonly deniedWhen: Condition;
  readonly source: string;
  readonly confidence: Confidence;
}

export interface ReportPolicy {
  readonly report: string;
  readonly title: string;
  readonly appliesWhen?: Condition;
  readonly deadline: Deadline;
  /** The first variant whose condition holds replaces `deadline`. */
  readonly variants?: ReadonlyArray<DeadlineVariant>;
  readonly relief?: WorkingDayRelief;
  readonly source: string;
  readonly confidence: Confidence;
}

export interface ReportingRegimePolicy {
  readonly regime: ReportingRegime;
  readonly title: string;
  readonly appliesWhen: Condition;
  readonly reports: ReadonlyArray<ReportPolicy>;
}

export interface ImpactTolerancePolicy {
  readonly regime: 'uk-impact-tolerance';
  readonly report: 'impact-tolerance';
  readonly title: string;
  /** Fractions of the tolerance at which a warning is raised; beyond 1 is a breach. */
  readonly warningFractions: ReadonlyArray<number>;
  readonly source: string;
  readonly confidence: Confidence;
}

/**
 * Thresholds for an open clock, with `remaining = dueAt - now` and `window = dueAt - anchor`:
 * `due` when remaining ≤ max(due.fraction × window, due.minimumMs); else `at-risk` when remaining ≤
 * max(atRisk.fraction × window, atRisk.minimumMs); else `pending`.
 */
export interface ClockStatusRule {
  readonly atRisk: { readonly fraction: number; readonly minimumMs: number };
  readonly due: { readonly fraction: number; readonly minimumMs: number };
}

export interface RegulatoryPolicies {
  readonly reporting: ReadonlyArray<ReportingRegimePolicy>;
  readonly impactTolerance: ImpactTolerancePolicy;
  readonly status: ClockStatusRule;
}

/** A working calendar: the zone its dates are read in and its bank holidays as `YYYY-MM-DD`. */
export interface WorkingCalendar {
  readonly timeZone: string;
  readonly holidays: ReadonlyArray<string>;
}

/**
 * England and Wales bank holidays, 2026 and 2027, written from memory of https://www.gov.uk/bank-holidays
 * (substitute days included). Check them against that page and add each new year before it starts.
 */
export const ENGLAND_AND_WALES_BANK_HOLIDAYS = [
  '2026-01-01', // New Year's Day
  '2026-04-03', // Good Friday
  '2026-04-06', // Easter Monday
  '2026-05-04', // Early May bank holiday
  '2026-05-25', // Spring bank holiday
  '2026-08-31', // Summer bank holiday
  '2026-12-25', // Christmas Day
  '2026-12-28', // Boxing Day (substitute day)
  '2027-01-01', // New Year's Day
  '2027-03-26', // Good Friday
  '2027-03-29', // Easter Monday
  '2027-05-03', // Early May bank holiday
  '2027-05-31', // Spring bank holiday
  '2027-08-30', // Summer bank holiday
  '2027-12-27', // Christmas Day (substitute day)
  '2027-12-28', // Boxing Day (substitute day)
] as const satisfies ReadonlyArray<string>;

export const ENGLAND_AND_WALES_CALENDAR = {
  timeZone: 'Europe/London',
  holidays: ENGLAND_AND_WALES_BANK_HOLIDAYS,
} as const satisfies WorkingCalendar;

const DORA_MAJOR = {
  kind: 'fact',
  fact: 'doraMajor',
  description: 'a major ICT-related incident under DORA classification (2024/1772 Art 8(1))',
} as const satisfies Condition;

const RELIEF_WITHDRAWN = {
  kind: 'fact',
  fact: 'doraReliefWithdrawn',
  description: 'the competent authority has withdrawn weekend and bank-holiday relief',
} as const satisfies Condition;

/** §0: no relief for initial or intermediate reports of these entities, nor where the CA withdrew it. */
const DORA_RELIEF_DENIED_FOR_INITIAL_AND_INTERMEDIATE = {
  kind: 'any',
  of: [
    { kind: 'fact', fact: 'creditInstitution', description: 'a credit institution' },
    { kind: 'fact', fact: 'centralCounterparty', description: 'a central counterparty' },
    { kind: 'fact', fact: 'tradingVenueOperator', description: 'an operator of a trading venue' },
    { kind: 'nis2-entity', in: ['essential', 'important'], description: 'an essential or important entity under NIS2' },
    RELIEF_WITHDRAWN,
  ],
} as const satisfies Condition;

const DORA_RELIEF_SOURCE = 'Del. Reg. (EU) 2025/301 Art 5(4)–(6)';

const DORA = {
  regime: 'dora',
  title: 'DORA major ICT-related incident reporting',
  appliesWhen: DORA_MAJOR,
  reports: [
    {
      report: 'initial',
      title: 'Initial notification',
      deadline: {
        kind: 'earliest',
        limbs: [
          { anchor: { kind: 'classification' }, offset: { unit: 'hours', amount: 4 } },
          { anchor: { kind: 'awareness' }, offset: { unit: 'hours', amount: 24 } },
        ],
        // Classified more than 24 h after awareness: the awareness limb has passed, 4 h from classification governs.
        ignoreLimbsDueBefore: 'classification',
        rule: 'the earlier of classification + 4 h and awareness + 24 h; classification + 4 h when classified more than 24 h after awareness',
      },
      relief: {
        calendar: 'member-state',
        until: { hour: 12, minute: 0 },
        deniedWhen: DORA_RELIEF_DENIED_FOR_INITIAL_AND_INTERMEDIATE,
        source: DORA_RELIEF_SOURCE,
        confidence: '[S]',
      },
      source: 'Del. Reg. (EU) 2025/301 Art 5(1)(a), 5(2)',
      confidence: '[P]',
    },
    {
      report: 'intermediate',
      title: 'Intermediate report',
      deadline: {
        kind: 'after',
        limb: { anchor: { kind: 'submission', report: 'initial' }, offset: { unit: 'hours', amount: 72 } },
        rule: '72 h after the initial notification was submitted',
      },
      relief: {
        calendar: 'member-state',
        until: { hour: 12, minute: 0 },
        deniedWhen: DORA_RELIEF_DENIED_FOR_INITIAL_AND_INTERMEDIATE,
        source: DORA_RELIEF_SOURCE,
        confidence: '[S]',
      },
      source: 'Del. Reg. (EU) 2025/301 Art 5(1)(b)',
      confidence: '[P]',
    },
    {
      report: 'final',
      title: 'Final report',
      deadline: {
        kind: 'after',
        limb: {
          anchor: { kind: 'submission', report: 'intermediate' },
          offset: { unit: 'calendar-months', amount: 1 },
        },
        rule: 'one month after the latest intermediate report was submitted',
      },
      // The exclusions cover only initial and intermediate reports, so every entity keeps relief here.
      relief: {
        calendar: 'member-state',
        until: { hour: 12, minute: 0 },
        deniedWhen: RELIEF_WITHDRAWN,
        source: DORA_RELIEF_SOURCE,
        confidence: '[S]',
      },
      source: 'Del. Reg. (EU) 2025/301 Art 5(1)(c)',
      confidence: '[P]',
    },
  ],
} as const satisfies ReportingRegimePolicy;

const GDPR = {
  regime: 'gdpr',
  title: 'GDPR / UK GDPR personal-data breach notification',
  appliesWhen: {
    kind: 'fact',
    fact: 'gdprPersonalDataBreach',
    description: 'a personal-data breach (GDPR / UK GDPR Art 33)',
  },
  reports: [
    {
      report: 'notification',
      title: 'Notification to the supervisory authority',
      deadline: {
        kind: 'after',
        limb: { anchor: { kind: 'awareness' }, offset: { unit: 'hours', amount: 72 } },
        rule: '72 h after awareness, where feasible; reasons if later',
      },
      source: 'GDPR Art 33(1); ICO',
      confidence: '[P]',
    },
  ],
} as const satisfies ReportingRegimePolicy;

/** NIS2 Art 4 lex specialis: for DORA financial entities the caller leaves `nis2Significant` false. */
const NIS2 = {
  regime: 'nis2',
  title: 'NIS2 significant incident reporting',
  appliesWhen: {
    kind: 'all',
    of: [
      { kind: 'fact', fact: 'nis2Significant', description: 'a significant incident under NIS2 (Art 23)' },
      {
        kind: 'nis2-entity',
        in: ['essential', 'important'],
        description: 'an essential or important entity under NIS2',
      },
    ],
  },
  reports: [
    {
      report: 'early-warning',
      title: 'Early warning',
      deadline: {
        kind: 'after',
        limb: { anchor: { kind: 'awareness' }, offset: { unit: 'hours', amount: 24 } },
        rule: '24 h after awareness',
      },
      source: 'Dir. (EU) 2022/2555 Art 23(4)',
      confidence: '[S]',
    },
    {
      report: 'notification',
      title: 'Incident notification',
      deadline: {
        kind: 'after',
        limb: { anchor: { kind: 'awareness' }, offset: { unit: 'hours', amount: 72 } },
        rule: '72 h after awareness',
      },
      source: 'Dir. (EU) 2022/2555 Art 23(4)',
      confidence: '[S]',
    },
    {
      report: 'final',
      title: 'Final report',
      deadline: {
        kind: 'after',
        limb: {
          anchor: { kind: 'submission', report: 'notification' },
          offset: { unit: 'calendar-months', amount: 1 },
        },
        rule: 'one month after the incident notification was submitted',
      },
      source: 'Dir. (EU) 2022/2555 Art 23(4)',
      confidence: '[S]',
    },
  ],
} as const satisfies ReportingRegimePolicy;

/**
 * FCA PS26/2 and PRA PS7/26, from 18 March 2027. The start events of the 24 h and 30-working-day clocks and the
 * PSP 4 h anchor are unconfirmed (§2.2, §6); the choices below are configurable, not settled law.
 */
const UK_INCIDENT_REPORTING = {
  regime: 'uk-incident-reporting',
  title: 'UK operational incident reporting (FCA PS26/2, PRA PS7/26)',
  appliesWhen: {
    kind: 'all',
    of: [
      {
        kind: 'fact',
        fact: 'ukOperationalIncident',
        description: 'an operational incident that reasonably appears to meet a UK reporting threshold',
      },
      {
        kind: 'aware-on-or-after',
        date: '2027-03-18',
        timeZone: 'Europe/London',
        description: 'awareness on or after 18 March 2027, when PS26/2 and PS7/26 apply',
      },
    ],
  },
  reports: [
    {
      report: 'initial',
      title: 'Initial report',
      deadline: {
        kind: 'after',
        limb: { anchor: { kind: 'awareness' }, offset: { unit: 'hours', amount: 24 } },
        rule: 'as soon as practicable, at most 24 h after awareness',
      },
      variants: [
        {
          when: { kind: 'fact', fact: 'paymentServiceProvider', description: 'a payment service provider' },
          // Anchor as in the EBA guidelines PSPs followed: 4 h from classification (§3).
          deadline: {
            kind: 'after',
            limb: { anchor: { kind: 'classification' }, offset: { unit: 'hours', amount: 4 } },
            rule: 'payment service provider: at most 4 h after classification',
          },
          source: 'FCA PS26/2 (PSPs keep the 4 h initial deadline)',
          confidence: '[U]',
        },
      ],
      source: 'FCA PS26/2, FG26/3; PRA PS7/26, SS1/26',
      confidence: '[U]',
    },
    {
      report: 'final',
      title: 'Final report',
      // Standard reporting is one short report; only enhanced-reporting firms owe a separate final report.
      appliesWhen: {
        kind: 'fact',
        fact: 'ukEnhancedReporting',
        description: 'a firm in enhanced UK incident reporting',
      },
      deadline: {
        kind: 'after',
        limb: {
          anchor: { kind: 'submission', report: 'initial' },
          offset: { unit: 'working-days', amount: 30, calendar: 'uk' },
        },
        rule: '30 working days (England and Wales) after the initial report was submitted',
      },
      source: 'FCA PS26/2, FG26/3; PRA PS7/26, SS1/26',
      confidence: '[U]',
    },
  ],
} as const satisfies ReportingRegimePolicy;

export const REGULATORY_POLICIES = {
  reporting: [DORA, GDPR, NIS2, UK_INCIDENT_REPORTING],
  impactTolerance: {
    regime: 'uk-impact-tolerance',
    report: 'impact-tolerance',
    title: 'Impact tolerance of an important business service',
    warningFractions: [0.5, 0.75, 0.9],
    source: 'FCA SYSC 15A.2.5R; PRA Operational Resilience Part 2.2–2.4',
    confidence: '[P]',
  },
  status: {
    atRisk: { fraction: 0.25, minimumMs: 60 * 60 * 1000 },
    due: { fraction: 0.1, minimumMs: 15 * 60 * 1000 },
  },
} as const satisfies RegulatoryPolicies;
