/**
 * A throwaway Alertmanager for tests and benchmarks: Debian's binary unpacked under `.tools/` by the test runner (or
 * found on PATH), given a YAML config and a storage dir in a temp dir, listening on a free port of 127.0.0.1 without
 * HA gossip, and stopped (SIGTERM, then SIGKILL) on stop, which removes the temp dir. Under CI a missing binary fails
 * the test that needs it; elsewhere the test is skipped and says why.
 *
 * Debian's build reads its templates and UI from the absolute `/usr/share/prometheus/alertmanager` and will not start
 * without them, and no flag moves that directory. So the unpacked binary is run from a copy in which that path is
 * rewritten, byte for byte, to the relative `usr/share/prometheus//alertmanager`, with the unpacked tree as its
 * working directory.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Labels } from '../../src/alerts/fingerprint.js';
import { REPOSITORY_ROOT } from './fixtures.js';
import { findFreePort } from './postgres-cluster.js';

const HOST = '127.0.0.1';
// Generous: a CI machine here ran some work forty times slower than a laptop.
const READY_TIMEOUT_MS = 300_000;
const POLL_MS = 100;
const TERM_GRACE_MS = 5_000;
const KILL_WAIT_MS = 5_000;
const START_ATTEMPTS = 3;
const LOG_LIMIT = 64 * 1024;
const POST_TIMEOUT_MS = 60_000;
const BINARY_NAMES = ['prometheus-alertmanager', 'alertmanager'] as const;
const UNPACKED_ROOT = join(REPOSITORY_ROOT, '.tools', 'alertmanager');
const UNPACKED_BINARY = join(UNPACKED_ROOT, 'usr', 'bin', 'prometheus-alertmanager');
const RELOCATED_BINARY = join(UNPACKED_ROOT, 'relocated', 'prometheus-alertmanager');
const DEBIAN_ASSETS = Buffer.from('/usr/share/prometheus/alertmanager');
// Same length, so every string header in the binary stays valid; the doubled slash is harmless to Go's path code.
const RELATIVE_ASSETS = Buffer.from('usr/share/prometheus//alertmanager');

export interface StartAlertmanagerOptions {
  /** The configuration file's text (YAML). */
  readonly config: string;
  /** The binary; `requireAlertmanager(t)` finds it. Defaults to the one under `.tools/`, else PATH. */
  readonly binary?: string;
  /** More command-line flags, such as `--log.level=debug`. */
  readonly extraFlags?: ReadonlyArray<string>;
}

export interface RunningAlertmanager {
  /** `http://127.0.0.1:PORT`, ready to take alerts. */
  readonly url: string;
  readonly port: number;
  /** The tail of what Alertmanager logged so far. */
  log(): string;
  /** Stops the server and removes its temp directory; later calls do nothing. */
  stop(): Promise<void>;
}

/** One element of the body of `POST /api/v2/alerts` (`postableAlert`). */
export interface PostableAlert {
  readonly labels: Labels;
  readonly annotations?: Labels;
  /** RFC 3339; Alertmanager takes the time of receipt when it is missing. */
  readonly startsAt?: string;
  /** RFC 3339; a time in the past resolves the alert. */
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/** The binary's path; skips the test (or fails it under CI) when it is missing. */
export function requireAlertmanager(t: TestContext): string | undefined {
  const path = findAlertmanager();
  if (path !== undefined) return path;
  const message =
    'alertmanager not found: run the tests with "npm test", which unpacks Debian\'s prometheus-alertmanager ' +
    'package into .tools/';
  if (process.env.CI === 'true') throw new Error(message);
  t.skip(message);
  return undefined;
}

/** The runnable copy of the binary unpacked under `.tools/`, else the first on PATH, else undefined. */
export function findAlertmanager(): string | undefined {
  if (existsSync(UNPACKED_BINARY)) return relocated();
  for (const directory of (process.env.PATH ?? '').split(':')) {
    if (directory === '') continue;
    const found = BINARY_NAMES.map((name) => join(directory, name)).find((path) => existsSync(path));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The unpacked binary with its asset path made relative, written once and then reused. */
function relocated(): string {
  if (existsSync(RELOCATED_BINARY)) return RELOCATED_BINARY;
  const binary = readFileSync(UNPACKED_BINARY);
  let found = 0;
  let at = binary.indexOf(DEBIAN_ASSETS);
  while (at !== -1) {
    RELATIVE_ASSETS.copy(binary, at);
    found += 1;
    at = binary.indexOf(DEBIAN_ASSETS, at + DEBIAN_ASSETS.length);
  }
  // A build that embeds its assets needs no copy.
  if (found === 0) return UNPACKED_BINARY;
  mkdirSync(dirname(RELOCATED_BINARY), { recursive: true });
  // Test processes run side by side; a rename makes the copy appear whole or not at all.
  const partial = `${RELOCATED_BINARY}.${process.pid}`;
  writeFileSync(partial, binary);
  chmodSync(partial, 0o755);
  renameSync(partial, RELOCATED_BINARY);
  return RELOCATED_BINARY;
}

/** Starts Alertmanager and waits until `/-/ready` answers 200; throws with the log's tail when it cannot. */
export async function startAlertmanager(options: StartAlertmanagerOptions): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'sre-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, options.config);
  const binary = options.binary ?? findAlertmanager() ?? BINARY_NAMES[0];
  const cwd = binary === RELOCATED_BINARY ? UNPACKED_ROOT : dir;
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await findFreePort();
    const storage = join(dir, `data-${port}`);
    await mkdir(storage);
    const server = new AlertmanagerProcess(binary, dir, cwd, port, [
      `--config.file=${configFile}`,
      `--storage.path=${storage}`,
      `--web.listen-address=${HOST}:${port}`,
      // An empty address turns off the HA cluster, so no gossip port is needed.
      '--cluster.listen-address=',
      ...(options.extraFlags ?? []),
    ]);
    try {
      await server.waitUntilReady();
      return server;
    } catch (error: unknown) {
      lastError = error;
      await server.stopProcess();
      // Another process may take the probed port before Alertmanager binds it.
      if (!server.log().includes('address already in use')) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

/** `POST /api/v2/alerts`; throws with the status and body unless Alertmanager answers 200. */
export async function postAlerts(url: string, alerts: ReadonlyArray<PostableAlert>): Promise<void> {
  const response = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
    signal: AbortSignal.timeout(POST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /api/v2/alerts answered ${response.status}: ${text}`);
}

class AlertmanagerProcess implements RunningAlertmanager {
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
    cwd: string,
    readonly port: number,
    args: ReadonlyArray<string>,
  ) {
    this.url = `http://${HOST}:${port}`;
    this.child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
          return response.status === 200;
        },
        () => false,
      );
      if (ready) return;
      await delay(POLL_MS);
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
      throw new Error(`alertmanager (pid ${this.child.pid}) survived SIGKILL`);
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
    return new Error(`alertmanager ${what}\n--- alertmanager log (tail) ---\n${this.output.slice(-2_000)}`);
  }
}
