import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WindowSli } from '../telemetry/telemetry-source.js';
import { evaluateSlo, periodStart, type TierMemory, windowsOf } from './slo-evaluation.js';
import { defaultTiers } from './slo-maths.js';
import type { SloDefinition } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function slo(overrides: Partial<SloDefinition> = {}): SloDefinition {
  const period = 30 * DAY;
  return {
    id: 'gateway-availability',
    service: 'gateway',
    name: 'availability',
    description: undefined,
    objectivePercent: 99.9,
    period: { kind: 'rolling', duration: period, text: '30d' },
    budgeting: 'Occurrences',
    timeSliceTarget: undefined,
    timeSliceWindow: undefined,
    sli: { kind: 'errors', errorQuery: 'e[{{.window}}]', totalQuery: 't[{{.window}}]' },
    labels: {},
    alerting: {
      name: 'GatewayBudgetBurn',
      labels: {},
      annotations: {},
      page: { disabled: false, labels: {}, annotations: {} },
      ticket: { disabled: false, labels: {}, annotations: {} },
      tiers: [...defaultTiers(period)],
      minimumEvents: 0,
    },
    source: { format: 'openslo', file: 'slo.yaml', line: 1, spec: 'openslo/v1' },
    ...overrides,
  };
}

/** The same error ratio in every window the SLO reads. */
function flat(definition: SloDefinition, now: Date, errorRatio: number, events = 10_000): Map<number, WindowSli> {
  return new Map(windowsOf(definition, now).map((window) => [window, { errorRatio, events }]));
}

const NOW = new Date('2026-11-27T10:00:00Z');

describe('evaluateSlo', () => {
  test('at 20 times the budget every tier fires; at 5 times only the ticket tiers; at half, none', () => {
    const definition = slo();
    const states = (ratio: number) =>
      evaluateSlo(definition, flat(definition, NOW, ratio), new Map(), NOW).status.tiers.map((tier) => tier.state);
    assert.deepEqual(states(0.02), ['firing', 'firing', 'firing', 'firing']);
    assert.deepEqual(states(0.005), ['inactive', 'inactive', 'firing', 'firing']);
    assert.deepEqual(states(0.0005), ['inactive', 'inactive', 'inactive', 'inactive']);
  });

  test('reports the budget left in fraction and minutes, burn rates by window, and the time to exhaustion', () => {
    const definition = slo();
    const { status } = evaluateSlo(definition, flat(definition, NOW, 0.0005), new Map(), NOW);
    assert.ok(Math.abs((status.budgetRemaining ?? 0) - 0.5) < 1e-9);
    // Half of 0.1 % of 30 days is 21.6 minutes.
    assert.ok(Math.abs((status.budgetRemainingMinutes ?? 0) - 21.6) < 1e-6);
    assert.ok(Math.abs((status.burnRates['1h'] ?? 0) - 0.5) < 1e-9);
    assert.deepEqual(Object.keys(status.burnRates), ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
    // Half the budget at half the sustainable rate lasts a whole period.
    assert.equal(status.timeToExhaustion, '30d');
    assert.ok(Math.abs((status.sli ?? 0) - 0.9995) < 1e-12);
  });

  test('with no data it reports nothing rather than a made-up zero', () => {
    const { status, transitions } = evaluateSlo(slo(), new Map(), new Map(), NOW);
    assert.equal(status.budgetRemaining, undefined);
    assert.equal(status.sli, undefined);
    assert.equal(status.timeToExhaustion, undefined);
    assert.deepEqual(transitions, []);
  });

  test('a tier with a for waits as pending, then fires, then resolves; a pending tier that cools is cancelled', () => {
    const base = slo();
    const definition = slo({
      alerting: { ...base.alerting, tiers: base.alerting.tiers.map((tier) => ({ ...tier, for: 10 * MINUTE })) },
    });
    let memory = new Map<string, TierMemory>();
    const step = (at: Date, ratio: number) => {
      const result = evaluateSlo(definition, flat(definition, at, ratio), memory, at);
      memory = new Map(result.status.tiers.map((tier) => [tier.name, { state: tier.state, since: tier.since }]));
      return result;
    };
    const first = step(NOW, 0.02);
    assert.deepEqual(
      first.transitions.map((t) => `${t.tier.name}:${t.from}->${t.to}`),
      [
        'page-quick:inactive->pending',
        'page-slow:inactive->pending',
        'ticket-quick:inactive->pending',
        'ticket-slow:inactive->pending',
      ],
    );
    assert.deepEqual(step(new Date(NOW.getTime() + 5 * MINUTE), 0.02).transitions, []);
    const fired = step(new Date(NOW.getTime() + 10 * MINUTE), 0.02);
    assert.ok(fired.transitions.every((t) => t.to === 'firing'));
    const resolved = step(new Date(NOW.getTime() + 20 * MINUTE), 0.0001);
    assert.ok(resolved.transitions.every((t) => t.from === 'firing' && t.to === 'resolved'));
    const again = step(new Date(NOW.getTime() + 30 * MINUTE), 0.02);
    assert.ok(again.transitions.every((t) => t.from === 'resolved' && t.to === 'pending'));
    const cooled = step(new Date(NOW.getTime() + 31 * MINUTE), 0.0001);
    assert.ok(cooled.transitions.every((t) => t.from === 'pending' && t.to === 'inactive'));
  });

  test('the low-traffic guard keeps a tier quiet while its long window holds too few events', () => {
    const base = slo();
    const definition = slo({ alerting: { ...base.alerting, minimumEvents: 100 } });
    const { status } = evaluateSlo(definition, flat(definition, NOW, 0.5, 20), new Map(), NOW);
    assert.ok(status.tiers.every((tier) => tier.state === 'inactive' && tier.lowTraffic));
  });

  test('a disabled tier never fires', () => {
    const base = slo();
    const definition = slo({
      alerting: { ...base.alerting, tiers: base.alerting.tiers.map((tier) => ({ ...tier, enabled: false })) },
    });
    const { status } = evaluateSlo(definition, flat(definition, NOW, 0.9), new Map(), NOW);
    assert.ok(status.tiers.every((tier) => tier.state === 'inactive'));
  });
});

describe('periodStart', () => {
  test('a rolling period starts one period ago', () => {
    assert.equal(periodStart(slo(), NOW).toISOString(), '2026-10-28T10:00:00.000Z');
  });

  test('a calendar month in London starts at local midnight on the first, across the clock change', () => {
    const monthly = slo({
      period: {
        kind: 'calendar',
        duration: 30 * DAY,
        text: '1M',
        startTime: '2026-01-01T00:00:00',
        timeZone: 'Europe/London',
      },
    });
    // In November London is on GMT; in October on BST.
    assert.equal(periodStart(monthly, NOW).toISOString(), '2026-11-01T00:00:00.000Z');
    assert.equal(periodStart(monthly, new Date('2026-10-15T12:00:00Z')).toISOString(), '2026-09-30T23:00:00.000Z');
    // A calendar period so far is the window the evaluation reads for the period.
    assert.ok(windowsOf(monthly, NOW).includes(NOW.getTime() - Date.parse('2026-11-01T00:00:00Z')));
  });
});
