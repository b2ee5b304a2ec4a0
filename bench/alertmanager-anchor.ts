/**
 * Alertmanager 0.25's alert ingest, the anchor for the intake benchmark: a fresh Alertmanager configured as in the
 * alerting reference (§6), fed distinct alerts through `POST /api/v2/alerts` in batches over keep-alive connections,
 * then asked how many it holds. The alerts come from `benchAlerts`, which the intake benchmark shares.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  findAlertmanager,
  type PostableAlert,
  type RunningAlertmanager,
  startAlertmanager,
} from '../test/support/alertmanager-process.js';
import { percentile } from './measure.js';

const HOST = '127.0.0.1';
const REQUEST_TIMEOUT_MS = 120_000;
const SEVERITIES = ['critical', 'warning', 'info'] as const;

export interface AlertmanagerIngestOptions {
  /** Distinct alerts to post. */
  readonly alerts: number;
  /** Alerts per request. */
  readonly batch: number;
  /** Keep-alive connections posting at once. */
  readonly connections: number;
}

export interface AlertmanagerIngestFigures {
  readonly alertsPerSecond: number;
  /** Per request. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
}

/**
 * Alerts as the reference's load generator built them: ten alert names by ten services (100 groups under
 * `group_by: [alertname, service]`), one instance each, three annotations.
 * @param run - the `bench_run` label, which keeps one run's alerts apart from another's
 * @param startsAt - the load's start, in the past by the time the alerts arrive, as Prometheus sends them
 */
export function benchAlerts(count: number, run: string, startsAt: Date = new Date()): ReadonlyArray<PostableAlert> {
  const starts = startsAt.toISOString();
  return Array.from({ length: count }, (_, index) => {
    const alertname = `BenchAlert${index % 10}`;
    const service = `svc-${Math.floor(index / 10) % 10}`;
    const instance = `host-${index}:9100`;
    return {
      labels: {
        alertname,
        service,
        instance,
        severity: SEVERITIES[index % SEVERITIES.length] ?? 'warning',
        bench_run: run,
      },
      annotations: {
        summary: `${alertname} firing on ${instance}`,
        description: `Synthetic alert ${index} of ${count} for ${service}, posted by the sre-agent benchmark.`,
        runbook_url: `https://runbooks.example.invalid/${alertname}`,
      },
      startsAt: starts,
      generatorURL: `http://prometheus.example.invalid/graph?g0.expr=bench_alert%7Bindex%3D%22${index}%22%7D`,
    };
  });
}

/** Starts a fresh Alertmanager, posts the alerts, checks they are all stored, and stops it again. */
export async function measureAlertmanagerIngest(
  options: AlertmanagerIngestOptions,
): Promise<AlertmanagerIngestFigures> {
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number above 0`);
  }
  const binary = findAlertmanager();
  if (binary === undefined) {
    throw new Error(
      'alertmanager not found: "npm test" unpacks Debian\'s prometheus-alertmanager package into .tools/',
    );
  }
  const receiver = await startReceiver();
  let alertmanager: RunningAlertmanager | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  try {
    alertmanager = await startAlertmanager({ config: benchConfig(urlOf(receiver)), binary });
    const run = `bench-${randomUUID()}`;
    const bodies = batches(benchAlerts(options.alerts, run), options.batch);
    const target = new URL('/api/v2/alerts', alertmanager.url);
    const latencies: number[] = [];
    const queue = bodies.values();
    const started = performance.now();
    // Workers share one iterator, so each request body is taken exactly once.
    const worker = async (): Promise<void> => {
      for (const body of queue) {
        const sent = performance.now();
        await postJson(agent, target, body);
        latencies.push(performance.now() - sent);
      }
    };
    await Promise.all(Array.from({ length: options.connections }, worker));
    const elapsedMs = performance.now() - started;
    const stored = await countStored(alertmanager.url, run);
    if (stored !== options.alerts) {
      throw new Error(`Alertmanager holds ${stored} of the ${options.alerts} alerts posted in run ${run}`);
    }
    const sorted = latencies.sort((a, b) => a - b);
    return {
      alertsPerSecond: (options.alerts * 1000) / elapsedMs,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      requests: bodies.length,
    };
  } finally {
    agent.destroy();
    await alertmanager?.stop();
    await closeReceiver(receiver);
  }
}

function benchConfig(webhookUrl: string): string {
  return [
    'global:',
    '  resolve_timeout: 5m',
    'route:',
    '  receiver: bench-webhook',
    '  group_by: [alertname, service]',
    '  group_wait: 1s',
    '  group_interval: 5m',
    '  repeat_interval: 4h',
    'receivers:',
    '  - name: bench-webhook',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(webhookUrl)}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

/** Request bodies serialised before the clock starts, so the load generator's JSON work is not timed. */
export function batches(alerts: ReadonlyArray<PostableAlert>, size: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let start = 0; start < alerts.length; start += size) {
    bodies.push(Buffer.from(JSON.stringify(alerts.slice(start, start + size))));
  }
  return bodies;
}

/** POSTs a JSON body over the agent's keep-alive connections; rejects unless the answer has the expected status. */
export function postJson(
  agent: Agent,
  target: URL,
  body: Buffer,
  options: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {},
): Promise<void> {
  const expected = options.status ?? 200;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      target,
      {
        method: 'POST',
        agent,
        headers: { ...options.headers, 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          if (response.statusCode === expected) resolve();
          else {
            const text = Buffer.concat(chunks).toString('utf8').slice(0, 500);
            reject(new Error(`POST ${target.pathname} answered ${response.statusCode}: ${text}`));
          }
        });
      },
    );
    request.on('error', reject);
    request.setTimeout(REQUEST_TIMEOUT_MS, () => {
      request.destroy(new Error(`POST ${target.pathname} took longer than ${REQUEST_TIMEOUT_MS} ms`));
    });
    request.end(body);
  });
}

async function countStored(url: string, run: string): Promise<number> {
  const filter = encodeURIComponent(`bench_run="${run}"`);
  const response = await fetch(`${url}/api/v2/alerts?filter=${filter}`, {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body: unknown = await response.json();
  if (response.status !== 200 || !Array.isArray(body)) {
    throw new Error(`GET /api/v2/alerts answered ${response.status} without a list of alerts`);
  }
  return body.length;
}

/** A webhook receiver that reads each notification and answers 200. */
async function startReceiver(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  return server;
}

function urlOf(server: Server): string {
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the webhook receiver has no port');
  return `http://${HOST}:${address.port}/`;
}

async function closeReceiver(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Alertmanager keeps its connection alive; close() alone would wait for it.
  server.closeAllConnections();
  await closed;
}
