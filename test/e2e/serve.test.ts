import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runBuilt, startBuiltServer } from '../support/cli-runner.js';
import { sharedPostgres, stopSharedPostgres } from '../support/postgres-cluster.js';
import { EXAMPLE_CATALOGUE, REPOSITORY_ROOT } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

async function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, body: await response.text() };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: sre-agent serve, end to end`, () => {
    test('first start makes an admin token; the API, tokens from the CLI and a graceful stop all work', async (t) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'sre-e2e-'));
      t.after(() => rm(dataDir, { recursive: true, force: true }));
      const env: Record<string, string> = { SRE_AGENT_LOG_LEVEL: 'info' };
      if (dialect === 'postgres') env.DATABASE_URL = await (await sharedPostgres()).createDatabase();
      const args = ['--port', '0', '--catalogue', EXAMPLE_CATALOGUE, '--data-dir', dataDir, '--bootstrap-admin-token'];

      const server = await startBuiltServer(args, env);
      let stopped = false;
      t.after(async () => {
        if (!stopped) await server.stop();
      });
      const token = /\n {2}(sre_[A-Za-z0-9_-]{43})\n/.exec(server.stderr())?.[1];
      assert.ok(token !== undefined, `no bootstrap token in:\n${server.stderr()}`);
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);

      assert.equal((await get(`${server.url}/readyz`)).status, 200);
      assert.equal((await get(`${server.url}/api/v1/services`)).status, 401);
      const services = await get(`${server.url}/api/v1/services`, token);
      assert.equal(services.status, 200);
      assert.equal(JSON.parse(services.body).items.length, 15);

      const storage = dialect === 'sqlite' ? ['--data-dir', dataDir] : [];
      const created = await runBuilt(['token', 'create', '--name', 'dashboard', '--role', 'viewer', ...storage], env);
      assert.equal(created.code, 0, created.stderr);
      const viewer = created.stdout.trim();
      assert.equal((await get(`${server.url}/api/v1/teams`, viewer)).status, 200);

      const reload = await fetch(`${server.url}/api/v1/catalogue/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${viewer}` },
        signal: AbortSignal.timeout(60_000),
      });
      assert.equal(reload.status, 403);

      const code = await server.stop();
      stopped = true;
      assert.equal(code, 0, server.stderr());
      const log = server.stdout();
      const lines = log.trim().split('\n');
      for (const line of lines) JSON.parse(line);
      assert.ok(
        lines.some((line) => line.includes('"reqId"')),
        'requests are logged with their id',
      );
      assert.ok(!log.includes(token) && !log.includes(viewer), 'a token reached the log');
      assert.match(log, /shutting down/);

      const second = await startBuiltServer(args, env);
      const secondCode = await second.stop();
      assert.equal(secondCode, 0);
      assert.doesNotMatch(second.stderr(), /sre_[A-Za-z0-9_-]{43}/, 'a second start must not make another token');
    });
  });
}

test('serve refuses to start on a catalogue with problems and says where they are', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sre-e2e-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const result = await runBuilt(
    [
      'serve',
      '--port',
      '0',
      '--catalogue',
      join(REPOSITORY_ROOT, 'test', 'fixtures', 'broken-catalogue'),
      '--data-dir',
      dataDir,
    ],
    { SRE_AGENT_LOG_LEVEL: 'silent' },
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, /services\.yaml:8:28: unknown service "fraud"/);
  assert.match(result.stderr, /has 8 problems/);
});

test('serve says clearly when its port is taken, and exits 3', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sre-e2e-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const address = blocker.address();
  assert.ok(address !== null && typeof address === 'object');
  const result = await runBuilt(
    ['serve', '--port', String(address.port), '--catalogue', EXAMPLE_CATALOGUE, '--data-dir', dataDir],
    { SRE_AGENT_LOG_LEVEL: 'silent' },
  );
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /cannot listen on 127\.0\.0\.1:\d+: something else is listening there/);
  assert.doesNotMatch(result.stderr, /unexpected error/);
});
