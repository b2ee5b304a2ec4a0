import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningServer, runBuilt, startBuiltServer } from '../support/cli-runner.js';
import { EXAMPLE_CATALOGUE } from '../support/test-app.js';

const ROUNDS = 2;
const CONCURRENCY = 8;
/** Kill once this many creations were acknowledged, or after KILL_AFTER_MS, whichever comes first. */
const KILL_AT_ACKNOWLEDGED = 40;
const KILL_AFTER_MS = 20_000;
// Generous: CI machines are slow and eight clients queue behind one writer.
const REQUEST_TIMEOUT_MS = 120_000;

interface LoadResult {
  readonly attempted: number;
  readonly acknowledged: ReadonlyArray<string>;
  /** Answers other than 201 while the server was meant to be up. */
  readonly unexpected: ReadonlyArray<string>;
}

/** Creates tokens from CONCURRENCY clients at once and kills the server with SIGKILL in the middle of it. */
async function loadThenKill(server: RunningServer, admin: string, round: number): Promise<LoadResult> {
  const acknowledged: string[] = [];
  const unexpected: string[] = [];
  let attempted = 0;
  let killed = false;
  const client = async (clientId: number): Promise<void> => {
    for (let n = 0; !killed; n += 1) {
      const name = `round${round}-client${clientId}-${n}`;
      attempted += 1;
      try {
        const response = await fetch(`${server.url}/api/v1/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name, role: 'viewer' }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        // The status line is only sent once the transaction has committed.
        if (response.status === 201) acknowledged.push(name);
        else if (!killed) unexpected.push(`${name}: HTTP ${response.status}`);
        await response.body?.cancel().catch(() => undefined);
      } catch (error: unknown) {
        if (!killed) unexpected.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const clients = Array.from({ length: CONCURRENCY }, (_, clientId) => client(clientId));
  const deadline = Date.now() + KILL_AFTER_MS;
  while (acknowledged.length < KILL_AT_ACKNOWLEDGED && Date.now() < deadline && unexpected.length === 0) {
    await sleep(10);
  }
  killed = true;
  server.child.kill('SIGKILL');
  await Promise.all(clients);
  await server.stop();
  return { attempted, acknowledged: [...acknowledged], unexpected };
}

async function tokenNames(server: RunningServer, admin: string): Promise<Set<string>> {
  const response = await fetch(`${server.url}/api/v1/tokens`, {
    headers: { authorization: `Bearer ${admin}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  assert.equal(response.status, 200);
  const body: unknown = await response.json();
  assert.ok(body !== null && typeof body === 'object' && 'items' in body && Array.isArray(body.items));
  return new Set(
    body.items.map((item: unknown) =>
      item !== null && typeof item === 'object' && 'name' in item ? String(item.name) : '',
    ),
  );
}

describe('sqlite: ledger durability under kill -9', () => {
  test('every acknowledged creation survives SIGKILL, and the ledger verifies and replays', {
    timeout: 600_000,
  }, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sre-durability-'));
    const running = new Set<RunningServer>();
    t.after(async () => {
      for (const server of running) await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const env = { SRE_AGENT_LOG_LEVEL: 'silent' };
    const args = ['--port', '0', '--catalogue', EXAMPLE_CATALOGUE, '--data-dir', dataDir, '--bootstrap-admin-token'];
    const start = async (): Promise<RunningServer> => {
      const server = await startBuiltServer(args, env);
      running.add(server);
      return server;
    };

    let server = await start();
    const admin = /\n {2}(sre_[A-Za-z0-9_-]{43})\n/.exec(server.stderr())?.[1];
    assert.ok(admin !== undefined, `no bootstrap token in:\n${server.stderr()}`);

    const acknowledged: string[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const load = await loadThenKill(server, admin, round);
      running.delete(server);
      t.diagnostic(
        `round ${round}: ${load.acknowledged.length} of ${load.attempted} creations acknowledged before kill -9`,
      );
      assert.deepEqual(load.unexpected, [], 'requests failed while the server was up');
      assert.ok(load.acknowledged.length > 0, 'nothing was acknowledged before the kill');
      acknowledged.push(...load.acknowledged);

      server = await start();
      const names = await tokenNames(server, admin);
      const lost = acknowledged.filter((name) => !names.has(name));
      assert.deepEqual(lost, [], `acknowledged creations lost after round ${round}`);
    }

    const code = await server.stop();
    running.delete(server);
    assert.equal(code, 0, server.stderr());

    const verified = await runBuilt(['ledger', 'verify', '--json', '--data-dir', dataDir], env);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    const report: unknown = JSON.parse(verified.stdout);
    assert.ok(report !== null && typeof report === 'object' && 'size' in report && 'latestCheckpointSize' in report);
    assert.equal(report.latestCheckpointSize, report.size, 'a graceful stop leaves every entry under a checkpoint');
    t.diagnostic(`the ledger holds ${String(report.size)} entries`);

    const replayed = await runBuilt(['ledger', 'replay', '--data-dir', dataDir], env);
    assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
  });
});
