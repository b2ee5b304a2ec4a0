/**
 * The HTTP API on a real store of each dialect, built without listening, with a fixed clock.
 * @module
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { KyselyTokenStore, type Role, systemPrincipal, TokenService } from '../../src/auth/index.js';
import { CatalogueService, KyselyCatalogueLoadStore, loadCatalogueFiles } from '../../src/catalogue/index.js';
import { FixedClock } from '../../src/clock/index.js';
import { buildApp } from '../../src/http/index.js';
import { Metrics } from '../../src/observability/index.js';
import type { StoreDialect } from '../../src/store/index.js';
import { openTestStore, type TestStore } from './test-store.js';

/** The repository root, from either the source tree or the compiled test tree. */
export const REPOSITORY_ROOT = findRoot();

export const EXAMPLE_CATALOGUE = join(REPOSITORY_ROOT, 'examples', 'catalogue');

export interface TestApp {
  readonly app: FastifyInstance;
  readonly clock: FixedClock;
  readonly tokens: TokenService;
  readonly catalogue: CatalogueService;
  readonly testStore: TestStore;
  /** A private copy of the example catalogue that a test may break and mend. */
  readonly catalogueDir: string;
  /** Creates a token with the role and returns its Authorization header. */
  bearer(role: Role, name?: string): Promise<{ authorization: string }>;
  cleanup(): Promise<void>;
}

export async function buildTestApp(dialect: StoreDialect): Promise<TestApp> {
  const testStore = await openTestStore(dialect);
  const catalogueDir = await mkdtemp(join(tmpdir(), 'sre-catalogue-'));
  await cp(EXAMPLE_CATALOGUE, catalogueDir, { recursive: true });
  const clock = FixedClock.at('2026-11-27T10:00:00Z');
  const metrics = Metrics.create({ version: 'test', processMetrics: false });
  const tokens = TokenService.create({ store: KyselyTokenStore.create(testStore.store.db), clock });
  const catalogue = CatalogueService.create({
    source: catalogueDir,
    read: loadCatalogueFiles,
    loads: KyselyCatalogueLoadStore.create(testStore.store.db),
    clock,
    onLoad: (outcome) => metrics.catalogueReloads.inc({ outcome }),
  });
  metrics.watchCatalogue(catalogue);
  await catalogue.reload(systemPrincipal('test'));
  const app = await buildApp({
    version: 'test',
    bodyLimit: 64 * 1024,
    logger: undefined,
    store: testStore.store,
    tokens,
    catalogue,
    metrics,
  });
  let counter = 0;
  return {
    app,
    clock,
    tokens,
    catalogue,
    testStore,
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
      await testStore.cleanup();
      await rm(catalogueDir, { recursive: true, force: true });
    },
  };
}

function findRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) {
    directory = dirname(directory);
  }
  return directory;
}
