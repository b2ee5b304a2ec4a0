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
