import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  draftPostIncidentReview,
  formatDuration,
  type PostIncidentReviewInput,
  type ReviewDuration,
  type ReviewMeasure,
} from './post-incident-review.js';

/** Clocks in London went back from 02:00 BST to 01:00 GMT at 01:00 UTC on 26 October 2025. */
const ACROSS_THE_CLOCK_CHANGE: PostIncidentReviewInput = {
  incidentId: 'INC-2025-0107',
  title: 'Card payments declined',
  severity: 'SEV1',
  summary: 'Card authorisations failed after a configuration change; rolling it back restored service.',
  services: ['card-authorisation'],
  importantBusinessServices: ['Card payments'],
  times: {
    occurred: '2025-10-26T00:20:00Z',
    firstEvidence: '2025-10-26T00:25:00Z',
    aware: '2025-10-26T01:32:00+01:00',
    acknowledged: '2025-10-26T00:37:00+00:00',
    mitigated: '2025-10-26T01:32:00Z',
    resolved: '2025-10-26T03:05:00Z',
  },
  timeline: [
    { time: '2025-10-26T01:30:00Z', actor: 'ops-bot', type: 'action', summary: 'Rollback completed | verified' },
    { time: '2025-10-26T00:30:00Z', actor: 'alertmanager', type: 'alert', summary: 'Error rate above 5 %' },
    { time: '2025-10-26T00:37:00Z', actor: 'on-call engineer', type: 'acknowledged', summary: 'Paged and joined' },
  ],
  sloBudgets: [
    { sloId: 'card-authorisation-availability', budgetConsumedPercent: 112.46 },
    { sloId: 'card-authorisation-latency', budgetConsumedPercent: 18 },
  ],
  changes: [{ id: 'CHG-311', title: 'Raise connection pool limit', relation: 'suspected trigger' }],
  actions: [
    { title: 'Validate pool settings in the pipeline', owner: 'Payments platform team', due: '2025-11-14' },
    { title: 'Alert on authorisation declines by reason', owner: 'Observability team', due: undefined },
  ],
};

