import { join } from 'node:path';
import type { Logger } from 'pino';
import { KyselyTokenStore, TokenService } from '../auth/index.js';
import { CatalogueService, KyselyCatalogueLoadStore, loadCatalogueFiles } from '../catalogue/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { Metrics } from '../observability/index.js';
import { openStore, type Store, type StoreOptions } from '../store/index.js';
import { VERSION } from '../version.js';

/** Everything a running sre-agent is made of, wired once. The one composition root. */
export interface Runtime {
  readonly config: Config;
  readonly clock: Clock;
  readonly store: Store;
  readonly tokens: TokenService;
  readonly catalogue: CatalogueService;
  readonly metrics: Metrics;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Process metrics are global to the process; tests building several runtimes turn them off. */
  readonly processMetrics?: boolean;
}

export function storeOptionsOf(config: Config): StoreOptions {
  return config.storage.databaseUrl === undefined
    ? { dialect: 'sqlite', file: join(config.storage.dataDir, 'sre-agent.db') }
    : { dialect: 'postgres', url: config.storage.databaseUrl, poolSize: config.storage.poolSize };
}

export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger;
  const store = await openStore(storeOptionsOf(config), (error) =>
    logger?.warn(
      { code: 'code' in error ? error.code : undefined },
      'an idle database connection failed; it will be replaced',
    ),
  );
  const tokens = TokenService.create({ store: KyselyTokenStore.create(store.db), clock: options.clock });
  const metrics = Metrics.create({ version: VERSION, processMetrics: options.processMetrics ?? true });
  const catalogue = CatalogueService.create({
    source: config.catalogue.path,
    read: loadCatalogueFiles,
    loads: KyselyCatalogueLoadStore.create(store.db),
    clock: options.clock,
    onLoad: (outcome) => metrics.catalogueReloads.inc({ outcome }),
  });
  metrics.watchCatalogue(catalogue);
  return {
    config,
    clock: options.clock,
    store,
    tokens,
    catalogue,
    metrics,
    close: () => store.close(),
  };
}
