import type { CatalogueIndex } from '../catalogue/index.js';
import type { Clock } from '../clock/index.js';
import {
  alertResolvedInIncident,
  CorrelationCache,
  correlateAlert,
  impactOf,
  type SeverityPolicy,
  severityFor,
} from '../incidents/index.js';
import type { Ledger, LedgerTransaction } from '../ledger/index.js';
import { correlationKeyOf, enrichAlert } from './alert-enrichment.js';
import { alertFiredEvent, alertResolvedEvent } from './alert-events.js';
import type { AlertInbox, InboxEntry } from './alert-inbox.js';
import { transitionsOf } from './alert-transitions.js';
import type { AlertEnrichment, AlertStatus, ReceivedAlert, RecordedAlert } from './types.js';

export interface AlertProcessingOptions {
  /** The label naming an alert's catalogue service. */
  readonly serviceLabel: string;
  readonly correlationWindowMs: number;
  readonly severityPolicy: SeverityPolicy;
  /** Inbox entries read per transaction. */
  readonly batchSize: number;
  /**
   * Alerts turned into events per transaction, at least one entry's worth: a transaction holds the database, and
   * receipts wait for it, so rounds stay short.
   */
  readonly maxAlertsPerRound: number;
  /** How long a receipt waits for others before processing starts, so that a burst shares rounds. */
  readonly coalesceMs: number;
}

export interface ProcessedRound {
  readonly entries: number;
  readonly alerts: number;
  readonly fired: number;
  readonly resolved: number;
  readonly repeats: number;
  readonly incidentsDeclared: number;
  readonly alertsLinked: number;
}

interface ProcessorLogger {
  warn(object: object, message: string): void;
}

const EMPTY_ROUND: ProcessedRound = {
  entries: 0,
  alerts: 0,
  fired: 0,
  resolved: 0,
  repeats: 0,
  incidentsDeclared: 0,
  alertsLinked: 0,
};

/**
 * Turns inbox entries into alert transitions, enrichment and correlation, in receipt order, one transaction per round
 * under the ledger's lock: two processes draining one database never record a transition twice.
 */
export class AlertProcessor {
  private draining: Promise<ProcessedRound> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(round: ProcessedRound) => void>();

  private constructor(
    private readonly ledger: Ledger,
    private readonly inbox: AlertInbox,
    private readonly catalogue: () => CatalogueIndex | undefined,
    private readonly clock: Clock,
    private readonly options: AlertProcessingOptions,
    private readonly logger: ProcessorLogger | undefined,
  ) {}

  static create(deps: {
    readonly ledger: Ledger;
    readonly inbox: AlertInbox;
    readonly catalogue: () => CatalogueIndex | undefined;
    readonly clock: Clock;
    readonly options: AlertProcessingOptions;
    readonly logger?: ProcessorLogger | undefined;
  }): AlertProcessor {
    return new AlertProcessor(deps.ledger, deps.inbox, deps.catalogue, deps.clock, deps.options, deps.logger);
  }

  /** Called after each drained round that did something. */
  onProcessed(listener: (round: ProcessedRound) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks for a drain soon; receipts call this so that correlation follows within milliseconds. */
  schedule(): void {
    if (this.draining !== undefined) {
      this.again = true;
      return;
    }
    if (this.soon !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.drain().catch((error: unknown) => this.logger?.warn({ err: error }, 'processing received alerts failed'));
    }, this.options.coalesceMs);
  }

