/**
 * Parsing and validating a large synthetic catalogue, against parsing its YAML alone.
 * @module
 */
import { LineCounter, parseAllDocuments, stringify } from 'yaml';
import { type CatalogueSourceFile, formatProblem, leiCheckDigits, parseCatalogue } from '../src/catalogue/index.js';
import {
  type BenchOptions,
  formatCount,
  formatMegabytes,
  formatMs,
  formatRate,
  formatRatio,
  garbageCollector,
  median,
  retainedHeap,
  timeAlternately,
} from './measure.js';

const SERVICE_COUNT = 1000;
const TEAM_COUNT = 40;
const IBS_COUNT = 50;
const THIRD_PARTY_COUNT = 20;
const SERVICE_FILES = 4;

export interface CatalogueBenchResult {
  readonly services: number;
  readonly files: number;
  readonly bytes: number;
  readonly runs: number;
  /** Median milliseconds per run. */
  readonly validateMs: number;
  readonly parseOnlyMs: number;
  readonly validateHeapBytes: number;
  readonly parseOnlyHeapBytes: number;
  readonly heapAfterGc: boolean;
}

export function catalogueBench(options: BenchOptions): CatalogueBenchResult {
  const files = syntheticCatalogue();
  const validate = () => parseCatalogue(files);
  const parseOnly = () => files.map((file) => parseYamlOnly(file.text));

  const checked = validate();
  if (!checked.ok) {
    const shown = checked.problems.slice(0, 5).map(formatProblem).join('\n  ');
    throw new Error(`the synthetic catalogue is invalid (${checked.problems.length} problems):\n  ${shown}`);
  }
  if (checked.catalogue.services.length !== SERVICE_COUNT) {
    throw new Error(`the synthetic catalogue has ${checked.catalogue.services.length} services, not ${SERVICE_COUNT}`);
  }

  // parseCatalogue runs the same YAML parse, so the check above warmed the anchor's code too.
  const timings = timeAlternately(validate, parseOnly, options.seconds);

  // Measured once warm: a first measurement straight after the check has read about 10x high.
  const gc = garbageCollector();
  const validateHeapBytes = retainedHeap(validate, gc);
  const parseOnlyHeapBytes = retainedHeap(parseOnly, gc);
  return {
    services: SERVICE_COUNT,
    files: files.length,
    bytes: files.reduce((total, file) => total + Buffer.byteLength(file.text), 0),
    runs: timings.subject.length,
    validateMs: median(timings.subject),
    parseOnlyMs: median(timings.anchor),
    validateHeapBytes,
    parseOnlyHeapBytes,
    heapAfterGc: gc !== undefined,
  };
}

export function formatCatalogueBench(result: CatalogueBenchResult): ReadonlyArray<string> {
  const size = `${result.files} files, ${formatMegabytes(result.bytes)} of YAML`;
  const subject = `catalogue validate (${formatCount(result.services)} services; ${size})`;
  const heapNote = result.heapAfterGc ? 'after GC' : 'no GC, rough';
  return [
    `${subject}: ${formatMs(result.validateMs)}/run (${formatRate(1000 / result.validateMs)} runs/s, median of ${result.runs})` +
      ` | anchor yaml parse only: ${formatMs(result.parseOnlyMs)}/run` +
      ` | ratio ${formatRatio(result.validateMs / result.parseOnlyMs)}`,
    `${subject}: heap held by one result ${formatMegabytes(result.validateHeapBytes)} (${heapNote})` +
      ` | anchor yaml parse only: ${formatMegabytes(result.parseOnlyHeapBytes)}` +
      ` | ratio ${formatRatio(result.validateHeapBytes / result.parseOnlyHeapBytes)}`,
  ];
}

/** The YAML step of parseCatalogue, with the same options, and nothing after it. */
function parseYamlOnly(text: string): unknown {
  return parseAllDocuments(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true });
}

/** A valid catalogue spread over several files, some holding more than one document. */
export function syntheticCatalogue(): ReadonlyArray<CatalogueSourceFile> {
  const header = { apiVersion: 'sre-agent/v1', kind: 'Catalogue' };
  const services = Array.from({ length: SERVICE_COUNT }, (_, index) => syntheticService(index + 1));
  const perFile = SERVICE_COUNT / SERVICE_FILES;
  const serviceFiles = Array.from({ length: SERVICE_FILES }, (_, fileIndex) => {
    const slice = services.slice(fileIndex * perFile, (fileIndex + 1) * perFile);
    const half = slice.length / 2;
    return yamlFile(`services/part-${fileIndex + 1}.yaml`, [
      { ...header, services: slice.slice(0, half) },
      { ...header, services: slice.slice(half) },
    ]);
  });
  return [
    yamlFile('organisation.yaml', [
      {
        ...header,
        organisation: {
          name: 'Benchmark Payments Ltd',
          lei: lei('213800BENCHPAY0001'),
          timeZone: 'Europe/London',
          countries: ['GB', 'IE'],
          entity: { creditInstitution: false, paymentServiceProvider: true, nis2: 'none', ukEnhancedReporting: true },
        },
        teams: Array.from({ length: TEAM_COUNT }, (_, index) => syntheticTeam(index + 1)),
      },
    ]),
    ...serviceFiles,
    yamlFile('important-business-services.yaml', [
      {
        ...header,
        importantBusinessServices: Array.from({ length: IBS_COUNT }, (_, index) => syntheticIbs(index + 1)),
      },
    ]),
    yamlFile('third-parties-and-freezes.yaml', [
      {
        ...header,
        thirdParties: Array.from({ length: THIRD_PARTY_COUNT }, (_, index) => syntheticThirdParty(index + 1)),
      },
      { ...header, freezeWindows: syntheticFreezeWindows() },
    ]),
  ];
}

