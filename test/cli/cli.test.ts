import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runInProcess } from '../support/cli-runner.js';
import { sharedPostgres, stopSharedPostgres } from '../support/postgres-cluster.js';
import { EXAMPLE_CATALOGUE, REPOSITORY_ROOT } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

const BROKEN = join(REPOSITORY_ROOT, 'test', 'fixtures', 'broken-catalogue');

describe('sre-agent validate', () => {
  test('exits 0 and summarises a clean catalogue', async () => {
    const result = await runInProcess(['validate', EXAMPLE_CATALOGUE]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /valid: 7 teams, 15 services, 3 important business services, 4 third parties, 3 freeze windows/,
    );
  });

  test('exits 1 and lists every problem as file:line:column with its path', async () => {
    const result = await runInProcess(['validate', BROKEN]);
    assert.equal(result.code, 1);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 8);
    for (const line of lines) assert.match(line, /^\S+\.yaml:\d+:\d+: /);
    assert.ok(
      lines.some((line) => line.endsWith('services.yaml:8:28: unknown service "fraud" (services[0].dependencies[1])')),
    );
    assert.ok(lines.some((line) => /syntax\.yaml:6:1: YAML syntax: /.test(line)));
    assert.match(result.stderr, /8 problems in 3 files/);
  });

  test('prints JSON for machines', async () => {
    const result = await runInProcess(['validate', BROKEN, '--format', 'json']);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.valid, false);
    assert.equal(report.problems.length, 8);
    assert.deepEqual(Object.keys(report.problems[0]).sort(), ['code', 'column', 'file', 'line', 'message', 'path']);
  });

  test('the catalogue example in the README is valid', async (t) => {
    const readme = await readFile(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(yaml !== undefined, 'README has no yaml block');
    const dir = await mkdtemp(join(tmpdir(), 'sre-readme-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'catalogue.yaml'), yaml);
    const result = await runInProcess(['validate', dir]);
    assert.equal(result.code, 0, result.stdout);
  });

  test('exits 2 on a usage error or a path that does not exist', async () => {
    assert.equal((await runInProcess(['validate', '--format', 'xml', EXAMPLE_CATALOGUE])).code, 2);
    assert.equal((await runInProcess(['validate', join(tmpdir(), 'no-such-catalogue')])).code, 2);
    assert.equal((await runInProcess(['no-such-command'])).code, 2);
    assert.equal((await runInProcess(['--help'])).code, 0);
  });
});

for (const dialect of DIALECTS) {
  describe(`${dialect}: sre-agent token`, () => {
    test('creates a token shown once, lists it without its value, and revokes it', async (t) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'sre-cli-'));
      t.after(() => rm(dataDir, { recursive: true, force: true }));
      const env: Record<string, string> = {};
      if (dialect === 'postgres') env.DATABASE_URL = await (await sharedPostgres()).createDatabase();
      const storage = ['--data-dir', dataDir];

      const created = await runInProcess(['token', 'create', '--name', 'ci', '--role', 'engineer', ...storage], env);
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^sre_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.stdout, `${token}\n`, 'stdout holds the token and nothing else');

      const listed = await runInProcess(['token', 'list', ...storage], env);
      assert.equal(listed.code, 0);
      assert.match(listed.stdout, /^NAME\s+ROLE/);
      assert.match(listed.stdout, /ci\s+engineer\s+-\s+active/);
      assert.ok(!listed.stdout.includes(token.slice(12)), 'the token value is never listed');

      const json = JSON.parse((await runInProcess(['token', 'list', '--json', ...storage], env)).stdout);
      assert.equal(json[0].createdBy, 'local:tester');

      const duplicate = await runInProcess(['token', 'create', '--name', 'ci', '--role', 'viewer', ...storage], env);
      assert.equal(duplicate.code, 1);
      assert.match(duplicate.stderr, /already exists/);

      const badRole = await runInProcess(['token', 'create', '--name', 'x', '--role', 'superuser', ...storage], env);
      assert.equal(badRole.code, 2);

      const unscoped = await runInProcess(
        ['token', 'create', '--name', 'am', '--role', 'integration', ...storage],
        env,
      );
      assert.equal(unscoped.code, 2);
      assert.match(unscoped.stderr, /scope/);

      const revoked = await runInProcess(['token', 'revoke', 'ci', ...storage], env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(
        (await runInProcess(['token', 'list', '--all', ...storage], env)).stdout,
        /ci\s+engineer\s+-\s+revoked/,
      );
      assert.equal((await runInProcess(['token', 'revoke', 'ci', ...storage], env)).code, 1);
    });
  });
}

test('a configuration file with a bad value stops the command with every problem listed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sre-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.yaml');
  await writeFile(file, 'server:\n  port: 99999\nstorage:\n  databaseUrl: mysql://x\nlogging:\n  colour: blue\n');
  const result = await runInProcess(['token', 'list', '--config', file, '--data-dir', dir]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /server\.port/);
  assert.match(result.stderr, /storage\.databaseUrl/);
  assert.match(result.stderr, /colour/);
});
