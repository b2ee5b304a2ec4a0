/**
 * Drafts a blameless post-incident review in Markdown from an incident's recorded times, timeline, SLO budget
 * use, linked changes and actions. Pure: the caller passes the data; the contributing factors and lessons are left
 * for the people involved to write.
 * @module
 */
import { DateTime } from 'luxon';
import type { Severity } from './types.js';

/** ISO 8601 strings with an offset; an absent time was not recorded. */
export interface ReviewTimes {
  readonly occurred?: string | undefined;
  readonly firstEvidence?: string | undefined;
  readonly aware?: string | undefined;
  readonly acknowledged?: string | undefined;
  /** The first affected service restored. */
  readonly mitigated?: string | undefined;
  readonly resolved?: string | undefined;
}

export interface ReviewTimelineEntry {
  readonly time: string;
  readonly actor: string;
  readonly type: string;
  readonly summary: string;
}

export interface ReviewSloBudget {
  readonly sloId: string;
  readonly budgetConsumedPercent: number;
}

export interface ReviewLinkedChange {
  readonly id: string;
  readonly title: string;
  /** How the change relates to the incident, for example `suspected trigger` or `remediation`. */
  readonly relation: string;
}

export interface ReviewAction {
  readonly title: string;
  readonly owner: string;
  /** A date (`YYYY-MM-DD`) or an ISO 8601 date-time. */
  readonly due?: string | undefined;
}

export interface PostIncidentReviewInput {
  readonly incidentId: string;
  readonly title: string;
  readonly severity: Severity;
  /** What happened, in a few sentences; left for people to write when absent. */
  readonly summary?: string | undefined;
  readonly services: ReadonlyArray<string>;
  readonly importantBusinessServices: ReadonlyArray<string>;
  readonly times: ReviewTimes;
  readonly timeline: ReadonlyArray<ReviewTimelineEntry>;
  readonly sloBudgets: ReadonlyArray<ReviewSloBudget>;
  readonly changes: ReadonlyArray<ReviewLinkedChange>;
  readonly actions: ReadonlyArray<ReviewAction>;
  /** IANA zone for displayed times; defaults to Europe/London. */
  readonly timeZone?: string | undefined;
}

export type ReviewMeasure = 'time-to-detect' | 'time-to-acknowledge' | 'time-to-mitigate' | 'time-to-resolve';

export type ReviewMoment = keyof ReviewTimes;

/** `minutes` is `undefined` when a time is missing or the end precedes the start. */
export interface ReviewDuration {
  readonly measure: ReviewMeasure;
  readonly title: string;
  readonly from: ReviewMoment | undefined;
  readonly to: ReviewMoment;
  readonly minutes: number | undefined;
  readonly text: string;
}

export interface PostIncidentReviewDraft {
  readonly markdown: string;
  readonly durations: ReadonlyArray<ReviewDuration>;
}

export const DEFAULT_REVIEW_TIME_ZONE = 'Europe/London';

const MOMENTS = [
  { moment: 'occurred', title: 'Occurred (impact began)' },
  { moment: 'firstEvidence', title: 'First evidence' },
  { moment: 'aware', title: 'Aware' },
  { moment: 'acknowledged', title: 'Acknowledged' },
  { moment: 'mitigated', title: 'Mitigated (first service restored)' },
  { moment: 'resolved', title: 'Resolved' },
] as const satisfies ReadonlyArray<{ moment: ReviewMoment; title: string }>;

/** Detection, mitigation and resolution run from the start of impact: occurrence, or first evidence without it. */
const MEASURES = [
  { measure: 'time-to-detect', title: 'Time to detect', from: ['occurred', 'firstEvidence'], to: 'aware' },
  { measure: 'time-to-acknowledge', title: 'Time to acknowledge', from: ['aware'], to: 'acknowledged' },
  { measure: 'time-to-mitigate', title: 'Time to mitigate', from: ['occurred', 'firstEvidence'], to: 'mitigated' },
  { measure: 'time-to-resolve', title: 'Time to resolve', from: ['occurred', 'firstEvidence'], to: 'resolved' },
] as const satisfies ReadonlyArray<{
  measure: ReviewMeasure;
  title: string;
  from: ReadonlyArray<ReviewMoment>;
  to: ReviewMoment;
}>;

const NOT_RECORDED = 'not recorded';
const CANNOT_COMPUTE = 'cannot be computed';

/**
 * A draft review with the key times and durations filled in and the judgement sections left to people.
 * @param input - recorded facts; times are shown in `input.timeZone` with their UTC offset
 */
