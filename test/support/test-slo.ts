/**
 * A plain SLO for tests and benchmarks: Occurrences budgeting, no time slices or labels, and both alert severities
 * disabled; the caller names what it is about.
 * @module
 */
import type { SloDefinition } from '../../src/slo/types.js';

export type TestSloFields = Pick<
  SloDefinition,
  'id' | 'service' | 'name' | 'objectivePercent' | 'period' | 'sli' | 'source' | 'metricSource' | 'scrape'
>;

export function testSlo(fields: TestSloFields): SloDefinition {
  const { id, service, name, objectivePercent, period, sli, source, ...scraped } = fields;
  return {
    id,
    service,
    name,
    description: undefined,
    objectivePercent,
    period,
    budgeting: 'Occurrences',
    timeSliceTarget: undefined,
    timeSliceWindow: undefined,
    sli,
    ...scraped,
    labels: {},
    alerting: {
      name: undefined,
      labels: {},
      annotations: {},
      page: { disabled: true, labels: {}, annotations: {} },
      ticket: { disabled: true, labels: {}, annotations: {} },
      tiers: [],
      minimumEvents: 0,
    },
    source,
  };
}
