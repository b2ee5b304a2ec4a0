/**
 * The contribution scenarios under `test/fixtures/contributions/`: each folder holds a `scenario.json` (kind,
 * subject, time, optional extra catalogue, facts) and the elements a good contribution must contain. The test suite
 * grades the deterministic generators against them exactly; `scripts/evaluate-llm.ts` grades a model leniently.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import {
  CatalogueIndex,
  type CatalogueIndex as CatalogueIndexType,
  type CatalogueSourceFile,
  loadCatalogueFiles,
  parseCatalogue,
} from '../../src/catalogue/index.js';
import { CHANGE_STATUSES, CHANGE_TYPES } from '../../src/changes/types.js';
import { clockInputFor, computeClocks } from '../../src/incidents/index.js';
import { INCIDENT_ROLES, INCIDENT_STATUSES, INCIDENT_TIMESTAMPS, SEVERITIES } from '../../src/incidents/types.js';
import {
  type ChangeContributionInput,
  type Contribution,
  changeContribution,
  changeContributionInputOf,
  checkContribution,
  type IbsContributionInput,
  type IncidentContributionInput,
  ibsContribution,
  ibsContributionInputOf,
  incidentContribution,
  incidentContributionInputOf,
  type ServiceContributionInput,
  serviceContribution,
  serviceContributionInputOf,
} from '../../src/reports/index.js';
import { REPOSITORY_ROOT } from './fixtures.js';

export const SCENARIOS_DIRECTORY = join(REPOSITORY_ROOT, 'test', 'fixtures', 'contributions');
const EXAMPLE_CATALOGUE = join(REPOSITORY_ROOT, 'examples', 'catalogue');

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);
const SetTime = z.strictObject({ at: z.string(), by: z.string() });

const ChangeSchema = z.strictObject({
  id: z.string(),
  status: z.enum(CHANGE_STATUSES),
  content: z.strictObject({
    type: z.enum(CHANGE_TYPES),
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
  status: z.enum(INCIDENT_STATUSES),
  severity: z.enum(SEVERITIES),
  summary: optional(z.string()),
  declaredAt: z.string(),
  timestamps: z.partialRecord(z.enum(INCIDENT_TIMESTAMPS), SetTime),
  roles: z.partialRecord(z.enum(INCIDENT_ROLES), z.strictObject({ assignee: z.string() })),
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

export const ScenarioSchema = z.strictObject({
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
export type Scenario = z.output<typeof ScenarioSchema>;

export interface LoadedScenario {
  /** The scenario's folder name, such as `change-in-black-friday-freeze`. */
  readonly name: string;
  /** The scenario's folder path. */
  readonly folder: string;
  readonly scenario: Scenario;
}

/** Every scenario, sorted by folder name; a malformed `scenario.json` throws, naming its folder. */
export function loadScenarios(): LoadedScenario[] {
  return readdirSync(SCENARIOS_DIRECTORY, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const folder = join(SCENARIOS_DIRECTORY, name);
      const parsed = ScenarioSchema.safeParse(JSON.parse(readFileSync(join(folder, 'scenario.json'), 'utf8')));
      if (!parsed.success) throw new Error(`scenario ${name} is malformed:\n${z.prettifyError(parsed.error)}`);
      return { name, folder, scenario: parsed.data };
    });
}

function yamlFiles(directory: string, shownFrom: string): CatalogueSourceFile[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .map((path) => ({ name: relative(shownFrom, path), text: readFileSync(path, 'utf8') }));
}

/** The example catalogue, plus the scenario's own catalogue folder when it names one. */
export async function catalogueFor(folder: string, scenario: Scenario): Promise<CatalogueIndexType> {
  const result =
    scenario.catalogue === undefined
      ? await loadCatalogueFiles(EXAMPLE_CATALOGUE)
      : parseCatalogue([
          ...yamlFiles(EXAMPLE_CATALOGUE, REPOSITORY_ROOT),
          ...yamlFiles(join(folder, scenario.catalogue), REPOSITORY_ROOT),
        ]);
  if (!result.ok) throw new Error(`the catalogue does not load: ${JSON.stringify(result.problems)}`);
  return CatalogueIndex.of(result.catalogue);
}

