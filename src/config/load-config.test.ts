import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigInvalidError } from '../errors/index.js';
import { loadConfig } from './load-config.js';

describe('loadConfig', () => {
  test('defaults give the embedded setup', async () => {
    const config = await loadConfig({ env: {} });
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8080);
    assert.equal(config.storage.dataDir, '.sre-agent');
    assert.equal(config.storage.databaseUrl, undefined);
    assert.equal(config.display.timeZone, 'Europe/London');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server));
  });

  test('file < environment < flags', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sre-config-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'config.yaml');
    await writeFile(file, 'server:\n  port: 9000\n  host: 0.0.0.0\nlogging:\n  level: debug\n');
    const config = await loadConfig({
      file,
      env: { SRE_AGENT_PORT: '9100', DATABASE_URL: 'postgres://sre@127.0.0.1:5432/sre' },
      overrides: { server: { port: '9200' } },
    });
    assert.equal(config.server.port, 9200);
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.logging.level, 'debug');
    assert.equal(config.storage.databaseUrl, 'postgres://sre@127.0.0.1:5432/sre');
  });

  test('lists every problem at once', async () => {
    await assert.rejects(
      loadConfig({ env: { SRE_AGENT_PORT: 'eighty', SRE_AGENT_TIME_ZONE: 'Mars/Olympus', DATABASE_URL: 'mysql://x' } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigInvalidError);
        assert.deepEqual(error.details.map((detail) => detail.path).sort(), [
          'display.timeZone',
          'server.port',
          'storage.databaseUrl',
        ]);
        return true;
      },
    );
  });

  test('a missing or malformed file is a configuration error', async (t) => {
    await assert.rejects(loadConfig({ file: join(tmpdir(), 'no-such-config.yaml'), env: {} }), ConfigInvalidError);
    const dir = await mkdtemp(join(tmpdir(), 'sre-config-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'server: [\n');
    await assert.rejects(loadConfig({ file, env: {} }), /not valid YAML/);
  });
});
