/**
 * A throwaway Prometheus server for tests and benchmarks: scrapes the given targets (if any), keeps its TSDB in a
 * temp dir or serves one it is given, listens on a free port of 127.0.0.1, and is stopped (SIGTERM, then SIGKILL) on
 * stop, which removes the temp dir but never a TSDB it was given.
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonProcess } from './daemon-process.js';
import { REPOSITORY_ROOT } from './fixtures.js';
import { findFreePort } from './postgres-cluster.js';

const HOST = '127.0.0.1';
// Generous: a CI machine here ran some work forty times slower than a laptop.
const READY_TIMEOUT_MS = 300_000;
const START_ATTEMPTS = 3;

export interface StartPrometheusOptions {
  /** `host:port` (scraped at `/metrics`) or a full URL such as `http://127.0.0.1:8080/custom/metrics`; may be none. */
  readonly scrapeTargets: ReadonlyArray<string>;
  readonly scrapeIntervalSeconds: number;
  /** Rule evaluation interval; the scrape interval by default. */
  readonly evaluationIntervalSeconds?: number;
  /** Absolute paths of rule files to load. */
  readonly ruleFiles?: ReadonlyArray<string>;
  /** The prometheus binary; `requireTool(t, 'prometheus')` finds it. Defaults to the one under `.tools/`, else PATH. */
  readonly binary?: string;
  /** An existing TSDB directory, such as one promtool built, to serve instead of a fresh one; stop() leaves it. */
  readonly storagePath?: string;
  /** More command-line flags, such as `--storage.tsdb.retention.time=10y`. */
  readonly extraFlags?: ReadonlyArray<string>;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:PORT`, ready to answer queries. */
  readonly url: string;
  /** The tail of what Prometheus logged so far. */
  log(): string;
  /** Stops the server and removes its temp directory (not a `storagePath`); later calls do nothing. */
  stop(): Promise<void>;
}

/** Starts Prometheus and waits until `/-/ready` answers; throws with the log's tail when it cannot. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'sre-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  // JSON is YAML, and it quotes whatever the targets hold.
  await writeFile(configFile, JSON.stringify(prometheusConfig(options), undefined, 2));
  const binary = options.binary ?? defaultBinary();
  const daemon = { name: 'prometheus', binary, dir, readyTimeoutMs: READY_TIMEOUT_MS };
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await findFreePort();
    const storage = options.storagePath ?? join(dir, `data-${port}`);
    const started = await DaemonProcess.start({
      ...daemon,
      url: `http://${HOST}:${port}`,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${storage}`,
        `--web.listen-address=${HOST}:${port}`,
        ...(options.extraFlags ?? []),
      ],
    });
    if (started.ok) return started.value;
    lastError = started.error;
    // Another process may take the probed port before Prometheus binds it.
    if (!started.log.includes('address already in use')) break;
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

function defaultBinary(): string {
  const unpacked = join(REPOSITORY_ROOT, '.tools', 'prometheus', 'usr', 'bin', 'prometheus');
  return existsSync(unpacked) ? unpacked : 'prometheus';
}

function prometheusConfig(options: StartPrometheusOptions): unknown {
  const interval = `${options.scrapeIntervalSeconds}s`;
  return {
    global: {
      scrape_interval: interval,
      // Prometheus refuses a timeout longer than the interval, and the default is 10s.
      scrape_timeout: interval,
      evaluation_interval: `${options.evaluationIntervalSeconds ?? options.scrapeIntervalSeconds}s`,
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: options.scrapeTargets.map((target, index) => {
      const url = new URL(target.includes('://') ? target : `http://${target}/metrics`);
      return {
        job_name: `target-${index}`,
        scheme: url.protocol.replace(':', ''),
        metrics_path: url.pathname,
        static_configs: [{ targets: [url.host] }],
      };
    }),
  };
}
