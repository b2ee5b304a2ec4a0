/**
 * Runs the CLI in-process with captured output, or the built executable as a user would.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/program.js';
import { REPOSITORY_ROOT } from './fixtures.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInProcess(
  argv: ReadonlyArray<string>,
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    user: 'tester',
  });
  return { code, stdout, stderr };
}

export const BUILT_CLI = join(REPOSITORY_ROOT, 'dist', 'cli', 'main.js');

const execFileAsync = promisify(execFile);

/** Runs `node dist/cli/main.js ...` to completion, bounded in time. */
export async function runBuilt(argv: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BUILT_CLI, ...argv], {
      cwd: REPOSITORY_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    if (error !== null && typeof error === 'object' && 'stdout' in error && 'stderr' in error && 'code' in error) {
      return { code: Number(error.code), stdout: String(error.stdout), stderr: String(error.stderr) };
    }
    throw error;
  }
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Everything the server wrote to stdout (its JSON log) so far. */
  stdout(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `sre-agent serve` and waits until it says where it listens. */
export async function startBuiltServer(
  argv: ReadonlyArray<string>,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const child = spawn(process.execPath, [BUILT_CLI, 'serve', ...argv], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // No caller gets a handle to stop a server that never said where it listens, so stop it here.
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${err}`));
    }, 180_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /is serving (http:\/\/\S+)/.exec(err);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${err}`));
    });
  });
  return {
    child,
    url,
    stderr: () => err,
    stdout: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
