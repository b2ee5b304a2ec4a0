import { createHash } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { type Document, isMap, LineCounter, parseAllDocuments } from 'yaml';
import { parseSloSpecs } from '../slo/parse-slo-specs.js';
import type { LocatedSpec } from '../slo/spec-support.js';
import {
  CATALOGUE_API_VERSION,
  type CatalogueDocument,
  CatalogueDocumentSchema,
  FreezeWindowSchema,
  ImportantBusinessServiceSchema,
  OrganisationSchema,
  ServiceSchema,
  TeamSchema,
  ThirdPartySchema,
} from './catalogue-schema.js';
import { findDependencyCycles } from './dependency-cycles.js';
import { didYouMean } from './suggest.js';
import type {
  Catalogue,
  CatalogueProblem,
  CatalogueResult,
  CatalogueSourceFile,
  FreezeSchedule,
  FreezeScope,
  FreezeWindow,
  ImportantBusinessService,
  Organisation,
  Service,
  Team,
  ThirdParty,
} from './types.js';
import { type FieldPath, YamlLocator } from './yaml-locator.js';
import { issueProblems } from './zod-problems.js';

interface Located<T> {
  readonly value: T;
  readonly locator: YamlLocator;
  readonly path: FieldPath;
}

interface SloDocuments {
  readonly sloth: LocatedSpec[];
  readonly openSlo: LocatedSpec[];
}

type SectionName = 'teams' | 'services' | 'importantBusinessServices' | 'thirdParties' | 'freezeWindows';
type Item<K extends SectionName> = CatalogueDocument[K][number];

/** Every entry that passed its schema, plus the names of those that did not (so references to them are not misreported). */
interface Collected {
  organisations: Located<CatalogueDocument['organisation'] & object>[];
  organisationDeclared: boolean;
  teams: Located<Item<'teams'>>[];
  services: Located<Item<'services'>>[];
  importantBusinessServices: Located<Item<'importantBusinessServices'>>[];
  thirdParties: Located<Item<'thirdParties'>>[];
  freezeWindows: Located<Item<'freezeWindows'>>[];
  brokenNames: Record<SectionName, Set<string>>;
  firstFile: string | undefined;
}

const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  ...Object.keys(CatalogueDocumentSchema.shape),
  ...Object.keys(OrganisationSchema.shape),
  'creditInstitution',
  'paymentServiceProvider',
  'nis2',
  'ukEnhancedReporting',
  ...Object.keys(TeamSchema.shape),
  'type',
  'target',
  'after',
  'contacts',
  ...Object.keys(ServiceSchema.shape),
  'service',
  'kind',
  ...Object.keys(ImportantBusinessServiceSchema.shape),
  'maxTolerableDisruption',
  'customersAffected',
  'transactionCount',
  'transactionValue',
  'amount',
  'currency',
  ...Object.keys(ThirdPartySchema.shape),
  ...Object.keys(FreezeWindowSchema.shape),
  'tiers',
  'cron',
  'duration',
]);

/**
 * Parses and validates every YAML document of a catalogue. Reports every problem it finds, each located at
 * `file:line:column` with the path to the field, and returns a catalogue only when there are none.
 */
