import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BANDED_METRICS,
  BANDS_SOURCE,
  type BandedMetric,
  DELIVERY_GROUPINGS,
  type DeliveryMetricsGroup,
  type DeliveryPeriod,
  deliveryMetrics,
  formatDeliveryDuration,
  PERFORMANCE_BANDS_2024,
  type PerformanceBand,
  performanceBand2024,
} from './delivery-metrics.js';
import type { DeploymentRecord } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const RUNS = { numRuns: 200 };

/** Monday 1 January to Monday 1 April 2024: 91 days, 13 whole ISO weeks, 3 months. */
const Q1: DeliveryPeriod = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-04-01T00:00:00Z') };
const START = Q1.from.getTime();
const END = Q1.to.getTime();

let sequence = 0;

function deployment(fields: Partial<DeploymentRecord> & Pick<DeploymentRecord, 'deployedAt'>): DeploymentRecord {
  sequence += 1;
  return {
    id: `deployment-${sequence}`,
    service: 'payments',
    team: 'checkout',
    version: `1.0.${sequence}`,
    commitAt: undefined,
    outcome: 'succeeded',
    recoveredAt: undefined,
    changeId: undefined,
    ...fields,
  };
}

function iso(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

/** Noon UTC on a day counted from 1 January 2024. */
function onDay(day: number, hour = 12): number {
  return START + day * DAY + hour * HOUR;
}

function deployedOn(days: ReadonlyArray<number>): DeploymentRecord[] {
  return days.map((day) => deployment({ deployedAt: iso(onDay(day)) }));
}

function overall(records: ReadonlyArray<DeploymentRecord>, period: DeliveryPeriod = Q1): DeliveryMetricsGroup {
  const [group, ...rest] = deliveryMetrics(records, period, 'overall').groups;
  assert.ok(group, 'no overall group');
  assert.equal(rest.length, 0);
  return group;
}

/** Deployments on the given weekdays (0 = Monday) of each of the 13 weeks of Q1. */
function weekly(weekdays: (week: number) => ReadonlyArray<number>): DeploymentRecord[] {
  return Array.from({ length: 13 }, (_, week) => weekdays(week).map((weekday) => week * 7 + weekday)).flatMap(
    deployedOn,
  );
}

function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('deliveryMetrics: deployment frequency', () => {
  test('13 deployments in 13 weeks is one a week: high band, weekly bucket', () => {
    const frequency = overall(weekly(() => [0])).deploymentFrequency;
    assert.equal(frequency.status, 'measured');
    assert.equal(frequency.deployments, 13);
    assert.equal(frequency.value?.perWeek, 1);
    assert.equal(frequency.value?.perDay, 1 / 7);
    assert.equal(frequency.value?.bucket, 'weekly');
    assert.equal(frequency.band, 'high');
    assert.equal(frequency.weeks, 13);
    assert.equal(frequency.weeksWithDeployment, 13);
    assert.equal(frequency.months, 3);
    assert.equal(frequency.monthsWithDeployment, 3);
  });

  test('one deployment fewer drops to the medium band', () => {
    const frequency = overall(weekly((week) => (week === 12 ? [] : [0]))).deploymentFrequency;
    assert.equal(frequency.band, 'medium');
  });

  test('daily needs a median of 3 days a week with a deployment', () => {
    const seven = overall(weekly((week) => (week < 7 ? [0, 1, 2] : [0, 1]))).deploymentFrequency;
    assert.equal(seven.medianDaysPerWeekWithDeployment, 3);
    assert.equal(seven.value?.bucket, 'daily');

    const six = overall(weekly((week) => (week < 6 ? [0, 1, 2] : [0, 1]))).deploymentFrequency;
    assert.equal(six.medianDaysPerWeekWithDeployment, 2);
    assert.equal(six.value?.bucket, 'weekly');
  });

  test('several deployments on one day count as one day', () => {
    const records = weekly(() => [0]).flatMap((record) => [
      record,
      deployment({ deployedAt: iso(Date.parse(record.deployedAt) + HOUR) }),
      deployment({ deployedAt: iso(Date.parse(record.deployedAt) + 2 * HOUR) }),
    ]);
    const frequency = overall(records).deploymentFrequency;
    assert.equal(frequency.deployments, 39);
    assert.equal(frequency.medianDaysPerWeekWithDeployment, 1);
    assert.equal(frequency.value?.bucket, 'weekly');
    assert.equal(frequency.value?.perWeek, 3);
  });

  test('weekly needs a deployment in the median week', () => {
    assert.equal(overall(weekly((week) => (week < 7 ? [0] : []))).deploymentFrequency.value?.bucket, 'weekly');
    // Weeks 0 to 5 fall in January and February, so the median month still has one.
    assert.equal(overall(weekly((week) => (week < 6 ? [0] : []))).deploymentFrequency.value?.bucket, 'monthly');
  });

  test('monthly needs a deployment in the median month, else yearly', () => {
    const twoMonths = overall(deployedOn([0, 60])).deploymentFrequency;
    assert.equal(twoMonths.monthsWithDeployment, 2);
    assert.equal(twoMonths.value?.bucket, 'monthly');
    assert.equal(twoMonths.band, 'low');

    const oneMonth = overall(deployedOn([0])).deploymentFrequency;
    assert.equal(oneMonth.value?.bucket, 'yearly');
    assert.equal(oneMonth.band, 'low');
  });

  test('weeks partly inside the period count, as in Four Keys', () => {
    const period = { from: new Date('2024-01-03T00:00:00Z'), to: new Date('2024-01-17T00:00:00Z') };
    const frequency = overall(deployedOn([3, 9]), period).deploymentFrequency;
    assert.equal(frequency.weeks, 3);
    assert.equal(frequency.weeksWithDeployment, 2);
    assert.equal(frequency.value?.bucket, 'weekly');
    assert.equal(frequency.months, 1);
  });

  test('more than one a day on average is elite', () => {
    const records = Array.from({ length: 92 }, (_, index) => deployment({ deployedAt: iso(onDay(index % 91)) }));
    assert.equal(overall(records).deploymentFrequency.band, 'elite');
    assert.equal(overall(records.slice(0, 91)).deploymentFrequency.band, 'high');
  });
});

describe('deliveryMetrics: change lead time', () => {
  test('median and p90 over positive lead times, with the dropped ones counted', () => {
    const deployedAt = onDay(10);
    const records = [
      ...[1, 2, 3, 4].map((hours) =>
        deployment({ deployedAt: iso(deployedAt), commitAt: iso(deployedAt - hours * HOUR) }),
      ),
      deployment({ deployedAt: iso(deployedAt) }),
      deployment({ deployedAt: iso(deployedAt), commitAt: iso(deployedAt + HOUR) }),
      deployment({ deployedAt: iso(deployedAt), commitAt: iso(deployedAt) }),
      deployment({ deployedAt: iso(deployedAt), commitAt: 'not a time' }),
    ];
    const lead = overall(records).changeLeadTime;
    assert.equal(lead.status, 'measured');
    assert.deepEqual(lead.value, {
      median: { milliseconds: 2.5 * HOUR, text: '2 h 30 min' },
      p90: { milliseconds: 13_320_000, text: '3 h 42 min' },
    });
    assert.equal(lead.band, 'elite');
    assert.equal(lead.deployments, 8);
    assert.equal(lead.used, 4);
    assert.equal(lead.withoutCommitTime, 2);
    assert.equal(lead.nonPositive, 2);
  });

  test('a median lead time of exactly one day is high, not elite', () => {
    const records = [deployment({ deployedAt: iso(onDay(5)), commitAt: iso(onDay(4)) })];
    const lead = overall(records).changeLeadTime;
    assert.equal(lead.value?.median.text, '1 day');
    assert.equal(lead.band, 'high');
  });

  test('says why when no commit time can be used', () => {
    const none = overall(deployedOn([1, 2])).changeLeadTime;
    assert.equal(none.status, 'no-data');
    assert.equal(none.value, undefined);
    assert.equal(none.band, undefined);
    assert.match(none.reason ?? '', /^No deployment in the period records a commit time\.$/);

    const late = overall([deployment({ deployedAt: iso(onDay(3)), commitAt: iso(onDay(4)) })]).changeLeadTime;
    assert.equal(late.status, 'no-data');
    assert.match(late.reason ?? '', /committed before it was deployed/);
  });
});

describe('deliveryMetrics: change fail rate', () => {
  test('failed and rolled-back deployments over all deployments', () => {
    const records = [
      ...deployedOn([1, 2, 3, 4, 5, 6, 7, 8]),
      deployment({ deployedAt: iso(onDay(9)), outcome: 'failed' }),
      deployment({ deployedAt: iso(onDay(10)), outcome: 'rolled-back' }),
    ];
    const rate = overall(records).changeFailRate;
    assert.equal(rate.value, 0.2);
    assert.equal(rate.band, 'high');
    assert.equal(rate.deployments, 10);
    assert.equal(rate.failed, 1);
    assert.equal(rate.rolledBack, 1);
  });

  test('no failures is elite', () => {
    const rate = overall(deployedOn([1, 2])).changeFailRate;
    assert.equal(rate.value, 0);
    assert.equal(rate.band, 'elite');
  });
});

describe('deliveryMetrics: failed deployment recovery time', () => {
  test('median of recovered failures, counting the unrecovered and unusable ones', () => {
    const records = [
      deployment({ deployedAt: iso(onDay(1)), outcome: 'failed', recoveredAt: iso(onDay(1) + 30 * MINUTE) }),
      deployment({ deployedAt: iso(onDay(2)), outcome: 'rolled-back', recoveredAt: iso(onDay(2) + 90 * MINUTE) }),
      deployment({ deployedAt: iso(onDay(3)), outcome: 'failed' }),
      deployment({ deployedAt: iso(onDay(4)), outcome: 'failed', recoveredAt: iso(onDay(4) - MINUTE) }),
      deployment({ deployedAt: iso(onDay(5)), recoveredAt: iso(onDay(5) + MINUTE) }),
    ];
    const recovery = overall(records).failedDeploymentRecoveryTime;
    assert.deepEqual(recovery.value, {
      median: { milliseconds: HOUR, text: '1 h' },
      p90: { milliseconds: 84 * MINUTE, text: '1 h 24 min' },
    });
    // Exactly an hour is not "less than one hour".
    assert.equal(recovery.band, 'high');
    assert.equal(recovery.failures, 4);
    assert.equal(recovery.recovered, 2);
    assert.equal(recovery.unrecovered, 1);
    assert.equal(recovery.unusable, 1);
  });

  test('says why when nothing failed or nothing has recovered', () => {
    const nothingFailed = overall(deployedOn([1])).failedDeploymentRecoveryTime;
    assert.equal(nothingFailed.status, 'no-data');
    assert.match(nothingFailed.reason ?? '', /no recovery to measure/);

    const open = overall([
      deployment({ deployedAt: iso(onDay(1)), outcome: 'rolled-back' }),
    ]).failedDeploymentRecoveryTime;
    assert.equal(open.status, 'no-data');
    assert.equal(open.unrecovered, 1);
    assert.match(
      open.reason ?? '',
      /^The 1 failed or rolled-back deployment in the period has no usable recovery time: 1 not recovered yet, 0 unusable\.$/,
    );
  });
});

describe('deliveryMetrics: period and grouping', () => {
  test('empty input gives one empty overall group with reasons and no NaN', () => {
    const report = deliveryMetrics([], Q1, 'overall');
    const [group] = report.groups;
    assert.ok(group);
    assert.deepEqual(group.group, { by: 'overall' });
    assert.equal(group.deployments, 0);
    for (const metric of [
      group.deploymentFrequency,
      group.changeLeadTime,
      group.changeFailRate,
      group.failedDeploymentRecoveryTime,
    ]) {
      assert.equal(metric.status, 'no-data');
      assert.equal(metric.value, undefined);
      assert.equal(metric.band, undefined);
      assert.equal(metric.reason, 'No production deployments in the period.');
    }
    assert.ok(numbersIn(report).every(Number.isFinite));
    assert.deepEqual(deliveryMetrics([], Q1, 'service').groups, []);
    assert.deepEqual(deliveryMetrics([], Q1, 'team').groups, []);
  });

  test('ignores deployments outside the period, which ends exclusively', () => {
    const report = deliveryMetrics(
      [
        deployment({ deployedAt: iso(START - 1), outcome: 'failed' }),
        deployment({ deployedAt: iso(START) }),
        deployment({ deployedAt: iso(END - 1) }),
        deployment({ deployedAt: iso(END), outcome: 'failed' }),
        deployment({ deployedAt: 'last Tuesday', outcome: 'failed' }),
      ],
      Q1,
      'overall',
    );
    assert.deepEqual(report.ignored, { outsidePeriod: 2, unreadableDeployedAt: 1 });
    assert.equal(report.groups[0]?.deployments, 2);
    assert.equal(report.groups[0]?.changeFailRate.value, 0);
    assert.deepEqual(report.period, { from: '2024-01-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z', days: 91 });
  });

  test('groups by team, deployments without a team last', () => {
    const records = [
      deployment({ deployedAt: iso(onDay(1)), team: 'platform', service: 'gateway', outcome: 'failed' }),
      deployment({ deployedAt: iso(onDay(2)), team: undefined, service: 'legacy' }),
      deployment({ deployedAt: iso(onDay(3)), team: 'checkout', service: 'payments' }),
      deployment({ deployedAt: iso(onDay(4)), team: 'checkout', service: 'basket' }),
    ];
    const report = deliveryMetrics(records, Q1, 'team');
    assert.deepEqual(
      report.groups.map(({ group, deployments }) => [group, deployments]),
      [
        [{ by: 'team', team: 'checkout' }, 2],
        [{ by: 'team', team: 'platform' }, 1],
        [{ by: 'team', team: undefined }, 1],
      ],
    );
    assert.equal(report.groups[1]?.changeFailRate.value, 1);
    assert.equal(report.groups[1]?.changeFailRate.band, 'low');
  });

  test('groups by service', () => {
    const records = [
      deployment({ deployedAt: iso(onDay(1)), service: 'payments', outcome: 'rolled-back' }),
      deployment({ deployedAt: iso(onDay(2)), service: 'basket' }),
      deployment({ deployedAt: iso(onDay(3)), service: 'payments' }),
      deployment({ deployedAt: iso(END + DAY), service: 'search' }),
    ];
    const report = deliveryMetrics(records, Q1, 'service');
    assert.deepEqual(
      report.groups.map(({ group, changeFailRate }) => [group, changeFailRate.value]),
      [
        [{ by: 'service', service: 'basket' }, 0],
        [{ by: 'service', service: 'payments' }, 0.5],
      ],
    );
  });

  test('rejects a period that does not end after it starts', () => {
    assert.throws(() => deliveryMetrics([], { from: Q1.to, to: Q1.from }, 'overall'), RangeError);
    assert.throws(() => deliveryMetrics([], { from: Q1.from, to: Q1.from }, 'overall'), RangeError);
    assert.throws(() => deliveryMetrics([], { from: new Date('never'), to: Q1.to }, 'overall'), RangeError);
  });
});

describe('performanceBand2024', () => {
  const cases: ReadonlyArray<readonly [BandedMetric, number, PerformanceBand]> = [
    ['deploymentFrequency', 1.01, 'elite'],
    ['deploymentFrequency', 1, 'high'],
    ['deploymentFrequency', 1 / 7, 'high'],
    ['deploymentFrequency', 0.14, 'medium'],
    ['deploymentFrequency', 24 / 730, 'medium'],
    ['deploymentFrequency', 0.032, 'low'],
    ['deploymentFrequency', 0.001, 'low'],
    ['changeLeadTime', DAY - 1, 'elite'],
    ['changeLeadTime', DAY, 'high'],
    ['changeLeadTime', WEEK, 'medium'],
    ['changeLeadTime', 730 * HOUR - 1, 'medium'],
    ['changeLeadTime', 730 * HOUR, 'low'],
    ['changeLeadTime', 400 * DAY, 'low'],
    ['changeFailRate', 0, 'elite'],
    ['changeFailRate', 0.07, 'elite'],
    ['changeFailRate', 3 / 40, 'medium'],
    ['changeFailRate', 0.14, 'medium'],
    ['changeFailRate', 0.15, 'medium'],
    ['changeFailRate', 0.16, 'high'],
    ['changeFailRate', 0.29, 'high'],
    ['changeFailRate', 0.3, 'low'],
    ['changeFailRate', 1, 'low'],
    ['failedDeploymentRecoveryTime', HOUR - 1, 'elite'],
    ['failedDeploymentRecoveryTime', HOUR, 'high'],
    ['failedDeploymentRecoveryTime', DAY - 1, 'high'],
    ['failedDeploymentRecoveryTime', DAY, 'low'],
    ['failedDeploymentRecoveryTime', 60 * DAY, 'low'],
  ];
  for (const [metric, value, band] of cases) {
    test(`${metric} of ${value} is ${band}`, () => {
      assert.equal(performanceBand2024(metric, value), band);
    });
  }

  test('marks the cells the reference could not confirm', () => {
    const unconfirmed = PERFORMANCE_BANDS_2024.flatMap((row) =>
      BANDED_METRICS.filter((metric) => !row.cells[metric].confirmed).map((metric) => `${row.band} ${metric}`),
    );
    assert.deepEqual(unconfirmed, [
      'high failedDeploymentRecoveryTime',
      'medium changeFailRate',
      'medium failedDeploymentRecoveryTime',
      'low changeFailRate',
      'low failedDeploymentRecoveryTime',
    ]);
    assert.deepEqual(
      PERFORMANCE_BANDS_2024.map((row) => [row.band, row.share]),
      [
        ['elite', 0.19],
        ['high', 0.22],
        ['medium', 0.35],
        ['low', 0.25],
      ],
    );
  });

  test('the report names its source', () => {
    assert.match(BANDS_SOURCE, /State of DevOps Report 2024/);
    assert.equal(deliveryMetrics([], Q1, 'overall').bandsSource, BANDS_SOURCE);
  });
});

describe('formatDeliveryDuration', () => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0 min'],
    [30_000, 'under 1 min'],
    [5 * MINUTE, '5 min'],
    [2 * HOUR, '2 h'],
    [2 * HOUR + 5 * MINUTE + 59_999, '2 h 5 min'],
    [DAY - 1, '23 h 59 min'],
    [DAY, '1 day'],
    [3 * DAY, '3 days'],
    [3 * DAY + 4 * HOUR + 59 * MINUTE, '3 days 4 h'],
  ];
  for (const [milliseconds, text] of cases) {
    test(`${milliseconds} ms is "${text}"`, () => {
      assert.equal(formatDeliveryDuration(milliseconds), text);
    });
  }

  test('refuses negative and non-finite durations', () => {
    assert.throws(() => formatDeliveryDuration(-1), RangeError);
    assert.throws(() => formatDeliveryDuration(Number.NaN), RangeError);
  });
});

