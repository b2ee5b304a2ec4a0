/**
 * Drafts the DORA initial notification, intermediate report and final report of a major ICT-related incident,
 * numbered as in Annex I of Implementing Regulation (EU) 2025/302. Pure: the caller passes the recorded facts and
 * the classification. A draft is for people to review; submission goes through the competent authority's channel.
 * @module
 */
import { DateTime } from 'luxon';
import {
  affectedShare,
  CRITICAL_SERVICE_LIMBS,
  DORA_CRITERIA,
  type DoraClassification,
  type DoraClassificationInput,
  EU_MEMBER_STATES,
  type Measure,
  transactionsShare,
} from './dora-classification.js';

export type DoraReportStage = 'initial' | 'intermediate' | 'final';

export type DoraReportSection = 'general' | DoraReportStage;

export type DoraFieldSource = 'recorded' | 'estimate' | 'missing';

export type DoraFieldValue = string | number | boolean | ReadonlyArray<string>;

export interface DoraReportContact {
  readonly name: string;
  readonly email?: string | undefined;
  readonly telephone?: string | undefined;
}

export interface DoraReportEntity {
  readonly name: string;
  readonly lei?: string | undefined;
  /** The type of financial entity, as the entity describes itself to its competent authority. */
  readonly type?: string | undefined;
  /** Two are required: the first is the primary contact. */
  readonly contacts: ReadonlyArray<DoraReportContact>;
  /** ISO 4217 code, such as `EUR`. */
  readonly reportingCurrency?: string | undefined;
  /** Only when another entity submits on the financial entity's behalf (2025/302 Art 6). */
  readonly submittingEntity?: { readonly name: string; readonly code: string } | undefined;
  readonly aggregatedEntities?: ReadonlyArray<string> | undefined;
  readonly ultimateParent?: { readonly name: string; readonly lei?: string | undefined } | undefined;
}

/** Times are ISO 8601 strings with an offset; amounts are in the reporting currency. */
export interface DoraReportInput {
  readonly entity: DoraReportEntity;
  /** The financial entity's own reference for the incident. */
  readonly incidentReference: string;
  /** The competent authority's reference, once it has given one. */
  readonly authorityReference?: string | undefined;
  /** When the entity became aware of the incident. */
  readonly detectedAt?: string | undefined;
  readonly classifiedAt?: string | undefined;
  readonly occurredAt?: string | undefined;
  /** When regular activities were recovered. */
  readonly recoveredAt?: string | undefined;
  readonly resolvedAt?: string | undefined;
  readonly rootCauseAddressedAt?: string | undefined;
  readonly description?: string | undefined;
  readonly howDiscovered?: string | undefined;
  readonly classification: DoraClassification;
  readonly classificationInput: DoraClassificationInput;
  /** ICT services and systems affected. */
  readonly services: ReadonlyArray<string>;
  readonly importantBusinessServices: ReadonlyArray<string>;
  /** ISO 3166-1 alpha-2 codes; defaults to those of `classificationInput`. */
  readonly memberStates?: ReadonlyArray<string> | undefined;
  readonly incidentType?: string | undefined;
  readonly rootCause?: { readonly category?: string | undefined; readonly detail?: string | undefined } | undefined;
  readonly resolution?: string | undefined;
  readonly grossCostsAndLosses?: Measure | undefined;
  readonly recoveries?: Measure | undefined;
  readonly recurring?: boolean | undefined;
  readonly bcpActivated?: boolean | undefined;
  readonly thirdPartyOrigin?: boolean | undefined;
  readonly thirdPartyProvider?: string | undefined;
}

export interface DoraReportField {
  /** Stable identifier, also the key in `json`. */
  readonly key: DoraFieldKey;
  readonly section: DoraReportSection;
  /** The Annex I number; `undefined` where the reference gives the content but not its number. */
  readonly number: string | undefined;
  /** The Annex I numbers the field falls within. */
  readonly range: string;
  readonly title: string;
  readonly value: DoraFieldValue | undefined;
  /** A currency code or `%`, for numeric values. */
  readonly unit: string | undefined;
  readonly source: DoraFieldSource;
  readonly mandatory: boolean;
}

export interface DoraReportDraft {
  readonly stage: DoraReportStage;
  readonly fields: ReadonlyArray<DoraReportField>;
  /** Mandatory fields without a value: their numbers, or their titles where the number is not known. */
  readonly missing: ReadonlyArray<string>;
  readonly json: string;
  readonly markdown: string;
}