  /** Processes until the inbox is empty; concurrent callers share the one drain in progress. */
  async drain(): Promise<ProcessedRound> {
    if (this.draining !== undefined) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drainAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  start(intervalMs: number): void {
    this.stopTimer();
    this.timer = setInterval(() => this.schedule(), intervalMs);
    this.timer.unref();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopTimer();
    if (this.soon !== undefined) clearTimeout(this.soon);
    this.soon = undefined;
    await this.draining?.catch(() => undefined);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async drainAll(): Promise<ProcessedRound> {
    let total = EMPTY_ROUND;
    for (;;) {
      this.again = false;
      const round = await this.ledger.transact((tx) => this.round(tx));
      if (round.entries > 0) for (const listener of this.listeners) listener(round);
      total = sum(total, round);
      // A receipt that arrived during the round may not have been visible to it: go round again.
      if (!this.again && (round.entries === 0 || !round.full)) return total;
    }
  }

  private async round(tx: LedgerTransaction): Promise<ProcessedRound & { readonly full: boolean }> {
    const taken = await this.inbox.take(tx.db, this.options.batchSize);
    if (taken.length === 0) return { ...EMPTY_ROUND, full: false };
    const entries: InboxEntry[] = [];
    let alerts = 0;
    for (const entry of taken) {
      if (entries.length > 0 && alerts + entry.batch.alerts.length > this.options.maxAlertsPerRound) break;
      entries.push(entry);
      alerts += entry.batch.alerts.length;
    }
    const recorded = await this.recorded(
      tx,
      entries.flatMap((entry) => entry.batch.alerts.map((alert) => alert.fingerprint)),
    );
    let round = { ...EMPTY_ROUND, entries: entries.length };
    const cache = new CorrelationCache();
    for (const entry of entries) {
      round = sum(round, await this.processEntry(tx, entry, recorded, cache));
    }
    await this.inbox.remove(
      tx.db,
      entries.map((entry) => entry.id),
    );
    // More may be waiting when this round stopped short of what it read, or read as much as it may.
    return { ...round, full: entries.length < taken.length || taken.length === this.options.batchSize };
  }

  private async processEntry(
    tx: LedgerTransaction,
    entry: InboxEntry,
    recorded: Map<string, RecordedAlert>,
    cache: CorrelationCache,
  ): Promise<ProcessedRound> {
    const { batch, actor } = entry;
    const { transitions, repeats } = transitionsOf(recorded, batch.alerts);
    const catalogue = this.catalogue();
    const now = this.clock.now();
    let fired = 0;
    let resolved = 0;
    let incidentsDeclared = 0;
    let alertsLinked = 0;
    for (const transition of transitions) {
      const { alert } = transition;
      if (transition.kind === 'fired') {
        fired += 1;
        const enrichment = enrichAlert(catalogue, alert, this.options.serviceLabel);
        const correlated = await this.correlate(tx, actor, alert, enrichment, now, cache);
        const incidentId = correlated?.incidentId;
        if (correlated !== undefined) {
          alertsLinked += 1;
          if (correlated.declared) incidentsDeclared += 1;
        }
        await tx.append(
          alertFiredEvent({ actor, source: batch.source, alert, groupKey: batch.groupKey, enrichment, incidentId }),
        );
        recorded.set(alert.fingerprint, state(alert, 'firing', enrichment.service, incidentId));
      } else {
        resolved += 1;
        await tx.append(alertResolvedEvent(actor, alert));
        const current = recorded.get(alert.fingerprint) ?? transition.previous;
        recorded.set(alert.fingerprint, { ...current, status: 'resolved' });
        if (current.incidentId !== undefined && current.service !== undefined) {
          await alertResolvedInIncident(
            tx,
            {
              actor,
              incidentId: current.incidentId,
              service: current.service,
              endsAt: alert.endsAt ?? now.toISOString(),
            },
            cache,
          );
        }
      }
    }
    return {
      entries: 0,
      alerts: batch.alerts.length,
      fired,
      resolved,
      repeats,
      incidentsDeclared,
      alertsLinked,
    };
  }

  private async correlate(
    tx: LedgerTransaction,
    actor: string,
    alert: ReceivedAlert,
    enrichment: AlertEnrichment,
    now: Date,
    cache: CorrelationCache,
  ): Promise<{ readonly incidentId: string; readonly declared: boolean } | undefined> {
    const key = correlationKeyOf(enrichment);
    const { service, tier } = enrichment;
    if (key === undefined || service === undefined || tier === undefined) return undefined;
    const severity = severityFor(this.options.severityPolicy, {
      tier: tier as 1 | 2 | 3 | 4,
      impact: impactOf(this.options.severityPolicy, alert.labels.severity),
      supportsImportantBusinessService: enrichment.importantBusinessServices.length > 0,
    });
    return correlateAlert(
      tx,
      {
        actor,
        alertname: alert.labels.alertname ?? 'alert',
        title: titleOf(alert, service),
        summary: alert.annotations.description ?? alert.annotations.summary,
        service,
        startsAt: alert.startsAt,
        correlationKey: key,
        severity,
        now,
        windowMs: this.options.correlationWindowMs,
      },
      cache,
    );
  }

  private async recorded(tx: LedgerTransaction, fingerprints: ReadonlyArray<string>) {
    const unique = [...new Set(fingerprints)];
    const recorded = new Map<string, RecordedAlert>();
    for (let start = 0; start < unique.length; start += 500) {
      const rows = await tx.db
        .selectFrom('alerts')
        .select(['fingerprint', 'status', 'starts_at', 'service', 'incident_id'])
        .where('fingerprint', 'in', unique.slice(start, start + 500))
        .execute();
      for (const row of rows) {
        recorded.set(row.fingerprint, {
          fingerprint: row.fingerprint,
          status: row.status === 'firing' ? 'firing' : 'resolved',
          startsAt: row.starts_at,
          service: row.service ?? undefined,
          incidentId: row.incident_id ?? undefined,
        });
      }
    }
    return recorded;
  }
}

function state(
  alert: ReceivedAlert,
  status: AlertStatus,
  service: string | undefined,
  incidentId: string | undefined,
): RecordedAlert {
  return { fingerprint: alert.fingerprint, status, startsAt: alert.startsAt, service, incidentId };
}

function titleOf(alert: ReceivedAlert, service: string): string {
  const summary = alert.annotations.summary;
  if (summary !== undefined && summary.trim() !== '') return summary.trim().slice(0, 200);
  return `${alert.labels.alertname ?? 'Alert'} on ${service}`;
}

function sum(a: ProcessedRound, b: ProcessedRound): ProcessedRound {
  return {
    entries: a.entries + b.entries,
    alerts: a.alerts + b.alerts,
    fired: a.fired + b.fired,
    resolved: a.resolved + b.resolved,
    repeats: a.repeats + b.repeats,
    incidentsDeclared: a.incidentsDeclared + b.incidentsDeclared,
    alertsLinked: a.alertsLinked + b.alertsLinked,
  };
}
