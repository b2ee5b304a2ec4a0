/**
 * A Go daemon run for tests and benchmarks, such as Prometheus or Alertmanager: spawned with its output's tail kept,
 * polled at `/-/ready` until it answers, and stopped (SIGTERM, then SIGKILL) on stop, which removes its temp dir.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

const POLL_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;
const TERM_GRACE_MS = 5_000;
const KILL_WAIT_MS = 5_000;
const LOG_LIMIT = 64 * 1024;
const ERROR_LOG_TAIL = 2_000;

export interface StartDaemonOptions {
  /** Names the daemon in errors, such as `prometheus`. */
  readonly name: string;
  readonly binary: string;
  readonly args: ReadonlyArray<string>;
  /** The working directory; `dir` by default. */
  readonly cwd?: string;
  /** The daemon's temp directory, which stop() removes; a failed start leaves it to the caller. */
  readonly dir: string;
  /** Where the daemon listens, such as `http://127.0.0.1:9090`. */
  readonly url: string;
  readonly readyTimeoutMs: number;
}

/** A failed start has already stopped the process; `log` is its whole kept tail. */
export type StartDaemonResult =
  | { readonly ok: true; readonly value: DaemonProcess }
  | { readonly ok: false; readonly error: Error; readonly log: string };

export class DaemonProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private output = '';
  private stopping: Promise<void> | undefined;
  private readonly killOnExit = (): void => {
    if (this.isRunning()) this.child.kill('SIGKILL');
  };

  private constructor(
    private readonly name: string,
    readonly url: string,
    private readonly dir: string,
    binary: string,
    args: ReadonlyArray<string>,
    cwd: string,
  ) {
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

  /** Spawns the daemon and waits until `/-/ready` answers 200, or until it exits or the timeout passes. */
  static async start(options: StartDaemonOptions): Promise<StartDaemonResult> {
    const daemon = new DaemonProcess(
      options.name,
      options.url,
      options.dir,
      options.binary,
      options.args,
      options.cwd ?? options.dir,
    );
    const error = await daemon.waitUntilReady(options.readyTimeoutMs);
    if (error === undefined) return { ok: true, value: daemon };
    await daemon.stopProcess();
    return { ok: false, error, log: daemon.log() };
  }

  /** The tail of what the daemon logged so far. */
  log(): string {
    return this.output;
  }

  /** Stops the daemon and removes its temp directory; later calls do nothing. */
  stop(): Promise<void> {
    this.stopping ??= this.stopProcess().finally(() => rm(this.dir, { recursive: true, force: true }));
    return this.stopping;
  }

  private async waitUntilReady(timeoutMs: number): Promise<Error | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning()) {
        // Lets a spawn failure reach the log first.
        await this.exitsWithin(PROBE_TIMEOUT_MS);
        return this.startError('exited before it was ready');
      }
      const ready = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
        async (response) => {
          await response.body?.cancel();
          return response.status === 200;
        },
        () => false,
      );
      if (ready) return undefined;
      await delay(POLL_MS);
    }
    return this.startError(`was not ready within ${timeoutMs} ms`);
  }

  /** SIGTERM, then SIGKILL when it has not exited after a grace period. */
  private async stopProcess(): Promise<void> {
    process.removeListener('exit', this.killOnExit);
    if (!this.isRunning()) return;
    this.child.kill('SIGTERM');
    if (await this.exitsWithin(TERM_GRACE_MS)) return;
    this.child.kill('SIGKILL');
    if (!(await this.exitsWithin(KILL_WAIT_MS))) {
      throw new Error(`${this.name} (pid ${this.child.pid}) survived SIGKILL`);
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
    const tail = this.output.slice(-ERROR_LOG_TAIL);
    return new Error(`${this.name} ${what}\n--- ${this.name} log (tail) ---\n${tail}`);
  }
}