interface DoraFieldSpec {
  readonly key: string;
  readonly section: DoraReportSection;
  readonly number?: string;
  readonly title: string;
  readonly mandatory: boolean;
}

const STAGES = ['initial', 'intermediate', 'final'] as const satisfies ReadonlyArray<DoraReportStage>;
const SECTION_ORDER = ['general', ...STAGES] as const satisfies ReadonlyArray<DoraReportSection>;

/** Each report repeats the sections before it, so 2.2 and 2.3 appear at every stage. */
const SECTIONS = {
  general: {
    from: 'initial',
    heading: 'General information',
    range: '1.1–1.15',
    source: 'Del. Reg. (EU) 2025/301 Art 1',
  },
  initial: {
    from: 'initial',
    heading: 'Initial notification',
    range: '2.1–2.10',
    source: 'Del. Reg. (EU) 2025/301 Art 2',
  },
  intermediate: {
    from: 'intermediate',
    heading: 'Intermediate report',
    range: '3.1–3.35',
    source: 'Del. Reg. (EU) 2025/301 Art 3',
  },
  final: { from: 'final', heading: 'Final report', range: '4.1 onwards', source: 'Del. Reg. (EU) 2025/301 Art 4' },
} as const satisfies Record<
  DoraReportSection,
  { from: DoraReportStage; heading: string; range: string; source: string }
>;

/**
 * The fields the project's reference (`regulatory.md` §1.3) describes. Where it names the content of a report
 * but not the field's number, `number` is absent. Numbers the reference does not explain (2.4–2.7, 2.10, 3.1–3.3,
 * 3.8, 3.13, 3.14, 3.17, 3.24–3.35, 4.4, 4.6, 4.9–4.12) are left out until checked against the Annex; so are the
 * reclassification and "other information" items of Art 2 and the Art 3 items on threat actors, clients' financial
 * interests, other authorities, temporary measures and indicators of compromise.
 */
