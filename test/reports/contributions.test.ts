import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import {
  CatalogueIndex,
  type CatalogueIndex as CatalogueIndexType,
  type CatalogueSourceFile,
  loadCatalogueFiles,
  parseCatalogue,
} from '../../src/catalogue/index.js';
import type { ChangeView } from '../../src/changes/change-service.js';
import type { IncidentView } from '../../src/incidents/index.js';
import { clockInputFor, computeClocks } from '../../src/incidents/index.js';
import {
  type ChangeFacts,
  type Contribution,
  changeContribution,
  changeContributionInputOf,
  checkContribution,
  type IncidentFacts,
  ibsContribution,
  ibsContributionInputOf,
  incidentContribution,
  incidentContributionInputOf,
  REQUIRED_SECTIONS,
  renderJson,
  renderMarkdown,
  SIGN_OFF,
  serviceContribution,
  serviceContributionInputOf,
} from '../../src/reports/index.js';
import { REPOSITORY_ROOT } from '../support/fixtures.js';

const SCENARIOS = join(REPOSITORY_ROOT, 'test', 'fixtures', 'contributions');
const EXAMPLE_CATALOGUE = join(REPOSITORY_ROOT, 'examples', 'catalogue');

// The application views must pass into the generators unchanged.
const _changeViewFits: (view: ChangeView) => ChangeFacts = (view) => view;
const _incidentViewFits: (view: IncidentView) => IncidentFacts = (view) => view;
void _changeViewFits;
void _incidentViewFits;

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);
const SetTime = z.strictObject({ at: z.string(), by: z.string() });

const ChangeSchema = z.strictObject({
  id: z.string(),
  status: z.enum([
    'draft',
    'submitted',
    'approved',
    'rejected',
    'implementing',
    'implemented',
    'failed',
    'rolled-back',
    'reviewed',
  ]),
  content: z.strictObject({
    type: z.enum(['standard', 'normal', 'emergency']),
    title: z.string(),
    description: z.string(),
    reason: z.string(),
    services: z.array(z.string()),
    implementer: z.string(),
    plannedWindow: optional(z.strictObject({ start: z.string(), end: z.string() })),
    securityImpact: z.string(),
    testEvidence: z.string(),
    rollbackPlan: z.string(),
    links: z.array(z.strictObject({ kind: z.string(), url: z.string(), title: optional(z.string()) })),
    template: optional(z.string()),
  }),
  requester: z.string(),
  risk: optional(
    z.strictObject({
      level: z.enum(['low', 'medium', 'high', 'critical']),
      score: z.number(),
      factors: z.array(
        z.strictObject({
          factor: z.enum([
            'tier',
            'important-business-services',
            'regulatory-scope',
            'blast-radius',
            'change-failure-rate',
            'error-budget',
            'timing',
            'change-type',
          ]),
          points: z.number(),
          explanation: z.string(),
        }),
      ),
    }),
  ),
  requirement: optional(z.strictObject({ approvals: z.number(), fromOwningTeam: z.boolean(), board: z.boolean() })),
  approvals: z.array(z.strictObject({ approver: z.string(), asBoard: z.boolean(), at: z.string() })),
  missingApprovals: z.array(z.string()),
  approvalsSatisfied: z.boolean(),
  retrospectiveDueAt: optional(z.string()),
});

const IncidentSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'closed']),
  severity: z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']),
  summary: optional(z.string()),
  declaredAt: z.string(),
  timestamps: z.partialRecord(
    z.enum([
      'occurred',
      'firstEvidence',
      'aware',
      'acknowledged',
      'classified',
      'mitigated',
      'resolved',
      'closed',
      'rootCauseAddressed',
    ]),
    SetTime,
  ),
  roles: z.partialRecord(
    z.enum(['commander', 'communications', 'operations']),
    z.strictObject({ assignee: z.string() }),
  ),
  services: z.array(
    z.strictObject({ name: z.string(), degradedAt: optional(z.string()), restoredAt: optional(z.string()) }),
  ),
  importantBusinessServices: z.array(z.string()),
  alerts: z.strictObject({ firing: z.number(), resolved: z.number() }),
  classification: optional(
    z.strictObject({
      classifiedAt: z.string(),
      regimes: z.strictObject({
        doraMajor: z.boolean(),
        gdprPersonalDataBreach: z.boolean(),
        nis2Significant: z.boolean(),
        ukOperationalIncident: z.boolean(),
      }),
      rootCause: optional(z.string()),
    }),
  ),
  reports: z.array(
    z.strictObject({
      regime: z.string(),
      report: z.string(),
      submittedAt: z.string(),
      reference: optional(z.string()),
    }),
  ),
});

