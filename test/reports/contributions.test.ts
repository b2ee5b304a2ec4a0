import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChangeView } from '../../src/changes/change-service.js';
import type { IncidentView } from '../../src/incidents/index.js';
import {
  type ChangeFacts,
  type IncidentFacts,
  REQUIRED_SECTIONS,
  renderJson,
  renderMarkdown,
  SIGN_OFF,
} from '../../src/reports/index.js';
import { catalogueFor, contributionFor, gradeMarkdown, loadScenarios } from '../support/contribution-scenarios.js';

// The application views must pass into the generators unchanged.
const _changeViewFits: (view: ChangeView) => ChangeFacts = (view) => view;
const _incidentViewFits: (view: IncidentView) => IncidentFacts = (view) => view;
void _changeViewFits;
void _incidentViewFits;

const scenarios = loadScenarios();

describe('contribution scenarios', () => {
  test('there is at least one scenario of every kind', () => {
    const kinds = new Set(scenarios.map(({ scenario }) => scenario.kind));
    assert.deepEqual([...kinds].sort(), ['change', 'ibs', 'incident', 'service']);
  });

  for (const { name, folder, scenario } of scenarios) {
    test(`${name}: has the elements a good contribution needs and passes every check`, async () => {
      const index = await catalogueFor(folder, scenario);
      const contribution = contributionFor(index, scenario);
      const markdown = renderMarkdown(contribution);

      assert.equal(contribution.kind, scenario.kind);
      assert.equal(contribution.subject, scenario.subject);
      assert.deepEqual(
        contribution.sections.map((part) => part.id),
        REQUIRED_SECTIONS[scenario.kind].map((spec) => spec.id),
      );
      const grade = gradeMarkdown(markdown, scenario, { exact: true });
      assert.deepEqual(grade.failures, [], `in:\n${markdown}`);
      assert.ok(grade.passed);
      assert.deepEqual(grade.coverage, { found: scenario.expect.contains.length, of: scenario.expect.contains.length });
      assert.equal(markdown.trimEnd().split('\n').at(-1), SIGN_OFF);

      const json = JSON.parse(renderJson(contribution));
      assert.equal(json.signOff, SIGN_OFF);
      assert.equal(json.kind, scenario.kind);
      assert.ok(json.citations.length > 0);
    });
  }
});

describe('contribution grading', () => {
  const ordered = scenarios.find(({ scenario }) => (scenario.expect.order ?? []).length > 1);

  async function markdownOf(loaded: NonNullable<typeof ordered>): Promise<string> {
    return renderMarkdown(contributionFor(await catalogueFor(loaded.folder, loaded.scenario), loaded.scenario));
  }

  test('the exact grade fails on a missing or misordered element; the lenient one only counts what is missing', async () => {
    if (ordered === undefined) assert.fail('no scenario has an order to check');
    const { scenario } = ordered;
    const markdown = await markdownOf(ordered);
    const order = scenario.expect.order ?? [];
    const changed = {
      ...scenario,
      expect: { ...scenario.expect, contains: [...scenario.expect.contains, 'not in it'], order: [...order].reverse() },
    };
    const coverage = { found: scenario.expect.contains.length, of: scenario.expect.contains.length + 1 };

    const exact = gradeMarkdown(markdown, changed, { exact: true });
    assert.equal(exact.passed, false);
    assert.deepEqual(exact.failures, ['missing: not in it', `out of order: ${[...order].reverse().join(' < ')}`]);
    assert.deepEqual(exact.coverage, coverage);

    const lenient = gradeMarkdown(markdown, changed, { exact: false });
    assert.equal(lenient.passed, true);
    assert.deepEqual(lenient.coverage, coverage);
  });

  test('both grades fail on an unwanted element, an unmatched pattern and a persona check', async () => {
    if (ordered === undefined) assert.fail('no scenario has an order to check');
    const { scenario } = ordered;
    const markdown = (await markdownOf(ordered)).replace(`\n${SIGN_OFF}\n`, '\nThe organization will analyze it.\n');
    const changed = {
      ...scenario,
      expect: { ...scenario.expect, matches: ['^never$'], excludes: ['organization'] },
    };
    for (const exact of [true, false]) {
      const grade = gradeMarkdown(markdown, changed, { exact });
      assert.equal(grade.passed, false);
      assert.ok(grade.failures.includes('does not match: /^never$/'), grade.failures.join('\n'));
      assert.ok(grade.failures.includes('contains what it must not: organization'));
      assert.ok(grade.failures.some((failure) => failure.startsWith('us-spelling')));
      assert.ok(grade.failures.some((failure) => failure.startsWith('sign-off')));
    }
  });
});