export const DORA_REPORT_FIELDS = [
  { key: 'submissionType', section: 'general', title: 'Type of submission', mandatory: true },
  { key: 'entityName', section: 'general', title: 'Name of the financial entity', mandatory: true },
  { key: 'entityLei', section: 'general', title: 'LEI of the financial entity', mandatory: true },
  { key: 'entityType', section: 'general', title: 'Type of financial entity', mandatory: true },
  {
    key: 'submittingEntity',
    section: 'general',
    title: 'Submitting entity and its identification code',
    mandatory: false,
  },
  {
    key: 'aggregatedEntities',
    section: 'general',
    title: 'Entities covered by an aggregated report',
    mandatory: false,
  },
  { key: 'primaryContact', section: 'general', title: 'First contact person', mandatory: true },
  { key: 'secondaryContact', section: 'general', title: 'Second contact person', mandatory: true },
  { key: 'ultimateParent', section: 'general', title: 'Ultimate parent undertaking and its LEI', mandatory: false },
  { key: 'reportingCurrency', section: 'general', title: 'Reporting currency', mandatory: true },

  {
    key: 'entityReference',
    section: 'initial',
    number: '2.1',
    title: 'Incident reference code assigned by the financial entity',
    mandatory: true,
  },
  {
    key: 'detectedAt',
    section: 'initial',
    number: '2.2',
    title: 'Date and time of detection (awareness) of the incident',
    mandatory: true,
  },
  {
    key: 'classifiedAt',
    section: 'initial',
    number: '2.3',
    title: 'Date and time of classification of the incident as major',
    mandatory: true,
  },
  { key: 'description', section: 'initial', title: 'Description of the incident', mandatory: true },
  { key: 'criteriaMet', section: 'initial', title: 'Classification criteria met', mandatory: true },
  { key: 'memberStatesInitial', section: 'initial', title: 'Member States affected', mandatory: true },
  { key: 'howDiscovered', section: 'initial', title: 'How the incident was discovered', mandatory: true },
  {
    key: 'thirdPartyOrigin',
    section: 'initial',
    number: '2.8',
    title: 'Incident originating from a third-party provider',
    mandatory: false,
  },
  {
    key: 'bcpActivated',
    section: 'initial',
    number: '2.9',
    title: 'Business continuity plan activated',
    mandatory: true,
  },

  {
    key: 'authorityReference',
    section: 'intermediate',
    title: 'Incident reference code assigned by the competent authority',
    mandatory: true,
  },
  { key: 'occurredAt', section: 'intermediate', title: 'Date and time the incident occurred', mandatory: true },
  {
    key: 'recoveredAt',
    section: 'intermediate',
    title: 'Date and time regular activities were recovered',
    mandatory: true,
  },
  {
    key: 'criteriaDetail',
    section: 'intermediate',
    title: 'How each classification criterion was met',
    mandatory: true,
  },
  {
    key: 'clientsNumber',
    section: 'intermediate',
    number: '3.4',
    title: 'Number of clients affected',
    mandatory: true,
  },
  {
    key: 'clientsPercent',
    section: 'intermediate',
    number: '3.5',
    title: 'Percentage of clients affected',
    mandatory: true,
  },
  {
    key: 'counterparts',
    section: 'intermediate',
    number: '3.6/3.7',
    title: 'Financial counterparts affected',
    mandatory: true,
  },
  {
    key: 'transactionsNumber',
    section: 'intermediate',
    number: '3.9',
    title: 'Number of transactions affected',
    mandatory: true,
  },
  {
    key: 'transactionsPercent',
    section: 'intermediate',
    number: '3.10',
    title: 'Transactions affected as a percentage of the daily average number',
    mandatory: true,
  },
  {
    key: 'transactionsValue',
    section: 'intermediate',
    number: '3.11',
    title: 'Value of transactions affected',
    mandatory: true,
  },
  {
    key: 'actualOrEstimate',
    section: 'intermediate',
    number: '3.12',
    title: 'Figures are actual or estimates',
    mandatory: true,
  },
  { key: 'duration', section: 'intermediate', number: '3.15', title: 'Duration of the incident', mandatory: true },
  { key: 'downtime', section: 'intermediate', number: '3.16', title: 'Service downtime', mandatory: true },
  {
    key: 'memberStates',
    section: 'intermediate',
    number: '3.18/3.19',
    title: 'Member States affected',
    mandatory: true,
  },
  { key: 'dataLosses', section: 'intermediate', number: '3.20/3.21', title: 'Data losses', mandatory: true },
  {
    key: 'criticalServices',
    section: 'intermediate',
    number: '3.22',
    title: 'Critical services affected',
    mandatory: true,
  },
  { key: 'incidentType', section: 'intermediate', number: '3.23', title: 'Type of incident', mandatory: true },
  {
    key: 'functionalAreas',
    section: 'intermediate',
    title: 'Affected functional areas and business processes',
    mandatory: true,
  },
  { key: 'infrastructure', section: 'intermediate', title: 'Affected infrastructure', mandatory: true },

  {
    key: 'rootCauseCategory',
    section: 'final',
    number: '4.1–4.3',
    title: 'Classification of the root causes',
    mandatory: true,
  },
  { key: 'rootCauseDetail', section: 'final', number: '4.5', title: 'Root causes in detail', mandatory: true },
  {
    key: 'rootCauseAddressedAt',
    section: 'final',
    number: '4.7',
    title: 'Date and time the root cause was addressed',
    mandatory: true,
  },
  {
    key: 'resolvedAt',
    section: 'final',
    number: '4.8',
    title: 'Date and time the incident was resolved',
    mandatory: true,
  },
  { key: 'resolution', section: 'final', title: 'How the incident was resolved', mandatory: true },
  {
    key: 'grossCosts',
    section: 'final',
    number: '4.13',
    title: 'Gross direct and indirect costs and losses',
    mandatory: true,
  },
  { key: 'recoveries', section: 'final', number: '4.14', title: 'Financial recoveries', mandatory: true },
  { key: 'recurring', section: 'final', number: '4.15/4.16', title: 'Recurring incidents', mandatory: true },
] as const satisfies ReadonlyArray<DoraFieldSpec>;

export type DoraFieldKey = (typeof DORA_REPORT_FIELDS)[number]['key'];

interface Valued {
  readonly value: DoraFieldValue;
  readonly estimate?: boolean;
  readonly unit?: string;
}

type Extract = (input: DoraReportInput, stage: DoraReportStage) => Valued | undefined;

const SUBMISSION_TYPES = {
  initial: 'Initial notification',
  intermediate: 'Intermediate report',
  final: 'Final report',
} as const satisfies Record<DoraReportStage, string>;

