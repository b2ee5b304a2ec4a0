/**
 * The real HTTP API on SQLite with the example catalogue, listening on 127.0.0.1, with an integration token: what the
 * intake and gate benchmarks load.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemPrincipal } from '../src/auth/index.js';
import { SystemClock } from '../src/clock/index.js';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/http/index.js';
import { appServicesOf, assembleRuntime, type Runtime } from '../src/runtime/create-runtime.js';
import { openStore } from '../src/store/index.js';
import { REPOSITORY_ROOT } from '../test/support/fixtures.js';

export interface BenchServer {
  readonly runtime: Runtime;
  /** Where the server listens, such as http://127.0.0.1:40123. */
  readonly address: string;
  /** `Bearer <token>` of an integration token with the scope asked for. */
  readonly authorization: string;
  /** Keep-alive connections for the load generator. */
  readonly agent: Agent;
}

export async function withBenchServer<T>(scope: string, work: (server: BenchServer) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `sre-bench-${scope}-`));
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const store = await openStore({ dialect: 'sqlite', file: join(dir, 'sre-agent.db') });
    const config = await loadConfig({
      env: {},
      overrides: { storage: { dataDir: dir }, catalogue: { path: join(REPOSITORY_ROOT, 'examples', 'catalogue') } },
    });
    const runtime = await assembleRuntime(store, config, { clock: SystemClock.create(), processMetrics: false });
    try {
      await runtime.catalogue.reload(systemPrincipal('bench'));
      const app = await buildApp({
        version: 'bench',
        bodyLimit: 64 * 1024,
        logger: undefined,
        ...appServicesOf(runtime),
      });
      try {
        const address = await app.listen({ host: '127.0.0.1', port: 0 });
        const token = await runtime.tokens.createToken(systemPrincipal('bench'), {
          name: `bench-${scope}`,
          role: 'integration',
          scope,
        });
        return await work({ runtime, address, authorization: `Bearer ${token.token}`, agent });
      } finally {
        await app.close();
      }
    } finally {
      await runtime.close();
    }
  } finally {
    agent.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
