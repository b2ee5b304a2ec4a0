import { join } from 'node:path';
import type { Logger } from 'pino';
import { TokenService } from '../auth/index.js';
import { CatalogueService, loadCatalogueFiles } from '../catalogue/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { Ledger, type LedgerKeys, LedgerService, loadLedgerKeys } from '../ledger/index.js';
import { Metrics } from '../observability/index.js';
import { SloEvaluator } from '../slo/slo-evaluator.js';
import { SloService } from '../slo/slo-service.js';
import type { SloDefinition } from '../slo/types.js';
import { openStore, type Store, type StoreOptions } from '../store/index.js';
import { EmbeddedSliStore } from '../telemetry/embedded-sli-store.js';
import { PrometheusSource } from '../telemetry/prometheus-source.js';
import type { TelemetrySource } from '../telemetry/telemetry-source.js';
import { VERSION } from '../version.js';
import { allProjectors } from './projectors.js';

/** Everything a running sre-agent is made of, wired once. The one composition root. */
export interface Runtime {
  readonly config: Config;
  readonly clock: Clock;
  readonly store: Store;
  readonly ledger: Ledger;
  readonly ledgerService: LedgerService;
  readonly ledgerKeys: LedgerKeys;
  readonly tokens: TokenService;
  readonly catalogue: CatalogueService;
  readonly metrics: Metrics;
  readonly telemetry: TelemetrySource;
  /** The embedded SLI store, when SLIs are pushed rather than read from Prometheus. */
  readonly sliStore: EmbeddedSliStore | undefined;
  readonly sloEvaluator: SloEvaluator;
  readonly slos: SloService;
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
  try {
    return await assembleRuntime(store, config, options);
  } catch (error: unknown) {
    await store.close();
    throw error;
  }
}

/** Wires every component on an open, migrated store; the runtime's close() closes the store. */
export async function assembleRuntime(store: Store, config: Config, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger;
  const ledgerKeys = await loadLedgerKeys({
    dataDir: config.storage.dataDir,
    origin: config.ledger.origin,
    keyFile: config.ledger.keyFile,
    key: config.ledger.key,
  });
  if (ledgerKeys.created) logger?.info({ file: ledgerKeys.source }, 'created the ledger signing key');
  const metrics = Metrics.create({ version: VERSION, processMetrics: options.processMetrics ?? true });
  const projectors = allProjectors();
  const ledger = Ledger.create({
    db: store.db,
    clock: options.clock,
    projectors,
    signing: { origin: config.ledger.origin, signers: ledgerKeys.signers },
  });
  let appended = false;
  ledger.onAppended((size) => {
    appended = true;
    metrics.ledgerAppends.inc();
    metrics.ledgerEntries.set(Number(size));
  });
  const ledgerService = LedgerService.create({
    ledger,
    db: store.db,
    projectors,
    signers: ledgerKeys.signers,
    clock: options.clock,
  });
  const tokens = TokenService.create({ db: store.db, ledger, clock: options.clock });
  const catalogue = CatalogueService.create({
    source: config.catalogue.path,
    read: loadCatalogueFiles,
    ledger,
    clock: options.clock,
    onLoad: (outcome) => metrics.catalogueReloads.inc({ outcome }),
  });
  metrics.watchCatalogue(catalogue);

  const sliStore = config.slo.telemetry === 'embedded' ? EmbeddedSliStore.create(store.db, options.clock) : undefined;
  const telemetry: TelemetrySource =
    sliStore ??
    PrometheusSource.create({
      baseUrl: config.slo.prometheusUrl ?? 'http://127.0.0.1:9090',
      onSloError: (failure) => logger?.warn({ slo: failure.sloId }, failure.message),
    });
  const catalogueSlos = (): ReadonlyArray<SloDefinition> =>
    catalogue.status().loaded ? catalogue.index().catalogue.slos : [];
  const sloEvaluator = SloEvaluator.create({
    ledger,
    db: store.db,
    telemetry,
    clock: options.clock,
    slos: catalogueSlos,
    onError: (error) => logger?.error({ err: error }, 'SLO evaluation failed; retrying on the next tick'),
  });
  const slos = SloService.create({
    slos: catalogueSlos,
    evaluator: sloEvaluator,
    telemetry,
    points: sliStore,
    clock: options.clock,
  });
  return {
    config,
    clock: options.clock,
    store,
    ledger,
    ledgerService,
    ledgerKeys,
    tokens,
    catalogue,
    metrics,
    telemetry,
    sliStore,
    sloEvaluator,
    slos,
    async close() {
      try {
        // What this process appended is covered by a signed checkpoint before it goes.
        if (appended) await ledger.checkpoint();
      } finally {
        await store.close();
      }
    },
  };
}
