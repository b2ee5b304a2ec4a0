import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Slo } from '../../src/web/api-types.js';
import { formatDuration, formatPercent, formatTime, formatTimeLeft, formatUtc } from '../../src/web/format.js';
import { parseRoute } from '../../src/web/lib/routes.js';
import { safeHttpUrl } from '../../src/web/lib/safe-url.js';
import { serviceHealth, sloHealth } from '../../src/web/lib/slo-health.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/);
const anyText = fc.string({ unit: 'binary', maxLength: 80 });

describe('dashboard routes', () => {
  test('every page round-trips through its fragment', () => {
    fc.assert(
      fc.property(name, fc.integer({ min: 1, max: 1e9 }), (service, number) => {
        assert.deepEqual(parseRoute(`#/services/${encodeURIComponent(service)}`), { page: 'service', name: service });
        assert.deepEqual(parseRoute(`#/incidents/INC-${number}`), { page: 'incident', id: `INC-${number}` });
        assert.deepEqual(parseRoute(`#/changes/CHG-${number}`), { page: 'change', id: `CHG-${number}` });
        assert.deepEqual(parseRoute(`#/ledger?entry=${number}`), { page: 'ledger', entry: String(number) });
      }),
    );
    assert.deepEqual(parseRoute(''), { page: 'overview' });
    assert.deepEqual(parseRoute('#/'), { page: 'overview' });
    assert.deepEqual(parseRoute('#/incidents'), { page: 'incidents' });
    assert.deepEqual(parseRoute('#/changes'), { page: 'changes' });
    assert.deepEqual(parseRoute('#/ledger'), { page: 'ledger', entry: undefined });
  });

  test('any fragment at all gives a page, never an exception', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const route = parseRoute(`#/${text}`);
        assert.ok(
          ['overview', 'service', 'incidents', 'incident', 'changes', 'change', 'ledger', 'not-found'].includes(
            route.page,
          ),
        );
      }),
      { numRuns: 2000 },
    );
    assert.equal(parseRoute('#/services/%E0%A4%A').page, 'not-found');
    assert.equal(parseRoute('#/services/a/b').page, 'not-found');
  });
});

describe('dashboard formats', () => {
  test('times show in Europe/London with GMT or BST, and in UTC', () => {
    assert.equal(formatTime('2026-11-28T03:13:00Z'), '28 Nov 2026, 03:13 GMT');
    assert.equal(formatTime('2026-07-01T12:00:00Z'), '1 Jul 2026, 13:00 BST');
    assert.equal(formatTime('2026-07-01T12:00:05Z', 'Europe/London', true), '1 Jul 2026, 13:00:05 BST');
    assert.equal(formatUtc('2026-07-01T12:00:00Z'), '1 Jul 2026, 12:00 UTC');
    assert.equal(formatTime(undefined), '—');
    assert.equal(formatTime('not a time'), '—');
  });

  test('a duration is written down to its largest two units, never more than the time itself', () => {
    const UNIT: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, min: 60_000, s: 1000 };
    const unit = (name: string | undefined): number => UNIT[name ?? 's'] ?? Number.NaN;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (milliseconds) => {
        const text = formatDuration(milliseconds);
        const parts = [...text.matchAll(/(\d+) (d|h|min|s)/g)];
        assert.ok(parts.length >= 1 && parts.length <= 2, text);
        assert.equal(parts.map((part) => part[0]).join(' '), text);
        const written = parts.reduce((sum, part) => sum + Number(part[1]) * unit(part[2]), 0);
        const smallest = unit(parts.at(-1)?.[2]);
        assert.ok(written <= milliseconds && milliseconds - written < smallest, `${milliseconds} ms written ${text}`);
        assert.equal(formatDuration(-milliseconds), text);
      }),
    );
    assert.equal(formatDuration(2 * 3_600_000 + 5 * 60_000), '2 h 05 min');
    assert.equal(formatTimeLeft('2026-11-28T05:13:00Z', Date.parse('2026-11-28T03:29:30Z')), 'in 1 h 43 min');
    assert.equal(formatTimeLeft('2026-11-28T05:13:00Z', Date.parse('2026-11-28T05:16:10Z')), 'overdue by 3 min 10 s');
    assert.equal(formatPercent(0.93207), '93.2 %');
    assert.equal(formatPercent(null), 'no data');
  });
});

function slo(budgetRemaining: number | null, tiers: Array<{ severity: string; state: string }> = []): Slo {
  return {
    definition: {
      id: 'x',
      service: 'x',
      name: 'x',
      objectivePercent: 99.9,
      period: { text: '30d', duration: 2_592_000_000 },
      budgeting: 'Occurrences',
    },
    status: {
      evaluatedAt: '2026-11-28T03:00:00Z',
      sli: budgetRemaining === null ? null : 0.999,
      budgetRemaining,
      budgetRemainingMinutes: null,
      burnRates: {},
      tiers: tiers.map((tier, index) => ({
        name: `tier-${index}`,
        severity: tier.severity,
        state: tier.state,
        shortWindow: '5m',
        longWindow: '1h',
        factor: 14.4,
        shortBurnRate: 0,
        longBurnRate: 0,
      })),
    },
  };
}

describe('SLO health on the overview', () => {
  test('is said in words: exhausted, paging, ticket, low, within objective, no data', () => {
    assert.equal(sloHealth(slo(-0.1)).label, 'Budget exhausted');
    assert.equal(sloHealth(slo(0.5, [{ severity: 'page', state: 'firing' }])).label, 'Burning: paging');
    assert.equal(sloHealth(slo(0.5, [{ severity: 'ticket', state: 'firing' }])).label, 'Burning: ticket');
    assert.equal(sloHealth(slo(0.2)).label, 'Budget low');
    assert.equal(sloHealth(slo(0.9, [{ severity: 'page', state: 'resolved' }])).label, 'Within objective');
    assert.equal(sloHealth(slo(null)).label, 'No data');
  });

  test("a service takes its worst SLO's state and its lowest budget", () => {
    const health = serviceHealth([slo(0.9), slo(0.6, [{ severity: 'ticket', state: 'firing' }]), slo(null)]);
    assert.equal(health.label, 'Burning: ticket');
    assert.equal(health.budgetRemaining, 0.6);
    assert.equal(serviceHealth([]).label, 'No SLO');
  });
});

describe('links from alert annotations', () => {
  test('only http and https URLs become links', () => {
    assert.equal(safeHttpUrl('https://runbooks.example/payments'), 'https://runbooks.example/payments');
    assert.equal(safeHttpUrl('http://wiki.internal/runbook'), 'http://wiki.internal/runbook');
    for (const unsafe of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,<script>1</script>',
      'vbscript:x',
      'not a url',
      '',
    ]) {
      assert.equal(safeHttpUrl(unsafe), undefined, unsafe);
    }
    assert.equal(safeHttpUrl(undefined), undefined);
  });
});
