/**
 * Alerts per second through sre-agent's Alertmanager webhook, beside Alertmanager 0.25 ingesting the same alerts
 * through its own API in the same run. Alertmanager keeps alerts in memory; sre-agent's figure counts an alert only
 * once its transition, enrichment and correlation are committed to the ledger in SQLite. A paced run checks the
 * answer time at 1,000 alerts/s.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fingerprintOf } from '../src/alerts/index.js';
import type { Runtime } from '../src/runtime/create-runtime.js';
import type { PostableAlert } from '../test/support/alertmanager-process.js';
import {
  type AlertmanagerIngestFigures,
  benchAlerts,
  measureAlertmanagerIngest,
  postJson,
} from './alertmanager-anchor.js';
import { withBenchServer } from './bench-server.js';
import { type BenchOptions, formatMs, formatRate, formatRatio, percentile, verdict } from './measure.js';

/** Ten catalogue services of mixed tiers stand in for the reference load's svc-0 … svc-9. */
const SERVICES = [
  'card-payments-gateway',
  'faster-payments-hub',
  'core-ledger',
  'fraud-scoring',
  'customer-auth',
  'settlement-engine',
  'open-banking-api',
  'merchant-portal',
  'notifications',
  'marketing-site',
];
const PACED_RATE = 1_000;
const PACED_TARGET_P99_MS = 100;

export interface IntakeFigures {
  /** Alerts answered 2xx (durably received) per second. */
  readonly receivedPerSecond: number;
  /** Alerts whose state changes are committed to the ledger, per second from the first request to the last commit. */
  readonly recordedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly events: number;
  readonly incidents: number;
}

export interface IntakeBenchResult {
  readonly alerts: number;
  readonly scenarios: ReadonlyArray<{
    readonly batch: number;
    readonly sreAgent: IntakeFigures;
    readonly alertmanager: AlertmanagerIngestFigures | { readonly failed: string };
  }>;
  readonly paced: { readonly rate: number; readonly seconds: number; readonly p50Ms: number; readonly p99Ms: number };
}

export async function intakeBench(options: BenchOptions, alerts: number): Promise<IntakeBenchResult> {
  const scenarios = [];
  for (const batch of [1, 100]) {
    const sreAgent = await withIntakeServer((server) => measureIntake(server, alerts, batch));
    let alertmanager: AlertmanagerIngestFigures | { readonly failed: string };
    try {
      alertmanager = await measureAlertmanagerIngest({ alerts, batch, connections: 1 });
    } catch (error: unknown) {
      alertmanager = { failed: error instanceof Error ? error.message : String(error) };
    }
    scenarios.push({ batch, sreAgent, alertmanager });
  }
  const seconds = Math.max(2, Math.round(options.seconds));
  const paced = await withIntakeServer((server) => measurePaced(server, PACED_RATE, seconds));
  return { alerts, scenarios, paced: { rate: PACED_RATE, seconds, ...paced } };
}

export function formatIntakeBench(result: IntakeBenchResult): string[] {
  const lines = [`## intake: ${result.alerts.toLocaleString('en-GB')} distinct alerts per run, 1 connection`];
  for (const scenario of result.scenarios) {
    const sre = scenario.sreAgent;
    const anchor = scenario.alertmanager;
    const anchorRate = 'failed' in anchor ? undefined : anchor.alertsPerSecond;
    lines.push(
      `intake batch ${scenario.batch}: recorded in the ledger ${formatRate(sre.recordedPerSecond)} alerts/s ` +
        `(answered ${formatRate(sre.receivedPerSecond)}/s, p50 ${formatMs(sre.p50Ms)}, p99 ${formatMs(sre.p99Ms)}; ` +
        `${sre.events.toLocaleString('en-GB')} events, ${sre.incidents} incidents) | anchor Alertmanager 0.25 in memory: ` +
        (anchorRate === undefined || 'failed' in anchor
          ? `failed (${'failed' in anchor ? anchor.failed : ''})`
          : `${formatRate(anchorRate)} alerts/s (p50 ${formatMs(anchor.p50Ms)}, p99 ${formatMs(anchor.p99Ms)}); ` +
            `ratio ${formatRatio(sre.recordedPerSecond / anchorRate)} ${verdict(sre.recordedPerSecond >= anchorRate)}`),
    );
  }
  const paced = result.paced;
  lines.push(
    `intake paced at ${paced.rate} alerts/s for ${paced.seconds} s, 1 alert per request: answer p50 ${formatMs(paced.p50Ms)}, ` +
      `p99 ${formatMs(paced.p99Ms)} | target p99 under ${PACED_TARGET_P99_MS} ms ${verdict(paced.p99Ms < PACED_TARGET_P99_MS)}`,
  );
  return lines;
}

