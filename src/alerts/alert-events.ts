import { z } from 'zod';
import {
  canonicalJson,
  type JsonValue,
  type LedgerEvent,
  type NewLedgerEvent,
  type Projector,
} from '../ledger/index.js';
import type { Tx } from '../store/index.js';
import type { AlertEnrichment, AlertSource, ReceivedAlert } from './types.js';

export const ALERT_FIRED = 'alert.fired';
export const ALERT_RESOLVED = 'alert.resolved';

const Labels = z.record(z.string(), z.string());

const FiredData = z.strictObject({
  fingerprint: z.string(),
  source: z.enum(['alertmanager', 'api', 'slo']),
  labels: Labels,
  annotations: Labels,
  startsAt: z.string(),
  generatorUrl: z.string().nullable(),
  groupKey: z.string().nullable(),
  /** The open incident the alert joined or declared, decided in the same transaction. */
  incidentId: z.string().nullable(),
  enrichment: z.strictObject({
    service: z.string().nullable(),
    team: z.string().nullable(),
    tier: z.number().int().nullable(),
    importantBusinessServices: z.array(z.string()),
    runbook: z.string().nullable(),
  }),
});

const ResolvedData = z.strictObject({
  fingerprint: z.string(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
});

export function alertSubject(fingerprint: string): string {
  return `alert:${fingerprint}`;
}

export function alertFiredEvent(input: {
  readonly actor: string;
  readonly source: AlertSource;
  readonly alert: ReceivedAlert;
  readonly groupKey: string | undefined;
  readonly enrichment: AlertEnrichment;
  readonly incidentId: string | undefined;
}): NewLedgerEvent {
  const { alert, enrichment } = input;
  const data = {
    fingerprint: alert.fingerprint,
    source: input.source,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    generatorUrl: alert.generatorUrl ?? null,
    groupKey: input.groupKey ?? null,
    incidentId: input.incidentId ?? null,
    enrichment: {
      service: enrichment.service ?? null,
      team: enrichment.team ?? null,
      tier: enrichment.tier ?? null,
      importantBusinessServices: [...enrichment.importantBusinessServices],
      runbook: enrichment.runbook ?? null,
    },
  } satisfies z.input<typeof FiredData>;
  return { actor: input.actor, type: ALERT_FIRED, subject: alertSubject(alert.fingerprint), data };
}

export function alertResolvedEvent(actor: string, alert: ReceivedAlert): NewLedgerEvent {
  const data = {
    fingerprint: alert.fingerprint,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt ?? null,
  } satisfies z.input<typeof ResolvedData>;
  return { actor, type: ALERT_RESOLVED, subject: alertSubject(alert.fingerprint), data };
}

/** Keeps the alerts table at each alert's latest state. */
export const alertProjector: Projector = {
  name: 'alerts',
  types: [ALERT_FIRED, ALERT_RESOLVED],
  tables: [{ name: 'alerts', key: ['fingerprint'] }],
  async apply(db: Tx, event: LedgerEvent, _restricted: JsonValue | undefined): Promise<void> {
    if (event.type === ALERT_FIRED) {
      const data = FiredData.parse(event.data);
      const row = {
        source: data.source,
        status: 'firing',
        alertname: data.labels.alertname ?? '',
        severity: data.labels.severity ?? null,
        service: data.enrichment.service,
        // Canonical, so that a replay from the ledger's leaves writes the same text.
        labels: canonicalJson(data.labels),
        annotations: canonicalJson(data.annotations),
        enrichment: canonicalJson(data.enrichment),
        group_key: data.groupKey,
        generator_url: data.generatorUrl,
        starts_at: data.startsAt,
        ends_at: null,
        fired_at: event.time,
        resolved_at: null,
        incident_id: data.incidentId,
        event_id: event.id,
      };
      await db
        .insertInto('alerts')
        .values({ fingerprint: data.fingerprint, ...row })
        .onConflict((conflict) => conflict.column('fingerprint').doUpdateSet(row))
        .execute();
    } else if (event.type === ALERT_RESOLVED) {
      const data = ResolvedData.parse(event.data);
      await db
        .updateTable('alerts')
        .set({ status: 'resolved', ends_at: data.endsAt ?? event.time, resolved_at: event.time, event_id: event.id })
        .where('fingerprint', '=', data.fingerprint)
        .execute();
    }
  },
};