describe('deliveryMetrics properties', () => {
  const records = fc.array(
    fc
      .record({
        service: fc.constantFrom('payments', 'basket', 'search'),
        team: fc.constantFrom('checkout', 'platform', undefined),
        deployedAt: fc.integer({ min: START - 20 * DAY, max: END + 20 * DAY }),
        lead: fc.option(fc.integer({ min: -DAY, max: 60 * DAY }), { nil: undefined }),
        outcome: fc.constantFrom('succeeded', 'failed', 'rolled-back'),
        recovery: fc.option(fc.integer({ min: -HOUR, max: 10 * DAY }), { nil: undefined }),
      })
      .map(({ service, team, deployedAt, lead, outcome, recovery }) =>
        deployment({
          service,
          team,
          deployedAt: iso(deployedAt),
          commitAt: lead === undefined ? undefined : iso(deployedAt - lead),
          outcome,
          recoveredAt: recovery === undefined ? undefined : iso(deployedAt + recovery),
        }),
      ),
    { maxLength: 60 },
  );
  const grouping = fc.constantFrom(...DELIVERY_GROUPINGS);

  function inPeriod(record: DeploymentRecord): boolean {
    const at = Date.parse(record.deployedAt);
    return at >= START && at < END;
  }

  test('the fail rate lies in [0, 1], or is missing with a reason', () => {
    fc.assert(
      fc.property(records, grouping, (input, groupBy) =>
        deliveryMetrics(input, Q1, groupBy).groups.every(({ changeFailRate: rate }) =>
          rate.value === undefined ? rate.reason !== undefined : rate.value >= 0 && rate.value <= 1,
        ),
      ),
      RUNS,
    );
  });

  test('adding a successful deployment never raises the fail rate', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: START, max: END - 1 }), (input, at) => {
        const before = overall(input).changeFailRate.value ?? 1;
        const after = overall([...input, deployment({ deployedAt: iso(at) })]).changeFailRate.value;
        return after !== undefined && after <= before;
      }),
      RUNS,
    );
  });

  test('medians and p90s lie between the smallest and largest duration', () => {
    fc.assert(
      fc.property(records, (input) => {
        const counted = input.filter(inPeriod);
        const leads = counted
          .flatMap(({ commitAt, deployedAt }) =>
            commitAt === undefined ? [] : [Date.parse(deployedAt) - Date.parse(commitAt)],
          )
          .filter((lead) => lead > 0);
        const recoveries = counted
          .flatMap(({ outcome, recoveredAt, deployedAt }) =>
            outcome === 'succeeded' || recoveredAt === undefined
              ? []
              : [Date.parse(recoveredAt) - Date.parse(deployedAt)],
          )
          .filter((recovery) => recovery >= 0);
        const group = overall(input);
        for (const [summary, samples] of [
          [group.changeLeadTime.value, leads],
          [group.failedDeploymentRecoveryTime.value, recoveries],
        ] as const) {
          if (samples.length === 0) {
            assert.equal(summary, undefined);
            continue;
          }
          assert.ok(summary);
          const { median, p90 } = summary;
          assert.ok(Math.min(...samples) <= median.milliseconds);
          assert.ok(median.milliseconds <= p90.milliseconds);
          assert.ok(p90.milliseconds <= Math.max(...samples));
        }
      }),
      RUNS,
    );
  });

  test('every deployment is counted once: in a group or as ignored', () => {
    fc.assert(
      fc.property(records, grouping, (input, groupBy) => {
        const report = deliveryMetrics(input, Q1, groupBy);
        const grouped = report.groups.reduce((sum, group) => sum + group.deployments, 0);
        return grouped + report.ignored.outsidePeriod + report.ignored.unreadableDeployedAt === input.length;
      }),
      RUNS,
    );
  });

  test('never reports NaN or an infinite number', () => {
    fc.assert(
      fc.property(records, grouping, (input, groupBy) =>
        numbersIn(deliveryMetrics(input, Q1, groupBy)).every(Number.isFinite),
      ),
      RUNS,
    );
  });

  test('a measured metric has a band, an unmeasured one a reason', () => {
    fc.assert(
      fc.property(records, grouping, (input, groupBy) =>
        deliveryMetrics(input, Q1, groupBy).groups.every((group) =>
          [
            group.deploymentFrequency,
            group.changeLeadTime,
            group.changeFailRate,
            group.failedDeploymentRecoveryTime,
          ].every((metric) =>
            metric.status === 'measured'
              ? metric.band !== undefined && metric.reason === undefined
              : metric.band === undefined && metric.value === undefined && metric.reason.length > 0,
          ),
        ),
      ),
      RUNS,
    );
  });
});
