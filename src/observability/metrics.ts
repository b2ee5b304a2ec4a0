import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface CatalogueGaugeSource {
  status(): {
    readonly loaded: boolean;
    readonly loadedAt: string | undefined;
    readonly counts: Readonly<Record<string, number>> | undefined;
  };
}

/** sre-agent's own metrics, in a registry of their own (never prom-client's global one). */
export class Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly catalogueReloads: Counter<'outcome'>;
  readonly ledgerAppends: Counter;
  readonly ledgerEntries: Gauge;
  readonly ledgerCheckpointSize: Gauge;
  readonly ledgerCheckpointTimestamp: Gauge;
  readonly ledgerCheckpointFailures: Counter;
  readonly alertsProcessed: Counter<'outcome'>;
  readonly incidentsDeclared: Counter;

  private constructor(version: string, defaults: boolean) {
    this.registry = new Registry();
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'sre_agent_' });
    new Gauge({
      name: 'sre_agent_build_info',
      help: 'Always 1; the version label says which build is running.',
      labelNames: ['version'],
      registers: [this.registry],
    }).set({ version }, 1);
    this.httpRequestDuration = new Histogram({
      name: 'sre_agent_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.catalogueReloads = new Counter({
      name: 'sre_agent_catalogue_reloads_total',
      help: 'Catalogue loads attempted, by outcome (loaded or refused).',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.ledgerAppends = new Counter({
      name: 'sre_agent_ledger_append_commits_total',
      help: 'Transactions that appended to the ledger in this process.',
      registers: [this.registry],
    });
    this.ledgerEntries = new Gauge({
      name: 'sre_agent_ledger_entries',
      help: 'Entries in the ledger after the last append this process saw.',
      registers: [this.registry],
    });
    this.ledgerCheckpointSize = new Gauge({
      name: 'sre_agent_ledger_checkpoint_size',
      help: 'Tree size of the latest checkpoint this process signed.',
      registers: [this.registry],
    });
    this.ledgerCheckpointTimestamp = new Gauge({
      name: 'sre_agent_ledger_checkpoint_timestamp_seconds',
      help: 'When this process last signed a checkpoint, as Unix time.',
      registers: [this.registry],
    });
    this.ledgerCheckpointFailures = new Counter({
      name: 'sre_agent_ledger_checkpoint_failures_total',
      help: 'Checkpoint signing attempts that failed.',
      registers: [this.registry],
    });
    const intake = this.registerIntake();
    this.alertsProcessed = intake.alertsProcessed;
    this.incidentsDeclared = intake.incidentsDeclared;
  }

  private registerIntake(): { alertsProcessed: Counter<'outcome'>; incidentsDeclared: Counter } {
    return {
      alertsProcessed: new Counter({
        name: 'sre_agent_alerts_processed_total',
        help: 'Alerts taken from the inbox, by outcome: fired, resolved, or repeat (no change of state).',
        labelNames: ['outcome'],
        registers: [this.registry],
      }),
      incidentsDeclared: new Counter({
        name: 'sre_agent_incidents_declared_by_alerts_total',
        help: 'Incidents the severity policy declared from alerts.',
        registers: [this.registry],
      }),
    };
  }

  static create(options: { readonly version: string; readonly processMetrics?: boolean }): Metrics {
    return new Metrics(options.version, options.processMetrics ?? true);
  }

  /** Registers gauges read from the catalogue in force at each scrape. */
  watchCatalogue(catalogue: CatalogueGaugeSource): void {
    new Gauge({
      name: 'sre_agent_catalogue_loaded',
      help: '1 when a valid catalogue is in force.',
      registers: [this.registry],
      collect() {
        this.set(catalogue.status().loaded ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sre_agent_catalogue_last_load_timestamp_seconds',
      help: 'When the catalogue in force was loaded, as Unix time.',
      registers: [this.registry],
      collect() {
        const loadedAt = catalogue.status().loadedAt;
        this.set(loadedAt === undefined ? 0 : Date.parse(loadedAt) / 1000);
      },
    });
    new Gauge({
      name: 'sre_agent_catalogue_entries',
      help: 'Entries in the catalogue in force, by kind.',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        for (const [kind, count] of Object.entries(catalogue.status().counts ?? {})) this.set({ kind }, count);
      },
    });
  }

  /** Registers gauges of work waiting, read at each scrape: received alerts not yet processed, notifications unsent. */
  watchQueues(queues: {
    readonly alertInbox: () => Promise<number>;
    readonly notificationOutbox: () => Promise<number>;
  }): void {
    new Gauge({
      name: 'sre_agent_alert_inbox_depth',
      help: 'Alert deliveries received and not yet turned into events.',
      registers: [this.registry],
      async collect() {
        this.set(await queues.alertInbox());
      },
    });
    new Gauge({
      name: 'sre_agent_notification_outbox_depth',
      help: 'Notifications queued and not yet delivered or given up.',
      registers: [this.registry],
      async collect() {
        this.set(await queues.notificationOutbox());
      },
    });
  }
}
