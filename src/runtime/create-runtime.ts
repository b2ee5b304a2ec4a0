import { join } from 'node:path';
import type { Logger } from 'pino';
import { AlertInbox, AlertProcessor, AlertService, putSloBurnAlerts } from '../alerts/index.js';
import { systemPrincipal, TokenService } from '../auth/index.js';
import { CatalogueService, loadCatalogueFiles } from '../catalogue/index.js';
import { ChangeService } from '../changes/change-service.js';
import { DeploymentService } from '../changes/deployment-service.js';
import { GateService } from '../changes/gate-service.js';
import { GitHubProtectionRules } from '../changes/integrations/github-protection-rule.js';
import { type Clock, PeriodicTask, parseDuration } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { ClockReminders, DEFAULT_SEVERITY_POLICY, IncidentNotifier, IncidentService } from '../incidents/index.js';
import { Ledger, type LedgerKeys, LedgerService, loadLedgerKeys } from '../ledger/index.js';
import { NotificationDeliverer, Outbox } from '../notify/index.js';
import { Metrics } from '../observability/index.js';
import { ContributionService } from '../reports/contribution-service.js';
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
  readonly alertInbox: AlertInbox;
  readonly alertProcessor: AlertProcessor;
  readonly alerts: AlertService;
  readonly incidents: IncidentService;
  readonly outbox: Outbox;
  readonly notifications: NotificationDeliverer;
  readonly clockReminders: ClockReminders;
  readonly changes: ChangeService;
  readonly gate: GateService;
  readonly deployments: DeploymentService;
  /** The GitHub deployment protection rule receiver, when `github` is configured. */
  readonly github: GitHubProtectionRules | undefined;
  /** Records emergency changes whose retrospective approval is overdue. */
  readonly changePolicy: PeriodicTask;
  readonly contributions: ContributionService;
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
  const catalogueIndex = () => (catalogue.status().loaded ? catalogue.index() : undefined);
  const alertInbox = AlertInbox.create({ db: store.db, clock: options.clock });
  const alertProcessor = AlertProcessor.create({
    ledger,
    inbox: alertInbox,
    catalogue: catalogueIndex,
    clock: options.clock,
    options: {
      serviceLabel: config.alerts.serviceLabel,
      correlationWindowMs: millisecondsOf(config.alerts.correlationWindow),
      severityPolicy: DEFAULT_SEVERITY_POLICY,
      batchSize: 100,
      maxAlertsPerRound: 500,
      coalesceMs: 5,
    },
    logger,
  });
  alertProcessor.onProcessed((round) => {
    metrics.alertsProcessed.inc({ outcome: 'fired' }, round.fired);
    metrics.alertsProcessed.inc({ outcome: 'resolved' }, round.resolved);
    metrics.alertsProcessed.inc({ outcome: 'repeat' }, round.repeats);
    metrics.incidentsDeclared.inc(round.incidentsDeclared);
  });
  const alerts = AlertService.create({
    db: store.db,
    inbox: alertInbox,
    clock: options.clock,
    received: () => alertProcessor.schedule(),
  });
  const sloEvaluator = SloEvaluator.create({
    ledger,
    db: store.db,
    telemetry,
    clock: options.clock,
    slos: catalogueSlos,
    onTransitions: async (tx, changes) => {
      const burning = changes.flatMap(({ slo, transition }) => {
        const to = transition.to === 'firing' ? 'firing' : transition.from === 'firing' ? 'resolved' : undefined;
        if (to === undefined) return [];
        return [
          {
            sloId: slo.id,
            sloName: slo.name,
            service: slo.service,
            tier: transition.tier.name,
            severity: transition.tier.severity,
            to,
            factor: transition.tier.factor,
            longWindow: transition.status.longWindow,
            longBurnRate: transition.status.longBurnRate,
          } as const,
        ];
      });
      await putSloBurnAlerts(alertInbox, tx.db, burning, options.clock.now());
      if (burning.length > 0) queueMicrotask(() => alertProcessor.schedule());
    },
    onError: (error) => logger?.error({ err: error }, 'SLO evaluation failed; retrying on the next tick'),
  });
  const slos = SloService.create({
    slos: catalogueSlos,
    evaluator: sloEvaluator,
    telemetry,
    points: sliStore,
    clock: options.clock,
  });
  const incidents = IncidentService.create({
    db: store.db,
    ledger,
    clock: options.clock,
    catalogue: catalogueIndex,
    severityPolicy: DEFAULT_SEVERITY_POLICY,
    budgetConsumed: (service, from, to) => slos.budgetConsumed(service, from, to),
    timeZone: config.display.timeZone,
  });
  const outbox = Outbox.create({ routes: config.notifications.routes, clock: options.clock });
  ledger.observe(IncidentNotifier.create({ outbox, catalogue: catalogueIndex }));
  const notifications = NotificationDeliverer.fromConfig(config.notifications, {
    db: store.db,
    clock: options.clock,
    ...(logger === undefined ? {} : { logger }),
  });
  const budgetOf = async (service: string) => {
    let lowest: { remaining: number; sloId: string } | undefined;
    for (const view of await slos.list(systemPrincipal('gate'), { service })) {
      const remaining = view.status.budgetRemaining;
      if (remaining !== undefined && (lowest === undefined || remaining < lowest.remaining)) {
        lowest = { remaining, sloId: view.definition.id };
      }
    }
    return lowest;
  };
  const changes = ChangeService.create({
    db: store.db,
    ledger,
    clock: options.clock,
    catalogue: catalogueIndex,
    budgetOf,
    templates: config.changes.standardTemplates,
  });
  const gate = GateService.create({
    db: store.db,
    ledger,
    clock: options.clock,
    catalogue: catalogueIndex,
    changes,
    budgetOf,
  });
  const deployments = DeploymentService.create({
    db: store.db,
    ledger,
    clock: options.clock,
    catalogue: catalogueIndex,
  });
  ledger.observe(deployments.candidateCauseLinker());
  const changePolicy = PeriodicTask.create(
    () => changes.recordMissedRetrospectives(),
    (error) => logger?.warn({ err: error }, 'checking emergency changes for overdue approval failed'),
  );
  const githubConfig = config.github;
  const github =
    githubConfig === undefined
      ? undefined
      : GitHubProtectionRules.create({
          config: githubConfig,
          clock: options.clock,
          decide: (request) =>
            gate.check(systemPrincipal('github'), {
              service: request.service,
              source: `github:${request.environment}`,
            }),
          ...(logger === undefined ? {} : { logger }),
        });
  const contributions = ContributionService.create({
    catalogue,
    slos,
    changes,
    incidents,
    clock: options.clock,
    timeZone: config.display.timeZone,
  });
  metrics.watchQueues({ alertInbox: () => alertInbox.depth(), notificationOutbox: () => notifications.depth() });
  const clockReminders = ClockReminders.create({ db: store.db, incidents, outbox, clock: options.clock, logger });
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
    alertInbox,
    alertProcessor,
    alerts,
    incidents,
    outbox,
    notifications,
    clockReminders,
    changes,
    gate,
    deployments,
    github,
    changePolicy,
    contributions,
    async close() {
      await alertProcessor.stop();
      await changePolicy.stop();
      await github?.stop();
      await clockReminders.stop();
      await notifications.stop();
      try {
        // What this process appended is covered by a signed checkpoint before it goes.
        if (appended) await ledger.checkpoint();
      } finally {
        await store.close();
      }
    },
  };
}

/** What the HTTP API is built from, taken from a runtime. */
export function appServicesOf(runtime: Runtime) {
  return {
    store: runtime.store,
    tokens: runtime.tokens,
    catalogue: runtime.catalogue,
    metrics: runtime.metrics,
    ledger: runtime.ledgerService,
    slos: runtime.slos,
    alerts: runtime.alerts,
    incidents: runtime.incidents,
    changes: runtime.changes,
    gate: runtime.gate,
    deployments: runtime.deployments,
    github: runtime.github,
    contributions: runtime.contributions,
  } as const;
}

function millisecondsOf(duration: string): number {
  const parsed = parseDuration(duration);
  if (!parsed.ok) throw new TypeError(`configuration holds an invalid duration: ${duration}`);
  return parsed.milliseconds;
}
