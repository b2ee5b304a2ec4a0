/**
 * A throwaway PostgreSQL server for storage tests: initdb into a temp dir, serve on 127.0.0.1, remove on stop.
 * @module
 */

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { access, constants, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

const FALLBACK_BIN_DIR = '/usr/lib/postgresql/15/bin';
const HOST = '127.0.0.1';
const INITDB_TIMEOUT_MS = 600_000;
const PG_CTL_WAIT_SECONDS = 300;
const PG_CTL_TIMEOUT_MS = (PG_CTL_WAIT_SECONDS + 15) * 1_000;
const EXIT_STOP_TIMEOUT_MS = 15_000;
const SQL_TIMEOUT_MS = 120_000;
const START_ATTEMPTS = 3;

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`, trust auth. */
  readonly url: string;
  /** Creates a uniquely named empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server immediately and removes its directory; later calls do nothing. */
  stop(): Promise<void>;
}

/** A server tests can create databases on, whoever started it. */
export interface SharedPostgres {
  readonly url: string;
  createDatabase(): Promise<string>;
}

/** Starts a fresh PostgreSQL 15 cluster on a free port of 127.0.0.1 in a new temp dir. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const tools = new PostgresTools(await findBinDir(), process.getuid?.() === 0);
  const dir = await mkdtemp(join(tmpdir(), 'sre-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  try {
    // initdb refuses to run as root, so as root (CI) the postgres user owns the directory and runs the tools.
    if (tools.asPostgres) await execFileAsync('chown', ['postgres:postgres', dir], { timeout: 10_000 });
    await tools.run(
      'initdb',
      ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      { cwd: dir, timeout: INITDB_TIMEOUT_MS },
    );
    const port = await startServer(tools, dir, dataDir, logFile);
    return new TempPostgresCluster(`postgres://postgres@${HOST}:${port}/postgres`, dir, dataDir, tools);
  } catch (error: unknown) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    // A start that timed out may still have left a server behind.
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      await tools
        .run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop'], { cwd: dir, timeout: 20_000 })
        .catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
    const detail = log === '' ? '' : `\n--- server log (tail) ---\n${log.slice(-2_000)}`;
    throw new Error(`cannot start a test PostgreSQL cluster: ${reasonOf(error)}${detail}`, { cause: error });
  }
}

let shared: Promise<SharedPostgres> | undefined;

/**
 * The server storage tests share: the one at SRE_TEST_POSTGRES_URL when a runner started one for the whole run,
 * else a cluster started once per process. Pair it with `after(stopSharedPostgres)`.
 */
export function sharedPostgres(): Promise<SharedPostgres> {
  shared ??= openShared();
  return shared;
}

/** Stops the cluster this process started, if any; a server named by the environment is left running. */
export async function stopSharedPostgres(): Promise<void> {
  const starting = shared;
  shared = undefined;
  const server = await starting?.catch(() => undefined);
  if (server instanceof TempPostgresCluster) await server.stop();
}

/** A port on 127.0.0.1 that nothing listened on a moment ago. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('cannot read the port of a probe socket'));
      });
    });
  });
}

async function openShared(): Promise<SharedPostgres> {
  const url = process.env.SRE_TEST_POSTGRES_URL;
  if (url !== undefined && url !== '') return { url, createDatabase: () => createDatabaseOn(url) };
  return startPostgresCluster();
}

class TempPostgresCluster implements PostgresCluster {
  private stopping: Promise<void> | undefined;
  private readonly stopOnExit = (): void => this.stopSync();

  constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly dataDir: string,
    private readonly tools: PostgresTools,
  ) {
    // Safety net for a run that never reaches stop(): 'exit' listeners cannot await, so this one blocks.
    process.once('exit', this.stopOnExit);
  }

  createDatabase(): Promise<string> {
    return createDatabaseOn(this.url);
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAsync();
    return this.stopping;
  }

  private async stopAsync(): Promise<void> {
    process.removeListener('exit', this.stopOnExit);
    try {
      if (this.isRunning()) {
        await this.tools.run('pg_ctl', this.stopArgs(PG_CTL_WAIT_SECONDS), {
          cwd: this.dir,
          timeout: PG_CTL_TIMEOUT_MS,
        });
      }
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private stopSync(): void {
    try {
      if (this.isRunning()) {
        const [file, args] = this.tools.command('pg_ctl', this.stopArgs(10));
        execFileSync(file, args, { cwd: this.dir, stdio: 'ignore', timeout: EXIT_STOP_TIMEOUT_MS });
      }
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // The process is exiting and has nowhere left to report a server it could not stop.
    }
  }

  private isRunning(): boolean {
    return existsSync(join(this.dataDir, 'postmaster.pid'));
  }

  private stopArgs(waitSeconds: number): string[] {
    return ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', String(waitSeconds), 'stop'];
  }
}

/** Runs initdb and pg_ctl by absolute path, as the postgres user when this process is root. */
class PostgresTools {
  constructor(
    private readonly binDir: string,
    readonly asPostgres: boolean,
  ) {}

  command(tool: 'initdb' | 'pg_ctl', args: ReadonlyArray<string>): [string, string[]] {
    const path = join(this.binDir, tool);
    return this.asPostgres ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
  }

  async run(
    tool: 'initdb' | 'pg_ctl',
    args: ReadonlyArray<string>,
    options: { readonly cwd: string; readonly timeout: number },
  ): Promise<void> {
    const [file, fileArgs] = this.command(tool, args);
    await execFileAsync(file, fileArgs, { ...options, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 });
  }
}

async function startServer(tools: PostgresTools, dir: string, dataDir: string, logFile: string): Promise<number> {
  let lastError: unknown;
  // The free port can be taken between probing and binding by a test file running in parallel, so retry.
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await findFreePort();
    const settings = [
      `listen_addresses=${HOST}`,
      `port=${port}`,
      `unix_socket_directories=${shellQuote(dir)}`,
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      'max_connections=200',
    ];
    try {
      await tools.run(
        'pg_ctl',
        [
          '-D',
          dataDir,
          '-l',
          logFile,
          '-w',
          '-t',
          String(PG_CTL_WAIT_SECONDS),
          '-o',
          settings.map((setting) => `-c ${setting}`).join(' '),
          'start',
        ],
        { cwd: dir, timeout: PG_CTL_TIMEOUT_MS },
      );
      return port;
    } catch (error: unknown) {
      lastError = error;
    }
  }
  throw lastError;
}

async function createDatabaseOn(serverUrl: string): Promise<string> {
  const name = `sre_test_${randomBytes(8).toString('hex')}`;
  const client = new pg.Client({
    connectionString: serverUrl,
    connectionTimeoutMillis: 10_000,
    query_timeout: SQL_TIMEOUT_MS,
  });
  // A dropped connection surfaces as a rejected query; the event alone must not crash the run.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function findBinDir(): Promise<string> {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), FALLBACK_BIN_DIR];
  for (const dir of candidates) {
    if ((await isExecutable(join(dir, 'initdb'))) && (await isExecutable(join(dir, 'pg_ctl')))) return dir;
  }
  throw new Error(`initdb and pg_ctl are neither on PATH nor in ${FALLBACK_BIN_DIR}`);
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** pg_ctl hands its -o string to /bin/sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** An error's message, with the stderr of a failed child process when it has one. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const stderr = 'stderr' in error && typeof error.stderr === 'string' ? error.stderr.trim() : '';
  return stderr === '' ? error.message : `${error.message.split('\n')[0] ?? ''}: ${stderr}`;
}
