/**
 * Gate verdicts under a steady 500 requests/s from an open-loop load generator on 127.0.0.1, beside the same
 * server's `/healthz` under the same load as the floor. Each verdict reads the catalogue, the change, SLO budgets,
 * freezes and open incidents, and is appended to the ledger before the answer.
 * @module
 */
import { type Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { withBenchServer } from './bench-server.js';
import { type BenchOptions, formatMs, percentile, verdict } from './measure.js';

const RATE = 500;
const TARGET_P99_MS = 5;

export interface PacedFigures {
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface GateBenchResult {
  readonly rate: number;
  readonly seconds: number;
  readonly gate: PacedFigures;
  readonly healthz: PacedFigures;
  readonly ledgerEvents: number;
}

export async function gateBench(options: BenchOptions): Promise<GateBenchResult> {
  return withBenchServer('gate', async ({ runtime, address, authorization, agent }) => {
    const headers = { authorization };
    const seconds = Math.max(2, Math.round(options.seconds));
    const gateUrl = new URL('/api/v1/gate?service=merchant-portal', address);
    // Warm both paths, then measure the floor and the gate in turn under the same load.
    await paced(agent, new URL('/healthz', address), {}, RATE, 1);
    await paced(agent, gateUrl, headers, RATE, 1);
    const healthz = await paced(agent, new URL('/healthz', address), {}, RATE, seconds);
    const gate = await paced(agent, gateUrl, headers, RATE, seconds);
    const head = await runtime.ledger.head();
    return { rate: RATE, seconds, gate, healthz, ledgerEvents: Number(head.size) };
  });
}

export function formatGateBench(result: GateBenchResult): string[] {
  const { gate, healthz } = result;
  return [
    `## gate: ${result.rate} requests/s for ${result.seconds} s each, open loop, SQLite, every verdict a ledger event`,
    `gate verdict: p50 ${formatMs(gate.p50Ms)}, p99 ${formatMs(gate.p99Ms)} (${gate.requests} requests, ${gate.errors} errors) | ` +
      `anchor /healthz: p50 ${formatMs(healthz.p50Ms)}, p99 ${formatMs(healthz.p99Ms)} | target p99 ≤ ${TARGET_P99_MS} ms ` +
      verdict(gate.p99Ms <= TARGET_P99_MS && gate.errors === 0),
  ];
}

async function paced(
  agent: Agent,
  url: URL,
  headers: Readonly<Record<string, string>>,
  rate: number,
  seconds: number,
): Promise<PacedFigures> {
  const total = rate * seconds;
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const wait = started + (index * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    pending.push(
      get(agent, url, headers).then(
        (status) => {
          if (status === 200) latencies.push(performance.now() - sent);
          else errors += 1;
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  const sorted = latencies.sort((a, b) => a - b);
  return { requests: total, errors, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

function get(agent: Agent, url: URL, headers: Readonly<Record<string, string>>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(30_000, () => request.destroy(new Error('no answer within 30 s')));
    request.end();
  });
}
