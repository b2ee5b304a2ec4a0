/**
 * Runs each benchmark in turn, or only those named as arguments (`npm run bench -- ledger`), and prints its figures
 * beside an anchor measured in the same run on the same machine. `BENCH_SECONDS` (default 3) sets how long each
 * measurement lasts; `BENCH_LEDGER_ENTRIES` (default 1,000,000) sizes the ledger that is verified end to end, and
 * `BENCH_POSTGRES=0` skips the PostgreSQL figures of the ledger and the SLI store; `BENCH_INTAKE_ALERTS` (default 10,000)
 * sets the alerts per intake run; `BENCH_RUNS` (default 5) sets the dashboard's timed page loads.
 * @module
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { catalogueBench, formatCatalogueBench } from './catalogue-bench.js';
import { dashboardBench, formatDashboardBench } from './dashboard-bench.js';
import { formatGateBench, gateBench } from './gate-bench.js';
import { formatHttpBench, httpBench } from './http-bench.js';
import { formatIntakeBench, intakeBench } from './intake-bench.js';
import { formatLedgerBench, type LedgerBenchSettings, ledgerBench } from './ledger-bench.js';
import type { BenchOptions } from './measure.js';
import { formatSloBench, sloBench } from './slo-bench.js';
import { formatSloStoreBench, sloStoreBench } from './slo-store-bench.js';

interface Benchmark {
  readonly name: string;
  run(options: BenchOptions): Promise<ReadonlyArray<string>>;
}

const DEFAULT_SECONDS = 3;
const DEFAULT_LEDGER_ENTRIES = 1_000_000;
const MAX_LEDGER_ENTRIES = 100_000_000;

function readSeconds(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new Error(`BENCH_SECONDS must be a number of seconds above 0 and at most 600, not "${text}"`);
  }
  return seconds;
}

function readLedgerEntries(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_LEDGER_ENTRIES;
  const entries = Number(text);
  if (!Number.isSafeInteger(entries) || entries < 1 || entries > MAX_LEDGER_ENTRIES) {
    throw new Error(`BENCH_LEDGER_ENTRIES must be a whole number from 1 to ${MAX_LEDGER_ENTRIES}, not "${text}"`);
  }
  return entries;
}

function readPostgres(text: string | undefined): boolean {
  const value = text?.trim() ?? '';
  if (value === '' || value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new Error(`BENCH_POSTGRES must be 0 or 1, not "${text}"`);
}

function readIntakeAlerts(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 10_000;
  const alerts = Number(text);
  if (!Number.isSafeInteger(alerts) || alerts < 100 || alerts > 1_000_000) {
    throw new Error(`BENCH_INTAKE_ALERTS must be a whole number from 100 to 1,000,000, not "${text}"`);
  }
  return alerts;
}

const intakeAlerts = readIntakeAlerts(process.env.BENCH_INTAKE_ALERTS);

function readRuns(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 5;
  const runs = Number(text);
  if (!Number.isSafeInteger(runs) || runs < 1 || runs > 100) {
    throw new Error(`BENCH_RUNS must be a whole number from 1 to 100, not "${text}"`);
  }
  return runs;
}

const dashboardRuns = readRuns(process.env.BENCH_RUNS);

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

const ledgerSettings: LedgerBenchSettings = Object.freeze({
  entries: readLedgerEntries(process.env.BENCH_LEDGER_ENTRIES),
  postgres: readPostgres(process.env.BENCH_POSTGRES),
});

const BENCHMARKS = [
  { name: 'catalogue', run: async (options) => formatCatalogueBench(catalogueBench(options)) },
  { name: 'http', run: async (options) => formatHttpBench(await httpBench(options)) },
  { name: 'gate', run: async (options) => formatGateBench(await gateBench(options)) },
  { name: 'intake', run: async (options) => formatIntakeBench(await intakeBench(options, intakeAlerts)) },
  {
    name: 'ledger',
    run: async (options) => {
      const result = await ledgerBench(options, ledgerSettings);
      if (result.postgres.status === 'failed') process.exitCode = 1;
      return formatLedgerBench(result);
    },
  },
  {
    name: 'slo-store',
    run: async (options) => {
      const result = await sloStoreBench(options, { postgres: ledgerSettings.postgres });
      if (result.postgresTick.status === 'failed') process.exitCode = 1;
      return formatSloStoreBench(result);
    },
  },
  {
    name: 'slo',
    run: async (options) => {
      const result = await sloBench(options);
      if (result.prometheus.status === 'failed') process.exitCode = 1;
      return formatSloBench(result);
    },
  },
  {
    name: 'dashboard',
    run: async () => {
      const result = await dashboardBench({ runs: dashboardRuns });
      if (result.overview.status === 'failed') process.exitCode = 1;
      return formatDashboardBench(result);
    },
  },
] as const satisfies ReadonlyArray<Benchmark>;

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}\n`,
  );
  process.exit(2);
}
const selected = BENCHMARKS.filter((benchmark) => requested.length === 0 || requested.includes(benchmark.name));

const started = performance.now();
const options: BenchOptions = Object.freeze({ seconds: readSeconds(process.env.BENCH_SECONDS) });
const ledgerNote = selected.some((benchmark) => benchmark.name === 'ledger')
  ? `, BENCH_LEDGER_ENTRIES=${ledgerSettings.entries}, BENCH_POSTGRES=${ledgerSettings.postgres ? 1 : 0}`
  : '';
print(
  `# node ${process.version}, ${process.platform} ${process.arch}, ${availableParallelism()} CPUs, ` +
    `BENCH_SECONDS=${options.seconds}${ledgerNote}`,
);
for (const benchmark of selected) {
  try {
    for (const line of await benchmark.run(options)) print(line);
  } catch (error: unknown) {
    process.stderr.write(
      `${benchmark.name} benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
print(`# total ${((performance.now() - started) / 1000).toFixed(1)} s`);
