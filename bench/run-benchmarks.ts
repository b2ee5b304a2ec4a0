/**
 * Runs each benchmark in turn and prints its figures beside an anchor measured in the same run on the same machine.
 * `BENCH_SECONDS` (default 3) sets how long each measurement lasts.
 * @module
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { catalogueBench, formatCatalogueBench } from './catalogue-bench.js';
import { formatHttpBench, httpBench } from './http-bench.js';
import type { BenchOptions } from './measure.js';

interface Benchmark {
  readonly name: string;
  run(options: BenchOptions): Promise<ReadonlyArray<string>>;
}

const BENCHMARKS = [
  { name: 'catalogue', run: async (options) => formatCatalogueBench(catalogueBench(options)) },
  { name: 'http', run: async (options) => formatHttpBench(await httpBench(options)) },
] as const satisfies ReadonlyArray<Benchmark>;

const DEFAULT_SECONDS = 3;

function readSeconds(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new Error(`BENCH_SECONDS must be a number of seconds above 0 and at most 600, not "${text}"`);
  }
  return seconds;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

const started = performance.now();
const options: BenchOptions = Object.freeze({ seconds: readSeconds(process.env.BENCH_SECONDS) });
print(
  `# node ${process.version}, ${process.platform} ${process.arch}, ${availableParallelism()} CPUs, ` +
    `BENCH_SECONDS=${options.seconds}`,
);
for (const benchmark of BENCHMARKS) {
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
