/**
 * `sre-agent slo rules` and `slo list` end to end: Sloth's golden files through the CLI, and the rules and promtool
 * tests it writes checked by Debian's promtool.
 * @module
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { VERSION } from '../../src/version.js';
import { type CliResult, runInProcess } from '../support/cli-runner.js';
import { requireTool } from '../support/prometheus-tools.js';
import { EXAMPLE_CATALOGUE, REPOSITORY_ROOT } from '../support/test-app.js';

const FIXTURES = join(REPOSITORY_ROOT, 'test', 'fixtures', 'slo');
const PROMTOOL_TIMEOUT = 300_000;
const execFileAsync = promisify(execFile);
const FORMATS = ['sloth', 'native'] as const;
type Format = (typeof FORMATS)[number];

const CATALOGUE = `apiVersion: sre-agent/v1
kind: Catalogue
organisation:
  name: Example Ltd
  countries: [GB]
  entity:
    paymentServiceProvider: true
teams:
  - name: myteam
services:
  - name: myservice
    team: myteam
    tier: 2
    description: The service of Sloth's getting-started example.
  - name: svc01
    team: myteam
    tier: 2
    description: The service of Sloth's integration tests.
`;

const CARD_AVAILABILITY = 'card-payments-gateway-authorisation-availability';
const CARD_LATENCY = 'card-payments-gateway-authorisation-latency';
const LEDGER = 'core-ledger-posting-availability';
const FASTER_PAYMENTS = 'faster-payments-hub-payment-acceptance';

interface ExampleSlo {
  readonly id: string;
  /** The period as Prometheus names it. */
  readonly period: string;
  readonly longestWindow: string;
}

const EXAMPLE_SLOS: ReadonlyArray<ExampleSlo> = [
  { id: CARD_AVAILABILITY, period: '30d', longestWindow: '3d' },
  { id: CARD_LATENCY, period: '30d', longestWindow: '3d' },
  { id: LEDGER, period: '4w', longestWindow: '3d' },
  { id: FASTER_PAYMENTS, period: '4w', longestWindow: '1d' },
];

const RuleFileShape = z.object({
  groups: z.array(z.object({ name: z.string(), rules: z.array(z.object({ expr: z.string() })) })),
});

const SloListShape = z.array(
  z.object({
    id: z.string(),
    objectivePercent: z.number(),
    tiers: z.array(
      z.object({
        name: z.string(),
        severity: z.string(),
        enabled: z.boolean(),
        shortWindow: z.string(),
        longWindow: z.string(),
        factor: z.number(),
      }),
    ),
  }),
);

const workspace = await mkdtemp(join(tmpdir(), 'sre-slo-rules-'));
after(() => rm(workspace, { recursive: true, force: true }));

let directories = 0;
async function freshDirectory(name: string): Promise<string> {
  directories += 1;
  const directory = join(workspace, `${directories}-${name}`);
  await mkdir(directory, { recursive: true });
  return directory;
}