const EXTRACTORS = {
  submissionType: (_input, stage) => ({ value: SUBMISSION_TYPES[stage] }),
  entityName: (input) => text(input.entity.name),
  entityLei: (input) => text(input.entity.lei),
  entityType: (input) => text(input.entity.type),
  submittingEntity: (input) =>
    input.entity.submittingEntity === undefined
      ? undefined
      : { value: `${input.entity.submittingEntity.name} (${input.entity.submittingEntity.code})` },
  aggregatedEntities: (input) => list(input.entity.aggregatedEntities),
  primaryContact: (input) => contact(input.entity.contacts[0]),
  secondaryContact: (input) => contact(input.entity.contacts[1]),
  ultimateParent: (input) => {
    const parent = input.entity.ultimateParent;
    if (parent === undefined) return undefined;
    return { value: parent.lei === undefined ? parent.name : `${parent.name} (LEI ${parent.lei})` };
  },
  reportingCurrency: (input) => text(input.entity.reportingCurrency),
  entityReference: (input) => text(input.incidentReference),
  detectedAt: (input) => instant(input.detectedAt),
  classifiedAt: (input) => instant(input.classifiedAt),
  description: (input) => text(input.description),
  criteriaMet: (input) => {
    const met = input.classification.criteria.filter((result) => result.met);
    return {
      value: met.map((result) => titleOf(result.criterion)),
      estimate: met.some((result) => result.estimate),
    };
  },
  memberStatesInitial: (input) => memberStates(input),
  howDiscovered: (input) => text(input.howDiscovered),
  thirdPartyOrigin: (input) => {
    if (input.thirdPartyOrigin === undefined) return undefined;
    if (!input.thirdPartyOrigin) return { value: false };
    return { value: input.thirdPartyProvider === undefined ? true : `Yes: ${input.thirdPartyProvider}` };
  },
  bcpActivated: (input) => flag(input.bcpActivated),
  authorityReference: (input) => text(input.authorityReference),
  occurredAt: (input) => instant(input.occurredAt ?? input.classificationInput.duration?.occurredAt),
  recoveredAt: (input) => instant(input.recoveredAt),
  criteriaDetail: (input) => {
    const met = input.classification.criteria.filter((result) => result.met);
    if (met.length === 0) return undefined;
    return {
      value: met.map((result) => `${titleOf(result.criterion)}: ${result.reasons.join('; ')}`),
      estimate: met.some((result) => result.estimate),
    };
  },
  clientsNumber: (input) => figure(input.classificationInput.clients?.affected),
  clientsPercent: (input) => figure(affectedShare(input.classificationInput.clients), '%'),
  counterparts: (input) => {
    const counterparts = input.classificationInput.counterparts;
    const share = affectedShare(counterparts);
    const parts = [
      counterparts?.affected === undefined ? undefined : `${formatNumber(counterparts.affected.value)} affected`,
      share === undefined ? undefined : `${formatNumber(share.value)} %`,
    ].filter((part) => part !== undefined);
    if (parts.length === 0) return undefined;
    return {
      value: parts.join(', '),
      estimate: [counterparts?.affected, share].some((entry) => entry?.estimate === true),
    };
  },
  transactionsNumber: (input) => figure(input.classificationInput.transactions?.affectedNumber),
  transactionsPercent: (input) => figure(transactionsShare(input.classificationInput.transactions, 'number'), '%'),
  transactionsValue: (input) =>
    figure(input.classificationInput.transactions?.affectedValue, input.entity.reportingCurrency),
  actualOrEstimate: (input) => ({ value: input.classification.estimatesUsed ? 'Estimates' : 'Actual figures' }),
  duration: (input) => {
    const from = input.occurredAt ?? input.classificationInput.duration?.occurredAt;
    const to = input.resolvedAt ?? input.classificationInput.duration?.resolvedAt;
    if (from !== undefined && to !== undefined) return { value: ddhhmm(minutesBetween(from, to)) };
    const minutes = input.classificationInput.duration?.minutes;
    return minutes === undefined ? undefined : { value: ddhhmm(minutes.value), estimate: minutes.estimate === true };
  },
  downtime: (input) => {
    const minutes = input.classificationInput.cifDowntimeMinutes;
    return minutes === undefined ? undefined : { value: ddhhmm(minutes.value), estimate: minutes.estimate === true };
  },
  memberStates: (input) => memberStates(input),
  dataLosses: (input) => dataLosses(input.classificationInput.dataImpact),
  criticalServices: (input) => ({
    value: CRITICAL_SERVICE_LIMBS.filter((policy) =>
      input.classification.criticalServicesGate.limbs.includes(policy.limb),
    ).map((policy) => policy.title),
  }),
  incidentType: (input) => text(input.incidentType),
  functionalAreas: (input) => list(input.importantBusinessServices),
  infrastructure: (input) => list(input.services),
  rootCauseCategory: (input) => text(input.rootCause?.category),
  rootCauseDetail: (input) => text(input.rootCause?.detail),
  rootCauseAddressedAt: (input) => instant(input.rootCauseAddressedAt),
  resolvedAt: (input) => instant(input.resolvedAt ?? input.classificationInput.duration?.resolvedAt),
  resolution: (input) => text(input.resolution),
  grossCosts: (input) => figure(input.grossCostsAndLosses, input.entity.reportingCurrency),
  recoveries: (input) => figure(input.recoveries, input.entity.reportingCurrency),
  recurring: (input) => flag(input.recurring),
} satisfies Record<DoraFieldKey, Extract>;