interface IntakeServer {
  readonly runtime: Runtime;
  readonly url: URL;
  readonly authorization: string;
  readonly agent: Agent;
}

async function withIntakeServer<T>(work: (server: IntakeServer) => Promise<T>): Promise<T> {
  return withBenchServer('alertmanager', (server) =>
    work({ ...server, url: new URL('/api/v1/integrations/alertmanager', server.address) }),
  );
}

/** The reference alerts on catalogue services, as Alertmanager webhook bodies of `batch` alerts each. */
function webhookBodies(count: number, batch: number): Buffer[] {
  const alerts = benchAlerts(count, `bench-${randomUUID()}`).map(onCatalogueService);
  const bodies: Buffer[] = [];
  for (let start = 0; start < alerts.length; start += batch) {
    const group = alerts.slice(start, start + batch);
    bodies.push(
      Buffer.from(
        JSON.stringify({
          version: '4',
          groupKey: `{}:{bench="${start}"}`,
          truncatedAlerts: 0,
          status: 'firing',
          receiver: 'sre-agent',
          groupLabels: {},
          commonLabels: {},
          commonAnnotations: {},
          externalURL: 'http://alertmanager.example.invalid',
          alerts: group.map((alert) => ({
            status: 'firing',
            labels: alert.labels,
            annotations: alert.annotations ?? {},
            startsAt: alert.startsAt,
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: alert.generatorURL ?? '',
            fingerprint: fingerprintOf(alert.labels),
          })),
        }),
      ),
    );
  }
  return bodies;
}

function onCatalogueService(alert: PostableAlert): PostableAlert {
  const index = Number(/^svc-(\d+)$/.exec(alert.labels.service ?? '')?.[1] ?? 0);
  return { ...alert, labels: { ...alert.labels, service: SERVICES[index % SERVICES.length] ?? 'core-ledger' } };
}

async function measureIntake(server: IntakeServer, count: number, batch: number): Promise<IntakeFigures> {
  const bodies = webhookBodies(count, batch);
  const latencies: number[] = [];
  const started = performance.now();
  for (const body of bodies) {
    const sent = performance.now();
    await postJson(server.agent, server.url, body, { status: 202, headers: { authorization: server.authorization } });
    latencies.push(performance.now() - sent);
  }
  const answered = performance.now();
  await server.runtime.alertProcessor.drain();
  const recorded = performance.now();
  const db = server.runtime.store.db;
  const fired = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('type', '=', 'alert.fired')
    .executeTakeFirst();
  if (Number(fired?.count ?? 0) !== count) {
    throw new Error(`the ledger holds ${String(fired?.count)} alert.fired events for ${count} alerts`);
  }
  const head = await server.runtime.ledger.head();
  const incidents = await db
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirst();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    receivedPerSecond: (count * 1000) / (answered - started),
    recordedPerSecond: (count * 1000) / (recorded - started),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    events: Number(head.size),
    incidents: Number(incidents?.count ?? 0),
  };
}

/** Open loop: requests leave on schedule whether or not earlier ones were answered. */
async function measurePaced(server: IntakeServer, rate: number, seconds: number) {
  const bodies = webhookBodies(rate * seconds, 1);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < bodies.length; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = bodies[index];
    if (body === undefined) continue;
    const sent = performance.now();
    pending.push(
      postJson(server.agent, server.url, body, { status: 202, headers: { authorization: server.authorization } }).then(
        () => {
          latencies.push(performance.now() - sent);
        },
      ),
    );
  }
  await Promise.all(pending);
  await server.runtime.alertProcessor.drain();
  const sorted = latencies.sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}