export function draftPostIncidentReview(input: PostIncidentReviewInput): PostIncidentReviewDraft {
  const zone = input.timeZone ?? DEFAULT_REVIEW_TIME_ZONE;
  if (!DateTime.now().setZone(zone).isValid) throw new RangeError(`unknown time zone: ${zone}`);
  const times = parseTimes(input.times);
  const durations = MEASURES.map((spec) => measure(spec, times));
  const lines: string[] = [
    `# Post-incident review: ${inline(input.title)}`,
    '',
    '_Draft for review. This review is blameless: it describes how systems, processes and decisions ' +
      'interacted, not who was at fault._',
    '',
    '## Summary',
    '',
    `- Incident: ${inline(input.incidentId)}`,
    `- Severity: ${input.severity}`,
    '',
    input.summary === undefined || input.summary.trim() === ''
      ? '_To be completed: what happened, who and what was affected, and how service was restored._'
      : input.summary.trim(),
    '',
    '## Impact',
    '',
    `- Services affected: ${listOrNone(input.services)}`,
    `- Important business services affected: ${listOrNone(input.importantBusinessServices)}`,
    `- Impact began: ${times.occurred === undefined ? NOT_RECORDED : display(times.occurred, zone)}`,
    `- Until the first service was restored: ${durationText(durations, 'time-to-mitigate')}`,
    `- Until resolution: ${durationText(durations, 'time-to-resolve')}`,
    `- Highest SLO error budget consumed: ${highestBudget(input.sloBudgets)}`,
    '',
    '## Key times',
    '',
    `| Moment | ${zoneLabel(zone)} | UTC |`,
    '| --- | --- | --- |',
    ...MOMENTS.map(({ moment, title }) => {
      const at = times[moment];
      return at === undefined
        ? `| ${title} | ${NOT_RECORDED} | ${NOT_RECORDED} |`
        : `| ${title} | ${display(at, zone)} | ${display(at, 'utc')} |`;
    }),
    '',
    '| Measure | Duration | Measured |',
    '| --- | --- | --- |',
    ...durations.map((duration) => `| ${duration.title} | ${duration.text} | ${basis(duration)} |`),
    '',
    '## Timeline',
    '',
    ...timelineLines(input.timeline, zone),
    '',
    '## SLO error budget consumed',
    '',
    ...sloLines(input.sloBudgets),
    '',
    '## Linked changes and deployments',
    '',
    ...table(
      ['Change', 'Title', 'Relation'],
      input.changes.map((change) => [change.id, change.title, change.relation]),
      'No linked changes recorded.',
    ),
    '',
    '## Contributing factors',
    '',
    '_To be completed by the people involved. Describe the conditions that allowed the incident to start, to go ' +
      'unnoticed and to last: systems, tooling, processes, information available at the time, and pressures. Ask ' +
      'how it made sense to act as people did; do not name individuals as causes._',
    '',
    '## Lessons learned',
    '',
    '_To be completed by the people involved: what went well, what was harder than it should have been, and where ' +
      'we were fortunate._',
    '',
    '## Actions',
    '',
    ...table(
      ['Action', 'Owner', 'Due'],
      input.actions.map((action) => [action.title, action.owner, dueText(action.due, zone)]),
      'No actions recorded yet.',
    ),
  ];
  return { markdown: `${lines.join('\n')}\n`, durations };
}

type ParsedTimes = { readonly [K in ReviewMoment]?: DateTime };

function parseTimes(times: ReviewTimes): ParsedTimes {
  const parsed: { [K in ReviewMoment]?: DateTime } = {};
  for (const { moment } of MOMENTS) {
    const value = times[moment];
    if (value !== undefined) parsed[moment] = parse(value);
  }
  return parsed;
}

function measure(spec: (typeof MEASURES)[number], times: ParsedTimes): ReviewDuration {
  const from = spec.from.find((moment) => times[moment] !== undefined);
  const start = from === undefined ? undefined : times[from];
  const end = times[spec.to];
  const identity = { measure: spec.measure, title: spec.title, from, to: spec.to };
  if (start === undefined || end === undefined) {
    const lacking: string[] = [];
    if (start === undefined) lacking.push(spec.from.map(momentTitle).join(' or '));
    if (end === undefined) lacking.push(momentTitle(spec.to));
    return { ...identity, minutes: undefined, text: `${CANNOT_COMPUTE}: ${lacking.join(' and ')} not recorded` };
  }
  const minutes = end.diff(start, 'minutes').minutes;
  if (minutes < 0) {
    return {
      ...identity,
      minutes: undefined,
      text: `${CANNOT_COMPUTE}: ${momentTitle(spec.to)} is before ${from === undefined ? 'the start' : momentTitle(from)}`,
    };
  }
  return { ...identity, minutes, text: formatDuration(minutes) };
}