/** A catalogue directory holding the minimal organisation, team and services plus `files`. */
async function catalogueWith(files: Readonly<Record<string, string>>): Promise<string> {
  const directory = await freshDirectory('catalogue');
  await writeFile(join(directory, 'catalogue.yaml'), CATALOGUE);
  for (const [name, text] of Object.entries(files)) await writeFile(join(directory, name), text);
  return directory;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

interface Generated {
  readonly result: CliResult;
  /** The rule file the CLI wrote. */
  readonly output: string;
}

interface GeneratedWithTests extends Generated {
  /** Where `--tests` wrote. */
  readonly tests: string;
}

/** Runs `slo rules` in sloth format over a catalogue holding one of Sloth's inputs; the output keeps Sloth's name. */
async function generateGolden(name: string, extraArguments: ReadonlyArray<string>): Promise<Generated> {
  const input = await readFile(join(FIXTURES, `${name}-input.yaml`), 'utf8');
  const catalogue = await catalogueWith({ [`${name}-input.yaml`]: input });
  const directory = await freshDirectory(name);
  const output = join(directory, `${name}-output.yaml`);
  const result = await runInProcess(['slo', 'rules', catalogue, '--format', 'sloth', ...extraArguments, '-o', output]);
  assert.equal(result.code, 0, result.stderr);
  return { result, output };
}

async function generateExample(format: Format): Promise<GeneratedWithTests> {
  const directory = await freshDirectory(`example-${format}`);
  const output = join(directory, 'rules.yaml');
  const tests = join(directory, 'tests');
  const result = await runInProcess([
    'slo',
    'rules',
    EXAMPLE_CATALOGUE,
    '--format',
    format,
    '-o',
    output,
    '--tests',
    tests,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return { result, output, tests };
}

const gettingStarted = once(() => generateGolden('sloth-getting-started', ['--extra-label', 'cmd=examplesgen.sh']));
const twoSlos = once(() => generateGolden('sloth-example', []));
const examples = {
  sloth: once(() => generateExample('sloth')),
  native: once(() => generateExample('native')),
} as const satisfies Record<Format, () => Promise<GeneratedWithTests>>;

interface Summary {
  readonly rules: number;
  readonly groupCount: number;
  readonly slos: number;
  readonly groups: ReadonlyArray<{ readonly name: string; readonly rules: number; readonly longestRange: string }>;
}

function summaryOf(stderr: string): Summary {
  const head = /^(\d+) rules in (\d+) groups for (\d+) SLOs? written to /m.exec(stderr);
  assert.ok(head, `no summary in:\n${stderr}`);
  const groups = [...stderr.matchAll(/^ {2}(\S+): (\d+) rules, longest range read (\S+)$/gm)].map((match) => ({
    name: match[1] ?? '',
    rules: Number(match[2]),
    longestRange: match[3] ?? '',
  }));
  return { rules: Number(head[1]), groupCount: Number(head[2]), slos: Number(head[3]), groups };
}

/** Sloth's golden templates render `{{ .version }}` and escape `{{$labels.x}}`, as Sloth's `generate_test.go` does. */
function renderGoldenTemplate(text: string, version: string): string {
  return text.replaceAll('{{ .version }}', version).replace(/\{\{"(\{\{\$labels\.\w+\}\})"\}\}/g, '$1');
}

/** Sets every `sloth_version` label to one value, collecting the values it replaced. */
function normaliseSlothVersion(value: unknown, found: Set<unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => normaliseSlothVersion(item, found));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (key !== 'sloth_version') return [key, normaliseSlothVersion(item, found)];
      found.add(item);
      return [key, 'normalised'];
    }),
  );
}

async function assertSameRules(actualFile: string, expectedText: string, expectedVersion: string): Promise<void> {
  const ours = new Set<unknown>();
  const sloths = new Set<unknown>();
  const actual = normaliseSlothVersion(parse(await readFile(actualFile, 'utf8')), ours);
  const expected = normaliseSlothVersion(parse(expectedText), sloths);
  assert.deepEqual(actual, expected);
  assert.deepEqual([...ours], [VERSION]);
  assert.deepEqual([...sloths], [expectedVersion]);
}

async function runTool(tool: string, args: ReadonlyArray<string>, cwd: string): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(tool, [...args], { cwd, timeout: PROMTOOL_TIMEOUT });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    if (
      error !== null &&
      typeof error === 'object' &&
      'code' in error &&
      typeof error.code === 'number' &&
      'stdout' in error &&
      'stderr' in error
    ) {
      return { code: error.code, stdout: String(error.stdout), stderr: String(error.stderr) };
    }
    throw error;
  }
}

