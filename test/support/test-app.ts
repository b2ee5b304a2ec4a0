/**
 * The HTTP API on a real store of each dialect, built without listening, with a fixed clock.
 * @module
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Role, systemPrincipal, type TokenService } from '../../src/auth/index.js';
import type { CatalogueService } from '../../src/catalogue/index.js';
import { FixedClock } from '../../src/clock/index.js';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/http/index.js';
import { appServicesOf, assembleRuntime, type Runtime } from '../../src/runtime/create-runtime.js';
import type { StoreDialect } from '../../src/store/index.js';
import { REPOSITORY_ROOT } from './fixtures.js';
import { openTestStore, type TestStore } from './test-store.js';

export { REPOSITORY_ROOT };

export const EXAMPLE_CATALOGUE = join(REPOSITORY_ROOT, 'examples', 'catalogue');

export const TEST_LEDGER_ORIGIN = 'test.sre-agent.local/ledger';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly clock: FixedClock;
  readonly tokens: TokenService;
  readonly catalogue: CatalogueService;
  readonly testStore: TestStore;
  readonly runtime: Runtime;
  /** The data directory, which holds the ledger signing key. */
  readonly dataDir: string;
  /** A private copy of the example catalogue that a test may break and mend. */
  readonly catalogueDir: string;
  /** Creates a token with the role and returns its Authorization header. */
  bearer(role: Role, name?: string): Promise<{ authorization: string }>;
  cleanup(): Promise<void>;
}

/** `overrides` are configuration sections merged over the test defaults, such as `notifications`. */
export async function buildTestApp(
  dialect: StoreDialect,
  overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
  options: { readonly dashboardDirectory?: string } = {},
): Promise<TestApp> {
  const testStore = await openTestStore(dialect);
  const catalogueDir = await mkdtemp(join(tmpdir(), 'sre-catalogue-'));
  await cp(EXAMPLE_CATALOGUE, catalogueDir, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'sre-data-'));
  const clock = FixedClock.at('2026-11-27T10:00:00Z');
  const config = await loadConfig({
    env: {},
    overrides: {
      storage: { dataDir },
      catalogue: { path: catalogueDir },
      ledger: { origin: TEST_LEDGER_ORIGIN },
      server: { bodyLimit: 64 * 1024 },
      ...overrides,
    },
  });
  const runtime = await assembleRuntime(testStore.store, config, { clock, processMetrics: false });
  const { tokens, catalogue } = runtime;
  await catalogue.reload(systemPrincipal('test'));
  const app = await buildApp({
    version: 'test',
    bodyLimit: config.server.bodyLimit,
    logger: undefined,
    ...appServicesOf(runtime),
    dashboardDirectory: options.dashboardDirectory,
  });
  let counter = 0;
  return {
    app,
    clock,
    tokens,
    catalogue,
    testStore,
    runtime,
    dataDir,
    catalogueDir,
    async bearer(role, name) {
      counter += 1;
      const created = await tokens.createToken(systemPrincipal('test'), {
        name: name ?? `${role}-${counter}`,
        role,
        scope: role === 'integration' ? 'alertmanager' : undefined,
      });
      return { authorization: `Bearer ${created.token}` };
    },
    async cleanup() {
      await app.close();
      await runtime.close();
      await testStore.cleanup();
      await rm(catalogueDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON requests to the app with one set of headers, as one caller makes them. */
export function clientOf(app: TestApp, headers: { readonly authorization: string }) {
  const send = (method: 'POST' | 'PUT', url: string, body: unknown) =>
    app.app.inject({
      method,
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  return {
    get: (url: string) => app.app.inject({ url, headers }),
    post: (url: string, body: unknown = {}) => send('POST', url, body),
    put: (url: string, body: unknown) => send('PUT', url, body),
  };
}