function basis(duration: ReviewDuration): string {
  const starts = MEASURES.find((spec) => spec.measure === duration.measure)?.from ?? [];
  const from = duration.from === undefined ? starts.map(momentTitle).join(' or ') : momentTitle(duration.from);
  return `from ${from} to ${momentTitle(duration.to)}`;
}

function momentTitle(moment: ReviewMoment): string {
  switch (moment) {
    case 'occurred':
      return 'occurrence';
    case 'firstEvidence':
      return 'first evidence';
    case 'aware':
      return 'awareness';
    case 'acknowledged':
      return 'acknowledgement';
    case 'mitigated':
      return 'mitigation';
    case 'resolved':
      return 'resolution';
    default:
      return assertNever(moment);
  }
}

function durationText(durations: ReadonlyArray<ReviewDuration>, which: ReviewMeasure): string {
  return durations.find((duration) => duration.measure === which)?.text ?? CANNOT_COMPUTE;
}

/** "1 h 12 min", "45 min", "26 h"; under a minute is "under 1 min". */
export function formatDuration(totalMinutes: number): string {
  if (!Number.isFinite(totalMinutes) || totalMinutes < 0) return CANNOT_COMPUTE;
  const whole = Math.floor(totalMinutes);
  if (whole === 0) return totalMinutes > 0 ? 'under 1 min' : '0 min';
  const hours = Math.floor(whole / 60);
  const minutes = whole % 60;
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

function timelineLines(entries: ReadonlyArray<ReviewTimelineEntry>, zone: string): string[] {
  const ordered = entries
    .map((entry) => ({ entry, at: parse(entry.time) }))
    .sort((a, b) => a.at.toMillis() - b.at.toMillis());
  return table(
    [`Time (${zoneLabel(zone)})`, 'Actor', 'Type', 'What happened'],
    ordered.map(({ entry, at }) => [display(at, zone), entry.actor, entry.type, entry.summary]),
    'No timeline entries recorded.',
  );
}

function sloLines(budgets: ReadonlyArray<ReviewSloBudget>): string[] {
  return table(
    ['SLO', 'Error budget consumed'],
    budgets.map((budget) => [budget.sloId, budgetText(budget.budgetConsumedPercent)]),
    'No SLO error budget recorded for this incident.',
  );
}

function budgetText(percent: number): string {
  if (!Number.isFinite(percent)) return NOT_RECORDED;
  const text = `${PERCENT_FORMAT.format(percent)} %`;
  return percent >= 100 ? `${text} (budget exhausted)` : text;
}

function highestBudget(budgets: ReadonlyArray<ReviewSloBudget>): string {
  const recorded = budgets.filter((budget) => Number.isFinite(budget.budgetConsumedPercent));
  const highest = recorded.reduce<ReviewSloBudget | undefined>(
    (best, budget) => (best === undefined || budget.budgetConsumedPercent > best.budgetConsumedPercent ? budget : best),
    undefined,
  );
  return highest === undefined
    ? NOT_RECORDED
    : `${budgetText(highest.budgetConsumedPercent)} of ${inline(highest.sloId)}`;
}

function dueText(due: string | undefined, zone: string): string {
  if (due === undefined || due.trim() === '') return 'not set';
  if (/^\d{4}-\d{2}-\d{2}$/.test(due)) return due;
  return display(parse(due), zone);
}

function table(headings: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, empty: string): string[] {
  if (rows.length === 0) return [empty];
  return [
    `| ${headings.join(' | ')} |`,
    `| ${headings.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

const PERCENT_FORMAT = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

function parse(value: string): DateTime {
  const time = DateTime.fromISO(value, { setZone: true });
  if (!time.isValid) throw new RangeError(`invalid date-time: ${value}`);
  return time;
}

/** "2025-10-26 01:30 UTC+01:00". */
function display(at: DateTime, zone: string): string {
  return at.setZone(zone).toFormat("yyyy-MM-dd HH:mm 'UTC'ZZ");
}

function zoneLabel(zone: string): string {
  return zone === 'utc' || zone === 'UTC' ? 'UTC' : zone;
}

function listOrNone(items: ReadonlyArray<string>): string {
  return items.length === 0 ? 'none recorded' : items.map(inline).join(', ');
}

function inline(value: string): string {
  return value.replace(/\r?\n/g, ' ');
}

function cell(value: string): string {
  return inline(value).replaceAll('\\', '\\\\').replaceAll('|', '\\|');
}

function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
