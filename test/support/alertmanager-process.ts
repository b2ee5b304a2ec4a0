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
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Labels } from '../../src/alerts/fingerprint.js';
import { DaemonProcess } from './daemon-process.js';
import { REPOSITORY_ROOT } from './fixtures.js';
import { findFreePort } from './postgres-cluster.js';

const HOST = '127.0.0.1';
// Generous: a CI machine here ran some work forty times slower than a laptop.
const READY_TIMEOUT_MS = 300_000;
const START_ATTEMPTS = 3;
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
  const daemon = { name: 'alertmanager', binary, cwd, dir, readyTimeoutMs: READY_TIMEOUT_MS };
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await findFreePort();
    const storage = join(dir, `data-${port}`);
    await mkdir(storage);
    const started = await DaemonProcess.start({
      ...daemon,
      url: `http://${HOST}:${port}`,
      args: [
        `--config.file=${configFile}`,
        `--storage.path=${storage}`,
        `--web.listen-address=${HOST}:${port}`,
        // An empty address turns off the HA cluster, so no gossip port is needed.
        '--cluster.listen-address=',
        ...(options.extraFlags ?? []),
      ],
    });
    if (started.ok) {
      const server = started.value;
      return { url: server.url, port, log: () => server.log(), stop: () => server.stop() };
    }
    lastError = started.error;
    // Another process may take the probed port before Alertmanager binds it.
    if (!started.log.includes('address already in use')) break;
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