/**
 * A draft of one DORA report. Fields come from `DORA_REPORT_FIELDS`; each report repeats the sections of the
 * earlier ones. Mandatory fields without a value are listed in `missing`.
 * @param stage - which report to draft
 */
export function draftDoraReport(stage: DoraReportStage, input: DoraReportInput): DoraReportDraft {
  const fields = DORA_REPORT_FIELDS.filter((spec) => includes(stage, SECTIONS[spec.section].from)).map(
    (spec): DoraReportField => {
      const extract: Extract = EXTRACTORS[spec.key];
      const found = extract(input, stage);
      return {
        key: spec.key,
        section: spec.section,
        number: 'number' in spec ? spec.number : undefined,
        range: SECTIONS[spec.section].range,
        title: spec.title,
        value: found?.value,
        unit: found?.unit,
        source: found === undefined ? 'missing' : found.estimate === true ? 'estimate' : 'recorded',
        mandatory: spec.mandatory,
      };
    },
  );
  const missing = fields
    .filter((field) => field.mandatory && field.source === 'missing')
    .map((field) => field.number ?? field.title);
  return {
    stage,
    fields,
    missing,
    json: JSON.stringify({ stage, incidentReference: input.incidentReference, fields, missing }, undefined, 2),
    markdown: renderMarkdown(stage, input, fields),
  };
}

function includes(stage: DoraReportStage, from: DoraReportStage): boolean {
  return STAGES.indexOf(stage) >= STAGES.indexOf(from);
}

function renderMarkdown(
  stage: DoraReportStage,
  input: DoraReportInput,
  fields: ReadonlyArray<DoraReportField>,
): string {
  const lines = [
    `# DORA ${SUBMISSION_TYPES[stage].toLowerCase()}: ${cell(input.entity.name)}, incident ${cell(input.incidentReference)}`,
    '',
    `This is a draft for review. Check and approve it before it is submitted through the competent authority's ` +
      'reporting channel; it has not been submitted.',
    '',
    'Field numbers follow Annex I of Implementing Regulation (EU) 2025/302. A number in brackets is the range a ' +
      'field falls within; check its exact number against the Annex. Times are in UTC.',
  ];
  if (stage === 'final' && fields.some((field) => field.source === 'estimate')) {
    lines.push(
      '',
      'Estimates are allowed in initial and intermediate reports (2025/302 Art 1(3)); confirm the figures marked ' +
        'as estimates before the final report is submitted.',
    );
  }
  for (const section of SECTION_ORDER) {
    const inSection = fields.filter((field) => field.section === section);
    if (inSection.length === 0) continue;
    lines.push('', `## ${SECTIONS[section].heading} (${SECTIONS[section].range})`, '');
    lines.push('| Field | Title | Value | Source |', '| --- | --- | --- | --- |');
    for (const field of inSection) {
      lines.push(
        `| ${field.number ?? `(${field.range})`} | ${cell(field.title)} | ${cell(displayValue(field))} | ${SOURCE_LABELS[field.source]} |`,
      );
    }
  }
  const missing = fields.filter((field) => field.mandatory && field.source === 'missing');
  if (missing.length > 0) {
    lines.push('', '## To be completed', '');
    for (const field of missing) lines.push(`- ${field.number ?? `(${field.range})`} ${field.title}`);
  }
  return `${lines.join('\n')}\n`;
}