/** The facts a generator receives for a scenario, tagged with the generator's kind. */
export type GeneratorInput =
  | { readonly kind: 'service'; readonly input: ServiceContributionInput }
  | { readonly kind: 'ibs'; readonly input: IbsContributionInput }
  | { readonly kind: 'change'; readonly input: ChangeContributionInput }
  | { readonly kind: 'incident'; readonly input: IncidentContributionInput };

export function generatorInputFor(index: CatalogueIndexType, scenario: Scenario): GeneratorInput {
  switch (scenario.kind) {
    case 'service': {
      const input = serviceContributionInputOf(index, scenario.subject, { sloStatuses: scenario.sloStatuses });
      if (input === undefined) throw new Error(`no service ${scenario.subject}`);
      return { kind: 'service', input };
    }
    case 'ibs': {
      const input = ibsContributionInputOf(index, scenario.subject);
      if (input === undefined) throw new Error(`no important business service ${scenario.subject}`);
      return { kind: 'ibs', input };
    }
    case 'change': {
      if (scenario.change === undefined) throw new Error('a change scenario needs "change"');
      return {
        kind: 'change',
        input: changeContributionInputOf(index, scenario.change, { budgets: scenario.budgets }),
      };
    }
    case 'incident': {
      const incident = scenario.incident;
      if (incident === undefined) throw new Error('an incident scenario needs "incident"');
      const clocks = computeClocks(clockInputFor(index, incident), new Date(scenario.now));
      return { kind: 'incident', input: incidentContributionInputOf(index, incident, clocks) };
    }
  }
}

/** What the deterministic generator writes for a scenario. */
export function contributionFor(index: CatalogueIndexType, scenario: Scenario): Contribution {
  const now = new Date(scenario.now);
  const generator = generatorInputFor(index, scenario);
  switch (generator.kind) {
    case 'service':
      return serviceContribution(generator.input, now);
    case 'ibs':
      return ibsContribution(generator.input, now);
    case 'change':
      return changeContribution(generator.input, now);
    case 'incident':
      return incidentContribution(generator.input, now);
  }
}

export interface GradeOptions {
  /**
   * `true` for the deterministic generators: every `contains`, `matches`, `excludes` and `order` element must hold.
   * `false` for a model, whose wording differs: `contains` is only counted as coverage and `order` is not checked.
   */
  readonly exact: boolean;
}

export interface Grade {
  readonly passed: boolean;
  readonly failures: ReadonlyArray<string>;
  /** How many `contains` elements were found, of how many. */
  readonly coverage: { readonly found: number; readonly of: number };
}

/** Grades a contribution's Markdown against a scenario's expected elements and the persona checks. */
export function gradeMarkdown(markdown: string, scenario: Scenario, options: GradeOptions): Grade {
  const failures: string[] = [];
  const missing = scenario.expect.contains.filter((expected) => !markdown.includes(expected));
  if (options.exact) failures.push(...missing.map((expected) => `missing: ${expected}`));
  for (const pattern of scenario.expect.matches) {
    if (!new RegExp(pattern).test(markdown)) failures.push(`does not match: /${pattern}/`);
  }
  for (const unwanted of scenario.expect.excludes) {
    if (markdown.includes(unwanted)) failures.push(`contains what it must not: ${unwanted}`);
  }
  if (options.exact) failures.push(...orderFailures(markdown, scenario.expect.order ?? []));
  // The exact grade takes the kind from the rendered `- Kind:` line, so that line is checked too.
  const problems = options.exact ? checkContribution(markdown) : checkContribution(markdown, scenario.kind);
  failures.push(...problems.map((problem) => `${problem.code} at line ${problem.line}: ${problem.message}`));
  return {
    passed: failures.length === 0,
    failures,
    coverage: { found: scenario.expect.contains.length - missing.length, of: scenario.expect.contains.length },
  };
}

function orderFailures(markdown: string, order: ReadonlyArray<string>): string[] {
  const positions = order.map((text) => markdown.indexOf(text));
  const absent = order.filter((_, at) => (positions[at] ?? -1) < 0);
  if (absent.length > 0) return absent.map((text) => `missing ordered element: ${text}`);
  const sorted = [...positions].sort((a, b) => a - b);
  return positions.every((position, at) => position === sorted[at]) ? [] : [`out of order: ${order.join(' < ')}`];
}