const ScenarioSchema = z.strictObject({
  description: z.string(),
  kind: z.enum(['service', 'ibs', 'change', 'incident']),
  subject: z.string(),
  now: z.iso.datetime(),
  /** A folder of extra catalogue YAML beside the scenario, loaded with the example catalogue. */
  catalogue: z.string().optional(),
  sloStatuses: z
    .array(
      z.strictObject({
        id: z.string(),
        evaluatedAt: z.string(),
        budgetRemaining: optional(z.number()),
        budgetRemainingMinutes: optional(z.number()),
        sli: optional(z.number()),
        timeToExhaustionMs: optional(z.number()),
      }),
    )
    .optional(),
  budgets: z.array(z.strictObject({ sloId: z.string(), remaining: z.number() })).optional(),
  change: ChangeSchema.optional(),
  incident: IncidentSchema.optional(),
  expect: z.strictObject({
    contains: z.array(z.string()),
    matches: z.array(z.string()),
    excludes: z.array(z.string()),
    /** Substrings that must appear in this order. */
    order: z.array(z.string()).optional(),
  }),
});
type Scenario = z.output<typeof ScenarioSchema>;

function yamlFiles(directory: string, shownFrom: string): CatalogueSourceFile[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((path) => ({ name: relative(shownFrom, path), text: readFileSync(path, 'utf8') }));
}

async function catalogueFor(folder: string, scenario: Scenario): Promise<CatalogueIndexType> {
  const result =
    scenario.catalogue === undefined
      ? await loadCatalogueFiles(EXAMPLE_CATALOGUE)
      : parseCatalogue([
          ...yamlFiles(EXAMPLE_CATALOGUE, REPOSITORY_ROOT),
          ...yamlFiles(join(folder, scenario.catalogue), REPOSITORY_ROOT),
        ]);
  if (!result.ok) assert.fail(`the catalogue does not load: ${JSON.stringify(result.problems)}`);
  return CatalogueIndex.of(result.catalogue);
}

function contributionFor(index: CatalogueIndexType, scenario: Scenario): Contribution {
  const now = new Date(scenario.now);
  switch (scenario.kind) {
    case 'service': {
      const input = serviceContributionInputOf(index, scenario.subject, { sloStatuses: scenario.sloStatuses });
      if (input === undefined) assert.fail(`no service ${scenario.subject}`);
      return serviceContribution(input, now);
    }
    case 'ibs': {
      const input = ibsContributionInputOf(index, scenario.subject);
      if (input === undefined) assert.fail(`no important business service ${scenario.subject}`);
      return ibsContribution(input, now);
    }
    case 'change': {
      if (scenario.change === undefined) assert.fail('a change scenario needs "change"');
      return changeContribution(changeContributionInputOf(index, scenario.change, { budgets: scenario.budgets }), now);
    }
    case 'incident': {
      const incident = scenario.incident;
      if (incident === undefined) assert.fail('an incident scenario needs "incident"');
      const clocks = computeClocks(clockInputFor(index, incident), now);
      return incidentContribution(incidentContributionInputOf(index, incident, clocks), now);
    }
  }
}

const folders = readdirSync(SCENARIOS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('contribution scenarios', () => {
  test('there is at least one scenario of every kind', () => {
    const kinds = new Set(
      folders.map(
        (folder) =>
          ScenarioSchema.parse(JSON.parse(readFileSync(join(SCENARIOS, folder, 'scenario.json'), 'utf8'))).kind,
      ),
    );
    assert.deepEqual([...kinds].sort(), ['change', 'ibs', 'incident', 'service']);
  });

  for (const folder of folders) {
    test(`${folder}: has the elements a good contribution needs and passes every check`, async () => {
      const path = join(SCENARIOS, folder);
      const scenario = ScenarioSchema.parse(JSON.parse(readFileSync(join(path, 'scenario.json'), 'utf8')));
      const index = await catalogueFor(path, scenario);
      const contribution = contributionFor(index, scenario);
      const markdown = renderMarkdown(contribution);

      assert.equal(contribution.kind, scenario.kind);
      assert.equal(contribution.subject, scenario.subject);
      assert.deepEqual(
        contribution.sections.map((part) => part.id),
        REQUIRED_SECTIONS[scenario.kind].map((spec) => spec.id),
      );
      for (const expected of scenario.expect.contains) {
        assert.ok(markdown.includes(expected), `expected to find:\n  ${expected}\nin:\n${markdown}`);
      }
      for (const pattern of scenario.expect.matches) {
        assert.match(markdown, new RegExp(pattern));
      }
      for (const unwanted of scenario.expect.excludes) {
        assert.ok(!markdown.includes(unwanted), `did not expect to find: ${unwanted}`);
      }
      const positions = (scenario.expect.order ?? []).map((text) => markdown.indexOf(text));
      assert.ok(
        positions.every((position) => position >= 0),
        `every ordered element is present: ${positions.join(', ')}`,
      );
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
        `${(scenario.expect.order ?? []).join(' < ')}`,
      );
      assert.deepEqual(checkContribution(markdown), []);
      assert.equal(markdown.trimEnd().split('\n').at(-1), SIGN_OFF);

      const json = JSON.parse(renderJson(contribution));
      assert.equal(json.signOff, SIGN_OFF);
      assert.equal(json.kind, scenario.kind);
      assert.ok(json.citations.length > 0);
    });
  }
});