const SOURCE_LABELS = {
  recorded: 'Recorded',
  estimate: 'Estimate',
  missing: 'Missing',
} as const satisfies Record<DoraFieldSource, string>;

function displayValue(field: DoraReportField): string {
  const value = field.value;
  if (value === undefined) return field.mandatory ? 'To be completed:' : 'Not recorded';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') {
    const amount = formatNumber(value);
    if (field.unit === '%') return `${amount} %`;
    return field.unit === undefined ? amount : `${field.unit} ${amount}`;
  }
  if (typeof value === 'string') return value;
  return value.length === 0 ? 'None' : value.join('; ');
}

function cell(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

function text(value: string | undefined): Valued | undefined {
  return value === undefined || value.trim() === '' ? undefined : { value };
}

function flag(value: boolean | undefined): Valued | undefined {
  return value === undefined ? undefined : { value };
}

function list(values: ReadonlyArray<string> | undefined): Valued | undefined {
  return values === undefined ? undefined : { value: [...values] };
}

/** Only EU Member States, as in the classification. */
function memberStates(input: DoraReportInput): Valued | undefined {
  const codes = input.memberStates ?? input.classificationInput.memberStates;
  if (codes === undefined) return undefined;
  return { value: [...new Set(codes)].filter((code) => EU_MEMBER_STATES.some((state) => state === code)) };
}

function contact(person: DoraReportContact | undefined): Valued | undefined {
  if (person === undefined) return undefined;
  const details = [person.email, person.telephone].filter((detail) => detail !== undefined);
  return { value: details.length === 0 ? person.name : `${person.name} (${details.join(', ')})` };
}

function figure(measure: Measure | undefined, unit?: string): Valued | undefined {
  if (measure === undefined) return undefined;
  return {
    value: measure.value,
    estimate: measure.estimate === true,
    ...(unit === undefined ? {} : { unit }),
  };
}

function dataLosses(data: DoraClassificationInput['dataImpact']): Valued | undefined {
  if (data === undefined) return undefined;
  const properties = (['availability', 'authenticity', 'integrity', 'confidentiality'] as const).filter(
    (property) => data[property] === true,
  );
  const parts = [
    properties.length === 0 ? 'No impact on data recorded' : `Data affected: ${properties.join(', ')}`,
    data.adverseEffectOnBusinessOrCompliance === true
      ? 'adverse effect on business objectives or compliance'
      : 'no adverse effect on business objectives or compliance recorded',
    data.maliciousAccessMayLeadToDataLoss === true
      ? 'successful malicious unauthorised access that may lead to data loss'
      : 'no malicious unauthorised access that may lead to data loss recorded',
  ];
  return { value: parts.join('; ') };
}

function titleOf(criterion: DoraClassification['criteria'][number]['criterion']): string {
  return DORA_CRITERIA.find((policy) => policy.criterion === criterion)?.title ?? criterion;
}

function instant(value: string | undefined): Valued | undefined {
  if (value === undefined) return undefined;
  const time = DateTime.fromISO(value, { setZone: true });
  if (!time.isValid) throw new RangeError(`invalid date-time: ${value}`);
  const utc = time.toUTC().toISO({ suppressMilliseconds: true });
  if (utc === null) throw new RangeError(`invalid date-time: ${value}`);
  return { value: utc };
}

function minutesBetween(from: string, to: string): number {
  const start = DateTime.fromISO(from, { setZone: true });
  const end = DateTime.fromISO(to, { setZone: true });
  if (!start.isValid || !end.isValid) throw new RangeError(`invalid date-time: ${from} or ${to}`);
  return Math.max(0, end.diff(start, 'minutes').minutes);
}

/** DD:HH:MM, the layout one public implementation uses (§1.3, [S]). */
function ddhhmm(totalMinutes: number): string {
  const minutes = Math.round(totalMinutes);
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const rest = minutes % 60;
  return [days, hours, rest].map((part) => String(part).padStart(2, '0')).join(':');
}

const NUMBER_FORMAT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

function formatNumber(value: number): string {
  return NUMBER_FORMAT.format(value);
}
