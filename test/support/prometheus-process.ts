/**
 * A throwaway Prometheus server for tests and benchmarks: scrapes the given targets (if any), keeps its TSDB in a
 * temp dir or serves one it is given, listens on a free port of 127.0.0.1, and is stopped (SIGTERM, then SIGKILL) on
 * stop, which removes the temp dir but never a TSDB it was given.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { REPOSITORY_ROOT } from './fixtures.js';
import { findFreePort } from './postgres-cluster.js';

const HOST = '127.0.0.1';
// Generous: a CI machine here ran some work forty times slower than a laptop.
const READY_TIMEOUT_MS = 300_000;
const TERM_GRACE_MS = 5_000;
const KILL_WAIT_MS = 5_000;
const START_ATTEMPTS = 3;
const LOG_LIMIT = 64 * 1024;

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
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await findFreePort();
    const storage = options.storagePath ?? join(dir, `data-${port}`);
    const server = new PrometheusProcess(binary, dir, port, [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${storage}`,
      `--web.listen-address=${HOST}:${port}`,
      ...(options.extraFlags ?? []),
    ]);
    try {
      await server.waitUntilReady();
      return server;
    } catch (error: unknown) {
      lastError = error;
      await server.stopProcess();
      // Another process may take the probed port before Prometheus binds it.
      if (!server.log().includes('address already in use')) break;
    }
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

class PrometheusProcess implements RunningPrometheus {
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private output = '';
  private stopping: Promise<void> | undefined;
  private readonly killOnExit = (): void => {
    if (this.isRunning()) this.child.kill('SIGKILL');
  };

  constructor(
    binary: string,
    private readonly dir: string,
    port: number,
    args: ReadonlyArray<string>,
  ) {
    this.url = `http://${HOST}:${port}`;
    this.child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (error) => {
        this.append(`cannot run ${binary}: ${error.message}\n`);
        resolve();
      });
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.append(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => this.append(chunk.toString()));
    // Safety net for a run that never reaches stop(): 'exit' listeners cannot await.
    process.once('exit', this.killOnExit);
  }

  log(): string {
    return this.output;
  }

  async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.isRunning()) {
        // Lets a spawn failure reach the log first.
        await this.exitsWithin(1_000);
        throw this.startError('exited before it was ready');
      }
      const ready = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then(
        async (response) => {
          await response.body?.cancel();
          return response.ok;
        },
        () => false,
      );
      if (ready) return;
      await delay(100);
    }
    throw this.startError(`was not ready within ${READY_TIMEOUT_MS} ms`);
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopProcess().finally(() => rm(this.dir, { recursive: true, force: true }));
    return this.stopping;
  }

  /** SIGTERM, then SIGKILL when it has not exited after a grace period. */
  async stopProcess(): Promise<void> {
    process.removeListener('exit', this.killOnExit);
    if (!this.isRunning()) return;
    this.child.kill('SIGTERM');
    if (await this.exitsWithin(TERM_GRACE_MS)) return;
    this.child.kill('SIGKILL');
    if (!(await this.exitsWithin(KILL_WAIT_MS))) {
      throw new Error(`prometheus (pid ${this.child.pid}) survived SIGKILL`);
    }
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    const timer = new AbortController();
    const outcome = await Promise.race([
      this.exited.then(() => true),
      delay(ms, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    return outcome;
  }

  private isRunning(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private append(text: string): void {
    this.output = (this.output + text).slice(-LOG_LIMIT);
  }

  private startError(what: string): Error {
    return new Error(`prometheus ${what}\n--- prometheus log (tail) ---\n${this.output.slice(-2_000)}`);
  }
}