async function assertPromtoolCheckPasses(t: TestContext, generated: Generated): Promise<void> {
  const promtool = requireTool(t, 'promtool');
  if (promtool === undefined) return;
  const { rules } = summaryOf(generated.result.stderr);
  const checked = await runTool(promtool, ['check', 'rules', generated.output], dirname(generated.output));
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout, new RegExp(`SUCCESS: ${rules} rules found`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function testFilesIn(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((name) => name.endsWith('.test.yaml')).sort();
}

describe('slo rules --format sloth: Sloth golden files', () => {
  test('reproduces the getting-started output with an extra label', async () => {
    const { output } = await gettingStarted();

    // sloth_version is normalised: the CLI writes sre-agent's VERSION where Sloth wrote its own ("dev").
    await assertSameRules(output, await readFile(join(FIXTURES, 'sloth-getting-started-output.yaml'), 'utf8'), 'dev');
  });

  test('reproduces the two-SLO integration output', async () => {
    const { output } = await twoSlos();
    const template = await readFile(join(FIXTURES, 'sloth-example-output.yaml'), 'utf8');

    // As above: sloth_version is sre-agent's VERSION, not the version the template was rendered with.
    await assertSameRules(output, renderGoldenTemplate(template, 'v0.16.0'), 'v0.16.0');
  });
});

describe('slo rules: promtool check rules', () => {
  test('accepts the getting-started rules', async (t) => {
    await assertPromtoolCheckPasses(t, await gettingStarted());
  });

  test('accepts the two-SLO rules', async (t) => {
    await assertPromtoolCheckPasses(t, await twoSlos());
  });

  for (const format of FORMATS) {
    test(`accepts the example catalogue's rules in ${format} format`, async (t) => {
      await assertPromtoolCheckPasses(t, await examples[format]());
    });
  }
});

describe('slo rules: promtool test rules', () => {
  test('passes the reference page and ticket tests on the getting-started rules', async (t) => {
    const promtool = requireTool(t, 'promtool');
    if (promtool === undefined) return;
    const { output } = await gettingStarted();
    const references = [
      'promtool-test-sloth-getting-started-page.yaml',
      'promtool-test-sloth-getting-started-ticket.yaml',
    ];
    for (const reference of references) {
      const text = await readFile(join(FIXTURES, reference), 'utf8');
      assert.deepEqual(z.object({ rule_files: z.array(z.string()) }).parse(parse(text)).rule_files, [
        'sloth-getting-started-output.yaml',
      ]);
      await writeFile(join(dirname(output), reference), text);
    }

    const result = await runTool(promtool, ['test', 'rules', ...references], dirname(output));

    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.match(/SUCCESS/g)?.length, references.length);
  });

  for (const format of FORMATS) {
    test(`passes every test --tests writes for the example catalogue in ${format} format`, async (t) => {
      const promtool = requireTool(t, 'promtool');
      if (promtool === undefined) return;
      const { result, tests } = await examples[format]();
      const files = await testFilesIn(tests);
      assert.deepEqual(
        files,
        EXAMPLE_SLOS.map((slo) => `${slo.id}.test.yaml`),
      );
      assert.doesNotMatch(result.stderr, /no promtool test/);

      const run = await runTool(promtool, ['test', 'rules', ...files], tests);

      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.stdout.match(/SUCCESS/g)?.length, files.length);
    });
  }

  const mutations: ReadonlyArray<{ readonly format: Format; readonly slo: string; readonly factor: string }> = [
    { format: 'native', slo: CARD_AVAILABILITY, factor: '14.4' },
    { format: 'sloth', slo: CARD_AVAILABILITY, factor: '14.4' },
    { format: 'native', slo: FASTER_PAYMENTS, factor: '13.44' },
    { format: 'sloth', slo: FASTER_PAYMENTS, factor: '13.44' },
  ];
  for (const { format, slo, factor } of mutations) {
    // The per-tier scenarios catch this even in Sloth's layout, whose page alert does not say which tier fired.
    test(`${format}: the test for ${slo} fails once its ${factor} factor becomes 40`, async (t) => {
      const promtool = requireTool(t, 'promtool');
      if (promtool === undefined) return;
      const { tests } = await examples[format]();
      const directory = await freshDirectory(`mutated-${format}-${slo}`);
      await cp(tests, directory, { recursive: true });
      const alertsFile = join(directory, `${slo}.alerts.yaml`);
      const original = await readFile(alertsFile, 'utf8');
      const mutated = original.replaceAll(`(${factor} *`, '(40 *');
      assert.notEqual(mutated, original, `no (${factor} * in ${alertsFile}`);
      await writeFile(alertsFile, mutated);

      const run = await runTool(promtool, ['test', 'rules', `${slo}.test.yaml`], directory);

      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /FAILED/);
    });
  }
});

