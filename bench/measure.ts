/**
 * Timing, statistics and number formatting shared by the benchmarks.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface BenchOptions {
  /** How long each measurement runs; the anchor gets the same. */
  readonly seconds: number;
}

/** A part of a benchmark that needs an outside server, which may be turned off or fail to start. */
export type BenchOutcome<Figures> =
  | { readonly status: 'measured'; readonly figures: Figures }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

/** Halves of each measurement alternate between subject and anchor, as in the HTTP benchmark. */
const ROUNDS = 2;

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sorted: ReadonlyArray<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(samples: ReadonlyArray<number>): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    0.5,
  );
}

export interface AlternatingTimings {
  readonly subject: ReadonlyArray<number>;
  readonly anchor: ReadonlyArray<number>;
}

/**
 * Times `subject` and `anchor` one run each in turn, so drift on a busy machine hits both alike, until both have
 * had `seconds` of runs and at least `minRuns` each. Durations are in milliseconds.
 */
export function timeAlternately(
  subject: () => unknown,
  anchor: () => unknown,
  seconds: number,
  minRuns = 3,
): AlternatingTimings {
  const subjectTimes: number[] = [];
  const anchorTimes: number[] = [];
  const budget = seconds * 1000;
  let subjectTotal = 0;
  let anchorTotal = 0;
  while (
    subjectTimes.length < minRuns ||
    anchorTimes.length < minRuns ||
    subjectTotal < budget ||
    anchorTotal < budget
  ) {
    const subjectTime = timeOnce(subject);
    const anchorTime = timeOnce(anchor);
    subjectTimes.push(subjectTime);
    anchorTimes.push(anchorTime);
    subjectTotal += subjectTime;
    anchorTotal += anchorTime;
  }
  return { subject: subjectTimes, anchor: anchorTimes };
}

function timeOnce(action: () => unknown): number {
  const start = performance.now();
  action();
  return performance.now() - start;
}

/** An asynchronous step repeated for a while, with what it did and how long each step took. */
export interface Meter {
  readonly step: () => Promise<number>;
  ops: number;
  elapsedMs: number;
  readonly latencies: number[];
}

export function meter(step: () => Promise<number>): Meter {
  return { step, ops: 0, elapsedMs: 0, latencies: [] };
}

/** Repeats a meter's step until `milliseconds` have passed; a step answers how many operations it did. */
export async function runFor(target: Meter, milliseconds: number): Promise<void> {
  const start = performance.now();
  let last = start;
  do {
    target.ops += await target.step();
    const now = performance.now();
    target.latencies.push(now - last);
    last = now;
  } while (last - start < milliseconds);
  target.elapsedMs += last - start;
}

/** A short unrecorded run of each, then ROUNDS rounds in which each gets its share of `seconds` in turn. */
export async function measureInTurn(meters: ReadonlyArray<Meter>, seconds: number): Promise<void> {
  for (const each of meters) await runFor(meter(each.step), Math.min(500, (seconds * 1000) / 8));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const each of meters) await runFor(each, (seconds * 1000) / ROUNDS);
  }
}

export interface RateFigures {
  readonly ops: number;
  readonly perSecond: number;
  /** Per step: one commit, one proof, one read or one batch. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function rateOf(measured: Meter): RateFigures {
  const sorted = [...measured.latencies].sort((a, b) => a - b);
  return {
    ops: measured.ops,
    perSecond: (measured.ops * 1000) / measured.elapsedMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

export type CollectGarbage = () => void;

/** A handle on V8's collector without `--expose-gc` on the command line, or undefined if V8 refuses. */
export function garbageCollector(): CollectGarbage | undefined {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
  if (typeof gc !== 'function') return undefined;
  // A second pass finishes sweeping left over from the first, so heapUsed settles.
  return () => {
    gc();
    gc();
  };
}

/** Bytes of heap still held by what `build` returns, measured after a full collection when one is available. */
export function retainedHeap(build: () => unknown, gc: CollectGarbage | undefined): number {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const held: unknown[] = [build()];
  gc?.();
  const after = process.memoryUsage().heapUsed;
  // Touching `held` after the reading keeps the result reachable through it.
  held.length = 0;
  return after - before;
}

const grouped = (digits: number) =>
  new Intl.NumberFormat('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const whole = grouped(0);
const oneDecimal = grouped(1);
const twoDecimals = grouped(2);

export function formatMs(milliseconds: number): string {
  return `${oneDecimal.format(milliseconds)} ms`;
}

/** A rate per second: whole numbers once there are ten or more, so slow machines still show a digit. */
export function formatRate(perSecond: number): string {
  return perSecond >= 10 ? whole.format(perSecond) : oneDecimal.format(perSecond);
}

export function formatCount(count: number): string {
  return whole.format(count);
}

export function formatRatio(ratio: number): string {
  return `${ratio < 1 ? twoDecimals.format(ratio) : oneDecimal.format(ratio)}x`;
}

export function formatMegabytes(bytes: number): string {
  return `${oneDecimal.format(bytes / (1024 * 1024))} MB`;
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}