function yamlFile(name: string, documents: ReadonlyArray<unknown>): CatalogueSourceFile {
  return {
    name,
    text: documents.map((document) => stringify(document, { aliasDuplicateObjects: false })).join('---\n'),
  };
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const serviceName = (number: number) => `service-${pad(number, 4)}`;
const teamName = (number: number) => `team-${pad(number, 2)}`;
const thirdPartyName = (number: number) => `third-party-${pad(number, 2)}`;
const lei = (prefix: string) => `${prefix}${leiCheckDigits(prefix)}`;

const TIERS = [1, 2, 3, 4] as const;
const SCOPES = [['dora-cif', 'pci'], ['personal-data'], ['dora-cif', 'personal-data'], [], ['sox']] as const;
const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;

function syntheticTeam(number: number) {
  const name = teamName(number);
  return {
    name,
    displayName: `Team ${number}`,
    members: [`engineer.${number}a`, `engineer.${number}b`, `engineer.${number}c`],
    channels: [
      { type: 'slack', target: `#${name}-oncall` },
      { type: 'email', target: `${name}@bench.example` },
    ],
    escalation: [
      { after: '0m', contacts: [`${name}-primary`] },
      { after: '15m', contacts: [`${name}-secondary`] },
    ],
  };
}

/** Depends only on lower-numbered services, so the graph has no cycle. */
function syntheticService(number: number) {
  const targets = [...new Set([number - 1, Math.floor(number / 2), Math.floor(number / 7)])].filter(
    (target) => target >= 1 && target < number,
  );
  const dependencies = targets.map((target, index) =>
    index === 0 ? serviceName(target) : { service: serviceName(target), kind: index === 1 ? 'hard' : 'soft' },
  );
  return {
    name: serviceName(number),
    displayName: `Service ${number}`,
    team: teamName((number % TEAM_COUNT) + 1),
    tier: TIERS[number % TIERS.length],
    description: `Synthetic service number ${number}, generated for the catalogue benchmark.`,
    runbook: `https://runbooks.bench.example/${serviceName(number)}`,
    dependencies,
    thirdParties: [thirdPartyName((number % THIRD_PARTY_COUNT) + 1)],
    regulatoryScope: SCOPES[number % SCOPES.length],
    rto: '1h',
    rpo: '15m',
  };
}

function syntheticIbs(number: number) {
  const first = (number - 1) * 20 + 1;
  return {
    name: `business-service-${pad(number, 2)}`,
    description: `Synthetic important business service number ${number}.`,
    services: [first, first + 1, first + 2, first + 3].map(serviceName),
    impactTolerance: {
      maxTolerableDisruption: '4h',
      customersAffected: 1000 * number,
      transactionValue: { amount: 250000 * number, currency: 'GBP' },
    },
    regulators: ['FCA', 'PRA'],
  };
}

function syntheticThirdParty(number: number) {
  return {
    name: thirdPartyName(number),
    ...(number % 2 === 0 ? { lei: lei(`984500BENCHTP${pad(number, 5)}`) } : {}),
    criticality: CRITICALITIES[number % CRITICALITIES.length],
    description: `Synthetic third party number ${number}.`,
  };
}

function syntheticFreezeWindows() {
  return [
    {
      name: 'year-end-freeze',
      reason: 'Peak volumes over the year-end.',
      scope: { tiers: [1, 2] },
      timeZone: 'Europe/London',
      recurring: { cron: '0 0 15 12 *', duration: '18d' },
    },
    {
      name: 'weekend-tier1-freeze',
      reason: 'Reduced cover at weekends.',
      scope: { tiers: [1] },
      recurring: { cron: '0 16 * * 5', duration: '64h' },
    },
    {
      name: 'black-friday',
      reason: 'Trading peak.',
      scope: { services: [1, 2, 3, 4, 5, 6].map(serviceName) },
      start: '2026-11-27T00:00',
      end: '2026-12-01T09:00',
    },
    {
      name: 'datacentre-move',
      reason: 'Hosting migration.',
      start: '2027-03-06T22:00Z',
      end: '2027-03-07T06:00Z',
    },
  ];
}