function duration(durations: ReadonlyArray<ReviewDuration>, measure: ReviewMeasure): ReviewDuration {
  const found = durations.find((entry) => entry.measure === measure);
  assert.ok(found, `no ${measure}`);
  return found;
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}\n`);
  assert.ok(start >= 0, `no section ${heading}`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next === -1 ? undefined : next);
}

describe('formatDuration', () => {
  test('formats hours and minutes', () => {
    assert.equal(formatDuration(72), '1 h 12 min');
    assert.equal(formatDuration(72.9), '1 h 12 min');
    assert.equal(formatDuration(45), '45 min');
    assert.equal(formatDuration(120), '2 h');
    assert.equal(formatDuration(26 * 60 + 5), '26 h 5 min');
    assert.equal(formatDuration(0.5), 'under 1 min');
    assert.equal(formatDuration(0), '0 min');
  });

  test('never gives NaN', () => {
    assert.equal(formatDuration(Number.NaN), 'cannot be computed');
    assert.equal(formatDuration(-5), 'cannot be computed');
  });
});

describe('draftPostIncidentReview', () => {
  test('computes the durations from elapsed time across the clock change', () => {
    const { durations } = draftPostIncidentReview(ACROSS_THE_CLOCK_CHANGE);
    assert.equal(duration(durations, 'time-to-detect').text, '12 min');
    assert.equal(duration(durations, 'time-to-detect').from, 'occurred');
    assert.equal(duration(durations, 'time-to-acknowledge').text, '5 min');
    // 01:20 BST to 01:32 GMT looks like 12 minutes on the wall clock.
    assert.equal(duration(durations, 'time-to-mitigate').text, '1 h 12 min');
    assert.equal(duration(durations, 'time-to-mitigate').minutes, 72);
    assert.equal(duration(durations, 'time-to-resolve').text, '2 h 45 min');
  });

  test('shows the timeline in order in London time with the UTC offset on each side of the change', () => {
    const timeline = section(draftPostIncidentReview(ACROSS_THE_CLOCK_CHANGE).markdown, 'Timeline');
    const rows = timeline.split('\n').filter((line) => line.startsWith('| 2025'));
    assert.deepEqual(rows, [
      '| 2025-10-26 01:30 UTC+01:00 | alertmanager | alert | Error rate above 5 % |',
      '| 2025-10-26 01:37 UTC+01:00 | on-call engineer | acknowledged | Paged and joined |',
      '| 2025-10-26 01:30 UTC+00:00 | ops-bot | action | Rollback completed \\| verified |',
    ]);
    assert.match(timeline, /\| Time \(Europe\/London\) \| Actor \| Type \| What happened \|/);
  });

  test('lists the key times in the display zone and in UTC, and the durations with their basis', () => {
    const times = section(draftPostIncidentReview(ACROSS_THE_CLOCK_CHANGE).markdown, 'Key times');
    assert.match(
      times,
      /\| Occurred \(impact began\) \| 2025-10-26 01:20 UTC\+01:00 \| 2025-10-26 00:20 UTC\+00:00 \|/,
    );
    assert.match(
      times,
      /\| Mitigated \(first service restored\) \| 2025-10-26 01:32 UTC\+00:00 \| 2025-10-26 01:32 UTC\+00:00 \|/,
    );
    assert.match(times, /\| Time to detect \| 12 min \| from occurrence to awareness \|/);
    assert.match(times, /\| Time to acknowledge \| 5 min \| from awareness to acknowledgement \|/);
    assert.match(times, /\| Time to mitigate \| 1 h 12 min \| from occurrence to mitigation \|/);
    assert.match(times, /\| Time to resolve \| 2 h 45 min \| from occurrence to resolution \|/);
  });

  test('has every section, with contributing factors and lessons left for people', () => {
    const { markdown } = draftPostIncidentReview(ACROSS_THE_CLOCK_CHANGE);
    assert.match(markdown, /^# Post-incident review: Card payments declined\n/);
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    assert.deepEqual(headings, [
      '## Summary',
      '## Impact',
      '## Key times',
      '## Timeline',
      '## SLO error budget consumed',
      '## Linked changes and deployments',
      '## Contributing factors',
      '## Lessons learned',
      '## Actions',
    ]);
    assert.match(section(markdown, 'Contributing factors'), /_To be completed by the people involved\./);
    assert.match(section(markdown, 'Lessons learned'), /_To be completed by the people involved:/);
    assert.match(markdown, /blameless/);
    assert.match(section(markdown, 'Summary'), /- Severity: SEV1\n/);
    assert.match(section(markdown, 'Summary'), /rolling it back restored service\./);
  });

  test('reports impact, SLO budget, linked changes and actions', () => {
    const { markdown } = draftPostIncidentReview(ACROSS_THE_CLOCK_CHANGE);
    const impact = section(markdown, 'Impact');
    assert.match(impact, /- Important business services affected: Card payments\n/);
    assert.match(impact, /- Until the first service was restored: 1 h 12 min\n/);
    assert.match(
      impact,
      /- Highest SLO error budget consumed: 112\.5 % \(budget exhausted\) of card-authorisation-availability\n/,
    );
    assert.match(section(markdown, 'SLO error budget consumed'), /\| card-authorisation-latency \| 18 % \|/);
    assert.match(
      section(markdown, 'Linked changes and deployments'),
      /\| CHG-311 \| Raise connection pool limit \| suspected trigger \|/,
    );
    const actions = section(markdown, 'Actions');
    assert.match(actions, /\| Validate pool settings in the pipeline \| Payments platform team \| 2025-11-14 \|/);
    assert.match(actions, /\| Alert on authorisation declines by reason \| Observability team \| not set \|/);
  });

  test('shows missing times as not recorded and their durations as cannot be computed', () => {
    const review = draftPostIncidentReview({
      ...ACROSS_THE_CLOCK_CHANGE,
      summary: undefined,
      times: { aware: '2025-10-26T00:32:00Z', resolved: '2025-10-26T03:05:00Z' },
      timeline: [],
      sloBudgets: [],
      changes: [],
      actions: [],
    });
    assert.doesNotMatch(review.markdown, /NaN|undefined|Invalid/);
    assert.equal(
      duration(review.durations, 'time-to-detect').text,
      'cannot be computed: occurrence or first evidence not recorded',
    );
    assert.equal(duration(review.durations, 'time-to-detect').minutes, undefined);
    assert.equal(
      duration(review.durations, 'time-to-acknowledge').text,
      'cannot be computed: acknowledgement not recorded',
    );
    assert.match(review.markdown, /\| Occurred \(impact began\) \| not recorded \| not recorded \|/);
    assert.match(
      review.markdown,
      /\| Time to detect \| cannot be computed: occurrence or first evidence not recorded \| from occurrence or first evidence to awareness \|/,
    );
    assert.match(review.markdown, /- Impact began: not recorded\n/);
    assert.match(review.markdown, /- Highest SLO error budget consumed: not recorded\n/);
    assert.match(review.markdown, /_To be completed: what happened/);
    assert.match(review.markdown, /No timeline entries recorded\./);
    assert.match(review.markdown, /No actions recorded yet\./);
  });

  test('measures from first evidence when the occurrence is not recorded', () => {
    const review = draftPostIncidentReview({
      ...ACROSS_THE_CLOCK_CHANGE,
      times: { ...ACROSS_THE_CLOCK_CHANGE.times, occurred: undefined },
    });
    const detect = duration(review.durations, 'time-to-detect');
    assert.equal(detect.from, 'firstEvidence');
    assert.equal(detect.text, '7 min');
    assert.match(review.markdown, /\| Time to detect \| 7 min \| from first evidence to awareness \|/);
  });

  test('a time recorded before its start cannot be computed', () => {
    const review = draftPostIncidentReview({
      ...ACROSS_THE_CLOCK_CHANGE,
      times: { ...ACROSS_THE_CLOCK_CHANGE.times, acknowledged: '2025-10-26T00:31:00Z' },
    });
    assert.equal(
      duration(review.durations, 'time-to-acknowledge').text,
      'cannot be computed: acknowledgement is before awareness',
    );
  });

  test('displays times in another zone when asked, and rejects an unknown zone', () => {
    const { markdown } = draftPostIncidentReview({ ...ACROSS_THE_CLOCK_CHANGE, timeZone: 'UTC' });
    assert.match(markdown, /\| Time \(UTC\) \| Actor \|/);
    assert.match(markdown, /\| 2025-10-26 00:30 UTC\+00:00 \| alertmanager \|/);
    assert.throws(() => draftPostIncidentReview({ ...ACROSS_THE_CLOCK_CHANGE, timeZone: 'Mars/Olympus' }), RangeError);
  });
});