describe('slo rules: summary and errors', () => {
  test('names every group of the getting-started rules with its longest range', async () => {
    const { result } = await gettingStarted();
    const summary = summaryOf(result.stderr);

    assert.deepEqual(
      summary.groups.map((group) => [group.name, group.rules, group.longestRange]),
      [
        ['sloth-slo-sli-recordings-myservice-requests-availability', 8, '30d'],
        ['sloth-slo-meta-recordings-myservice-requests-availability', 7, 'none'],
        ['sloth-slo-alerts-myservice-requests-availability', 2, 'none'],
      ],
    );
    assert.equal(summary.rules, 17);
    assert.equal(summary.slos, 1);
  });

  for (const format of FORMATS) {
    test(`summarises the example catalogue's ${format} rules group by group`, async () => {
      const { result, output } = await examples[format]();
      const summary = summaryOf(result.stderr);
      const file = RuleFileShape.parse(parse(await readFile(output, 'utf8')));
      const expected = EXAMPLE_SLOS.flatMap((slo) =>
        format === 'native'
          ? [
              [`sre-agent-slo-sli-${slo.id}`, slo.longestWindow],
              [`sre-agent-slo-period-${slo.id}`, slo.period],
              [`sre-agent-slo-alerts-${slo.id}`, 'none'],
            ]
          : [
              [`sloth-slo-sli-recordings-${slo.id}`, slo.period],
              [`sloth-slo-meta-recordings-${slo.id}`, 'none'],
              [`sloth-slo-alerts-${slo.id}`, 'none'],
            ],
      );

      assert.deepEqual(
        summary.groups.map((group) => [group.name, group.longestRange]),
        expected,
      );
      assert.deepEqual(
        summary.groups.map((group) => [group.name, group.rules]),
        file.groups.map((group) => [group.name, group.rules.length]),
      );
      assert.equal(summary.groupCount, summary.groups.length);
      assert.equal(
        summary.rules,
        summary.groups.reduce((sum, group) => sum + group.rules, 0),
      );
      assert.equal(summary.slos, EXAMPLE_SLOS.length);
    });
  }

  test('refuses an extra label that is not name=value with exit 2', async () => {
    const result = await runInProcess(['slo', 'rules', EXAMPLE_CATALOGUE, '--extra-label', 'bad']);

    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /--extra-label "bad" is not name=value with a Prometheus label name/);
  });

  test('prints the located problems of a broken catalogue and exits 1', async () => {
    const spec = (service: string, objective: number): string =>
      `version: prometheus/v1\nservice: ${service}\nslos:\n  - name: api\n    objective: ${objective}\n` +
      '    sli:\n      raw:\n        error_ratio_query: errors:ratio_rate{{.window}}\n    alerting:\n      name: ApiBurn\n';
    const catalogue = await catalogueWith({
      'slos.yaml': `${spec('nosuchservice', 99)}---\n${spec('myservice', 150)}`,
    });
    const file = join(catalogue, 'slos.yaml');

    for (const command of ['rules', 'list']) {
      const result = await runInProcess(['slo', command, catalogue]);

      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^${escapeRegExp(file)}:2:10: unknown service "nosuchservice"`, 'm'));
      assert.match(result.stderr, new RegExp(`^${escapeRegExp(file)}:16:16: must be at most 100`, 'm'));
      assert.match(result.stderr, /the catalogue has problems/);
    }
  });
});

describe('slo list', () => {
  test('lists the example SLOs with their objectives and alert tiers as JSON', async () => {
    const result = await runInProcess(['slo', 'list', EXAMPLE_CATALOGUE, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const tier = (name: string, severity: string, longWindow: string, shortWindow: string, factor: number) => ({
      name,
      severity,
      enabled: true,
      shortWindow,
      longWindow,
      factor,
    });
    const google = (factors: readonly [number, number, number, number]) => [
      tier('page-quick', 'page', '1h', '5m', factors[0]),
      tier('page-slow', 'page', '6h', '30m', factors[1]),
      tier('ticket-quick', 'ticket', '1d', '2h', factors[2]),
      tier('ticket-slow', 'ticket', '3d', '6h', factors[3]),
    ];

    assert.deepEqual(SloListShape.parse(JSON.parse(result.stdout)), [
      { id: CARD_AVAILABILITY, objectivePercent: 99.95, tiers: google([14.4, 6, 3, 1]) },
      { id: CARD_LATENCY, objectivePercent: 99, tiers: google([14.4, 6, 3, 1]) },
      { id: LEDGER, objectivePercent: 99.99, tiers: google([13.44, 5.6, 2.8, 0.9333333333333333]) },
      {
        id: FASTER_PAYMENTS,
        objectivePercent: 99.9,
        tiers: [
          tier('faster-payments-fast-burn', 'page', '1h', '5m', 13.44),
          tier('faster-payments-slow-burn', 'ticket', '1d', '2h', 2.8),
        ],
      },
    ]);
  });
});