export function parseCatalogue(files: ReadonlyArray<CatalogueSourceFile>): CatalogueResult {
  const problems: CatalogueProblem[] = [];
  const collected: Collected = {
    organisations: [],
    organisationDeclared: false,
    teams: [],
    services: [],
    importantBusinessServices: [],
    thirdParties: [],
    freezeWindows: [],
    brokenNames: {
      teams: new Set(),
      services: new Set(),
      importantBusinessServices: new Set(),
      thirdParties: new Set(),
      freezeWindows: new Set(),
    },
    firstFile: undefined,
  };
  const sloDocuments: SloDocuments = { sloth: [], openSlo: [] };

  if (files.length === 0) {
    return {
      ok: false,
      problems: [
        {
          code: 'no-files',
          file: '.',
          line: 1,
          column: 1,
          path: '(catalogue)',
          message: 'no .yaml or .yml files found',
        },
      ],
    };
  }

  for (const file of files) {
    const lineCounter = new LineCounter();
    const parsed = parseAllDocuments(file.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const yamlDocuments = Array.isArray(parsed) ? parsed : [];
    for (const yamlDocument of yamlDocuments) {
      const locator = YamlLocator.create(file.name, yamlDocument, lineCounter);
      if (yamlDocument.errors.length > 0) {
        // It may have declared the organisation; do not also report it missing.
        collected.organisationDeclared = true;
        for (const error of yamlDocument.errors) {
          const { line, col } = lineCounter.linePos(error.pos[0]);
          problems.push({
            code: 'yaml-syntax',
            file: file.name,
            line,
            column: col,
            path: '(document)',
            message: `YAML syntax: ${firstSentence(error.message)}`,
          });
        }
        continue;
      }
      classifyDocument(yamlDocument, locator, collected, sloDocuments, problems);
    }
  }

  const catalogue = assemble(collected, sloDocuments, problems, files);
  if (problems.length > 0 || catalogue === undefined) {
    return { ok: false, problems: sortProblems(problems) };
  }
  return { ok: true, catalogue, digest: digestOf(files) };
}

export function formatProblem(problem: CatalogueProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path.startsWith('(')
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.message} (${problem.path})`;
}

function classifyDocument(
  yamlDocument: Document,
  locator: YamlLocator,
  collected: Collected,
  sloDocuments: SloDocuments,
  problems: CatalogueProblem[],
): void {
  const contents = yamlDocument.contents;
  if (contents === null) return;
  const value: unknown = yamlDocument.toJS({ maxAliasCount: 100 });
  if (!isMap(contents) || !isRecord(value)) {
    problems.push(locator.problem('unknown-document', [], 'a catalogue document must be a mapping'));
    return;
  }
  if (value.apiVersion === CATALOGUE_API_VERSION) {
    collected.firstFile ??= locator.file;
    const result = CatalogueDocumentSchema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(...issueProblems(locator, issue, value, KNOWN_FIELDS));
    }
    collectEntries(value, locator, collected);
  } else if (value.apiVersion === 'openslo/v1') {
    sloDocuments.openSlo.push({ locator, value });
  } else if (value.version === 'prometheus/v1') {
    sloDocuments.sloth.push({ locator, value });
  } else {
    problems.push(
      locator.problem(
        'unknown-document',
        'apiVersion' in value ? ['apiVersion'] : [],
        `unrecognised document: expected apiVersion ${CATALOGUE_API_VERSION} (catalogue), apiVersion openslo/v1 (OpenSLO) or version prometheus/v1 (Sloth)`,
      ),
    );
  }
}

/** Takes every entry that passes its own schema, so one bad entry does not hide the problems of the others. */
function collectEntries(value: Record<string, unknown>, locator: YamlLocator, collected: Collected): void {
  if (value.organisation !== undefined) {
    collected.organisationDeclared = true;
    const organisation = OrganisationSchema.safeParse(value.organisation);
    if (organisation.success)
      collected.organisations.push({ value: organisation.data, locator, path: ['organisation'] });
  }
  const broken = collected.brokenNames;
  collectSection(value, locator, 'teams', TeamSchema, collected.teams, broken.teams);
  collectSection(value, locator, 'services', ServiceSchema, collected.services, broken.services);
  collectSection(
    value,
    locator,
    'importantBusinessServices',
    ImportantBusinessServiceSchema,
    collected.importantBusinessServices,
    broken.importantBusinessServices,
  );
  collectSection(value, locator, 'thirdParties', ThirdPartySchema, collected.thirdParties, broken.thirdParties);
  collectSection(value, locator, 'freezeWindows', FreezeWindowSchema, collected.freezeWindows, broken.freezeWindows);
}

interface ItemSchema<T> {
  safeParse(value: unknown): { readonly success: true; readonly data: T } | { readonly success: false };
}

function collectSection<T>(
  value: Record<string, unknown>,
  locator: YamlLocator,
  name: SectionName,
  schema: ItemSchema<T>,
  target: Located<T>[],
  brokenNames: Set<string>,
): void {
  const items = value[name];
  if (!Array.isArray(items)) return;
  items.forEach((item: unknown, index: number) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) target.push({ value: parsed.data, locator, path: [name, index] });
    else if (isRecord(item) && typeof item.name === 'string') brokenNames.add(item.name);
  });
}

function assemble(
  collected: Collected,
  sloDocuments: SloDocuments,
  problems: CatalogueProblem[],
  files: ReadonlyArray<CatalogueSourceFile>,
): Catalogue | undefined {
  const { organisations, teams, services, thirdParties, freezeWindows } = collected;
  const ibses = collected.importantBusinessServices;

  if (!collected.organisationDeclared) {
    const file = collected.firstFile ?? files[0]?.name ?? '.';
    problems.push({
      code: 'organisation-count',
      file,
      line: 1,
      column: 1,
      path: 'organisation',
      message: 'the catalogue has no organisation: exactly one document must declare it',
    });
  }
  for (const extra of organisations.slice(1)) {
    problems.push(
      extra.locator.problem(
        'organisation-count',
        extra.path,
        `a second organisation: it is already declared at ${where(organisations[0])}`,
        true,
      ),
    );
  }

  const teamNames = uniqueNames('team', teams, problems);
  const serviceNames = uniqueNames('service', services, problems);
  uniqueNames('important business service', ibses, problems);
  const thirdPartyNames = uniqueNames('third party', thirdParties, problems);
  uniqueNames('freeze window', freezeWindows, problems);

  const reference = (
    kind: string,
    names: ReadonlyMap<string, unknown>,
    name: string,
    locator: YamlLocator,
    path: FieldPath,
  ): void => {
    const broken =
      kind === 'team'
        ? collected.brokenNames.teams
        : kind === 'service'
          ? collected.brokenNames.services
          : collected.brokenNames.thirdParties;
    if (!names.has(name) && !broken.has(name)) {
      problems.push(
        locator.problem('unknown-reference', path, `unknown ${kind} "${name}"${didYouMean(name, names.keys())}`),
      );
    }
  };

  const thirdPartyUsers = new Map<string, Set<string>>();
  const addUser = (thirdParty: string, service: string): void => {
    const users = thirdPartyUsers.get(thirdParty) ?? new Set<string>();
    users.add(service);
    thirdPartyUsers.set(thirdParty, users);
  };

  const builtServices: Service[] = services.map(({ value, locator, path }) => {
    reference('team', teamNames, value.team, locator, [...path, 'team']);
    const dependencies = value.dependencies.map((dependency, index) => {
      const resolved = typeof dependency === 'string' ? { service: dependency, kind: 'hard' as const } : dependency;
      const dependencyPath = [...path, 'dependencies', index];
      reference('service', serviceNames, resolved.service, locator, dependencyPath);
      return resolved;
    });
    value.thirdParties.forEach((name, index) => {
      reference('third party', thirdPartyNames, name, locator, [...path, 'thirdParties', index]);
      addUser(name, value.name);
    });
    return {
      name: value.name,
      displayName: value.displayName,
      team: value.team,
      tier: value.tier,
      description: value.description,
      runbook: value.runbook,
      dependencies,
      thirdParties: value.thirdParties,
      regulatoryScope: value.regulatoryScope,
      rto: value.rto,
      rpo: value.rpo,
    };
  });

  for (const cycle of findDependencyCycles(builtServices)) {
    const origin = services[cycle.serviceIndex];
    if (origin === undefined) continue;
    problems.push(
      origin.locator.problem(
        'dependency-cycle',
        [...origin.path, 'dependencies', cycle.dependencyIndex],
        `dependency cycle: ${cycle.names.join(' → ')}`,
      ),
    );
  }

  const builtIbses: ImportantBusinessService[] = ibses.map(({ value, locator, path }) => {
    if (value.services.length === 0) {
      problems.push(
        locator.problem(
          'ibs-without-service',
          [...path, 'services'],
          `important business service "${value.name}" lists no supporting service`,
          value.services.length === 0 && !hasKey(locator, [...path, 'services']),
        ),
      );
    }
    value.services.forEach((name, index) => {
      reference('service', serviceNames, name, locator, [...path, 'services', index]);
    });
    return {
      name: value.name,
      description: value.description,
      services: value.services,
      impactTolerance: {
        maxTolerableDisruption: value.impactTolerance.maxTolerableDisruption,
        customersAffected: value.impactTolerance.customersAffected,
        transactionCount: value.impactTolerance.transactionCount,
        transactionValue: value.impactTolerance.transactionValue,
      },
      regulators: value.regulators,
    };
  });

  for (const { value, locator, path } of thirdParties) {
    value.services.forEach((name, index) => {
      reference('service', serviceNames, name, locator, [...path, 'services', index]);
      addUser(value.name, name);
    });
  }
  const builtThirdParties: ThirdParty[] = thirdParties.map(({ value }) => ({
    name: value.name,
    lei: value.lei,
    criticality: value.criticality,
    description: value.description,
    services: [...(thirdPartyUsers.get(value.name) ?? [])].sort(),
  }));

  const organisationSource = organisations[0];
  const organisation: Organisation | undefined =
    organisationSource === undefined
      ? undefined
      : {
          name: organisationSource.value.name,
          lei: organisationSource.value.lei,
          timeZone: organisationSource.value.timeZone,
          countries: organisationSource.value.countries,
          entity: organisationSource.value.entity,
        };
  const homeZone = organisation?.timeZone ?? 'Europe/London';

  const builtFreezeWindows: FreezeWindow[] = [];
  for (const { value, locator, path } of freezeWindows) {
    let scope: FreezeScope;
    if (value.scope === 'all') scope = { kind: 'all' };
    else if ('tiers' in value.scope) scope = { kind: 'tiers', tiers: value.scope.tiers };
    else {
      const scopeServices = value.scope.services;
      scopeServices.forEach((name, index) => {
        reference('service', serviceNames, name, locator, [...path, 'scope', 'services', index]);
      });
      scope = { kind: 'services', services: scopeServices };
    }
    const timeZone = value.timeZone ?? homeZone;
    const schedule = freezeSchedule(value, timeZone, locator, path, problems);
    if (schedule !== undefined) builtFreezeWindows.push({ name: value.name, reason: value.reason, scope, schedule });
  }

  // SLOs of services that failed their own schema are not misreported as belonging to unknown services.
  const sloServices = new Set([...services.map(({ value }) => value.name), ...collected.brokenNames.services]);
  const specs = parseSloSpecs(sloDocuments.sloth, sloDocuments.openSlo, sloServices);
  problems.push(...specs.problems);
  const slos = specs.slos;

  if (organisation === undefined) return undefined;
  const builtTeams: Team[] = teams.map(({ value }) => ({
    name: value.name,
    displayName: value.displayName,
    members: value.members,
    channels: value.channels,
    escalation: value.escalation,
  }));
  return {
    organisation,
    teams: builtTeams,
    services: builtServices,
    importantBusinessServices: builtIbses,
    thirdParties: builtThirdParties,
    freezeWindows: builtFreezeWindows,
    slos,
  };
}

function freezeSchedule(
  value: Item<'freezeWindows'>,
  timeZone: string,
  locator: YamlLocator,
  path: FieldPath,
  problems: CatalogueProblem[],
): FreezeSchedule | undefined {
  if (value.recurring !== undefined) {
    try {
      CronExpressionParser.parse(value.recurring.cron, { tz: timeZone });
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : 'not a cron expression';
      problems.push(
        locator.problem(
          'invalid-value',
          [...path, 'recurring', 'cron'],
          `"${value.recurring.cron}" is not a valid cron expression (minute hour day-of-month month day-of-week): ${reason}`,
        ),
      );
      return undefined;
    }
    return { kind: 'recurring', cron: value.recurring.cron, duration: value.recurring.duration, timeZone };
  }
  if (value.start === undefined || value.end === undefined) return undefined;
  const start = DateTime.fromISO(value.start, { zone: timeZone });
  const end = DateTime.fromISO(value.end, { zone: timeZone });
  if (!start.isValid || !end.isValid) {
    const field = start.isValid ? 'end' : 'start';
    problems.push(locator.problem('invalid-value', [...path, field], `"${value[field]}" is not a real date and time`));
    return undefined;
  }
  if (end <= start) {
    problems.push(locator.problem('invalid-value', [...path, 'end'], 'end must be after start'));
    return undefined;
  }
  return { kind: 'once', start: toUtcIso(start), end: toUtcIso(end) };
}

function toUtcIso(time: DateTime): string {
  return time.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
}

function uniqueNames<T extends { readonly name: string }>(
  kind: string,
  entries: ReadonlyArray<Located<T>>,
  problems: CatalogueProblem[],
): ReadonlyMap<string, Located<T>> {
  const seen = new Map<string, Located<T>>();
  for (const entry of entries) {
    const first = seen.get(entry.value.name);
    if (first === undefined) {
      seen.set(entry.value.name, entry);
    } else {
      problems.push(
        entry.locator.problem(
          'duplicate-name',
          [...entry.path, 'name'],
          `duplicate ${kind} name "${entry.value.name}": already defined at ${where(first, ['name'])}`,
        ),
      );
    }
  }
  return seen;
}

function where(entry: Located<unknown> | undefined, suffix: FieldPath = []): string {
  if (entry === undefined) return 'an earlier document';
  const { line, column } = entry.locator.position([...entry.path, ...suffix]);
  return `${entry.locator.file}:${line}:${column}`;
}

function hasKey(locator: YamlLocator, path: FieldPath): boolean {
  const parent = locator.position(path.slice(0, -1));
  const self = locator.position(path);
  return parent.line !== self.line || parent.column !== self.column;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function firstSentence(message: string): string {
  const cut = message.search(/ at line \d+, column \d+|\n/);
  return cut === -1 ? message : message.slice(0, cut);
}

function sortProblems(problems: ReadonlyArray<CatalogueProblem>): CatalogueProblem[] {
  return [...problems].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}

function digestOf(files: ReadonlyArray<CatalogueSourceFile>): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    hash.update(file.name).update('\0').update(file.text).update('\0');
  }
  return hash.digest('hex');
}
