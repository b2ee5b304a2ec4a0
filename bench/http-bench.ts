/**
 * Reading one service over real HTTP on 127.0.0.1 from the real app (bearer token checked against SQLite), against a
 * bare Fastify route serving the same body. Both are driven by the same closed-loop load generator in this process.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { systemPrincipal } from '../src/auth/index.js';
import { SystemClock } from '../src/clock/index.js';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/http/index.js';
import { appServicesOf, assembleRuntime } from '../src/runtime/create-runtime.js';
import { openStore } from '../src/store/index.js';
import { REPOSITORY_ROOT } from '../test/support/fixtures.js';
import { type BenchOptions, formatMs, formatRate, formatRatio, percentile } from './measure.js';

const CONCURRENCY = 16;
const SERVICE = 'core-ledger';
const PATH = `/api/v1/services/${SERVICE}`;
/** Halves of each measurement alternate between app and anchor, so drift on a busy machine hits both alike. */
const ROUNDS = 2;
const MAX_REQUESTS_PER_ROUND = 500_000;
const MAX_ERRORS_PER_ROUND = 100;
/** How long requests still in flight at the deadline may take before they are aborted. */
const GRACE_MS = 10_000;

export interface LoadFigures {
  readonly requests: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface HttpBenchResult {
  readonly concurrency: number;
  readonly app: LoadFigures;
  readonly anchor: LoadFigures;
}

interface LoadTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface RoundSample {
  readonly latencies: ReadonlyArray<number>;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly elapsedMs: number;
}

export async function httpBench(options: BenchOptions): Promise<HttpBenchResult> {
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const dir = await mkdtemp(join(tmpdir(), 'sre-bench-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const store = await openStore({ dialect: 'sqlite', file: join(dir, 'sre-agent.db') });
    closers.push(() => store.close());

    const clock = SystemClock.create();
    const config = await loadConfig({
      env: {},
      overrides: { storage: { dataDir: dir }, catalogue: { path: join(REPOSITORY_ROOT, 'examples', 'catalogue') } },
    });
    const runtime = await assembleRuntime(store, config, { clock, processMetrics: false });
    const { tokens, catalogue } = runtime;
    const status = await catalogue.reload(systemPrincipal('bench'));
    if (!status.loaded) throw new Error('the example catalogue did not load');

    const app = await buildApp({
      version: 'bench',
      bodyLimit: 64 * 1024,
      logger: undefined,
      ...appServicesOf(runtime),
    });
    closers.push(() => app.close());
    const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const created = await tokens.createToken(systemPrincipal('bench'), { name: 'bench-viewer', role: 'viewer' });
    const headers = { authorization: `Bearer ${created.token}` };

    const first = await fetch(`${appUrl}${PATH}`, { headers, signal: AbortSignal.timeout(GRACE_MS) });
    const body = await first.text();
    if (first.status !== 200) throw new Error(`GET ${PATH} answered ${first.status}: ${body.slice(0, 200)}`);
    const contentType = first.headers.get('content-type') ?? 'application/json; charset=utf-8';

    const anchor = Fastify({ logger: false });
    closers.push(() => anchor.close());
    anchor.get('/api/v1/services/:name', async (_request, reply) => reply.type(contentType).send(body));
    const anchorUrl = await anchor.listen({ host: '127.0.0.1', port: 0 });

    const appTarget: LoadTarget = { url: `${appUrl}${PATH}`, headers };
    const anchorTarget: LoadTarget = { url: `${anchorUrl}${PATH}`, headers };
    const warmUpSeconds = Math.min(1, options.seconds / 4);
    await closedLoop(appTarget, warmUpSeconds);
    await closedLoop(anchorTarget, warmUpSeconds);

    const appRounds: RoundSample[] = [];
    const anchorRounds: RoundSample[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      appRounds.push(await closedLoop(appTarget, options.seconds / ROUNDS));
      anchorRounds.push(await closedLoop(anchorTarget, options.seconds / ROUNDS));
    }
    return { concurrency: CONCURRENCY, app: figures(appRounds), anchor: figures(anchorRounds) };
  } finally {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => {
        process.stderr.write(`http bench: cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    }
  }
}

export function formatHttpBench(result: HttpBenchResult): ReadonlyArray<string> {
  const ratio = result.app.requestsPerSecond / result.anchor.requestsPerSecond;
  return [
    `GET /api/v1/services/:name (auth + SQLite, ${result.concurrency} workers): ${describe(result.app)}` +
      ` | anchor bare Fastify: ${describe(result.anchor)} | ratio ${formatRatio(ratio)}`,
  ];
}

function describe(load: LoadFigures): string {
  const errors = load.errors === 0 ? '' : `, ${load.errors} errors (first: ${load.firstError ?? 'unknown'})`;
  const latency = `p50 ${formatMs(load.p50Ms)}, p99 ${formatMs(load.p99Ms)}`;
  return `${formatRate(load.requestsPerSecond)} req/s, ${latency}${errors}`;
}

function figures(rounds: ReadonlyArray<RoundSample>): LoadFigures {
  const latencies = rounds.flatMap((round) => round.latencies).sort((a, b) => a - b);
  const elapsedMs = rounds.reduce((total, round) => total + round.elapsedMs, 0);
  return {
    requests: latencies.length,
    errors: rounds.reduce((total, round) => total + round.errors, 0),
    firstError: rounds.find((round) => round.firstError !== undefined)?.firstError,
    requestsPerSecond: (latencies.length * 1000) / elapsedMs,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** CONCURRENCY workers, each sending its next request as soon as the last one's body has arrived. */
async function closedLoop(target: LoadTarget, seconds: number): Promise<RoundSample> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const fail = (reason: string): void => {
    errors += 1;
    firstError ??= reason;
  };
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), seconds * 1000 + GRACE_MS);

  const worker = async (): Promise<void> => {
    while (
      performance.now() < deadline &&
      latencies.length + errors < MAX_REQUESTS_PER_ROUND &&
      errors < MAX_ERRORS_PER_ROUND
    ) {
      const sent = performance.now();
      try {
        const response = await fetch(target.url, { headers: target.headers, signal: stop.signal });
        await response.arrayBuffer();
        if (response.status === 200) latencies.push(performance.now() - sent);
        else fail(`HTTP ${response.status}`);
      } catch (error: unknown) {
        fail(error instanceof Error ? error.message : 'request failed');
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    clearTimeout(timer);
  }
  return { latencies, errors, firstError, elapsedMs: performance.now() - start };
}
