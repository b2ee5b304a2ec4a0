/**
 * Steps that change incidents inside a ledger transaction, shared by people's commands and alert correlation.
 * Every step reads the projections, decides, and appends events; the ledger's lock serialises them all.
 * @module
 */
import type { LedgerTransaction } from '../ledger/index.js';
import { incidentEvent, INCIDENT_EVENT_TYPES as T } from './incident-events.js';
import { moreSevere, type Severity } from './types.js';

export interface DeclareIncident {
  readonly actor: string;
  readonly title: string;
  readonly severity: Severity;
  readonly origin: 'alert' | 'manual';
  readonly services: ReadonlyArray<string>;
  /** Keys this incident takes; keys already held by another open incident stay with it. */
  readonly correlationKeys: ReadonlyArray<string>;
  readonly occurredAt: string | undefined;
  readonly firstEvidenceAt: string | undefined;
  readonly awareAt: string;
  readonly summary: string | undefined;
}

export function incidentIdOf(number: number): string {
  return `INC-${number}`;
}

export async function declareIncident(tx: LedgerTransaction, input: DeclareIncident): Promise<string> {
  const last = await tx.db
    .selectFrom('incidents')
    .select((eb) => eb.fn.max('number').as('number'))
    .executeTakeFirst();
  const number = Number(last?.number ?? 0) + 1;
  const incidentId = incidentIdOf(number);
  const held =
    input.correlationKeys.length === 0
      ? []
      : await tx.db
          .selectFrom('incident_correlations')
          .select('correlation_key')
          .where('correlation_key', 'in', [...input.correlationKeys])
          .execute();
  const heldKeys = new Set(held.map((row) => row.correlation_key));
  await tx.append(
    incidentEvent(T.declared, input.actor, {
      incidentId,
      number,
      title: input.title,
      severity: input.severity,
      origin: input.origin,
      services: [...new Set(input.services)],
      correlationKeys: input.correlationKeys.filter((key) => !heldKeys.has(key)),
      occurredAt: input.occurredAt ?? null,
      firstEvidenceAt: input.firstEvidenceAt ?? null,
      awareAt: input.awareAt,
      summary: input.summary ?? null,
    }),
  );
  return incidentId;
}

export interface AlertToCorrelate {
  readonly actor: string;
  readonly alertname: string;
  /** Used as the title when the alert declares an incident. */
  readonly title: string;
  readonly summary: string | undefined;
  readonly service: string;
  readonly startsAt: string;
  readonly correlationKey: string;
  /** What the severity policy says; `none` joins an open incident but never declares one. */
  readonly severity: Severity | 'none';
  readonly now: Date;
  /** An open incident with no firing alert and no alert activity for this long no longer takes new alerts. */
  readonly windowMs: number;
}

/**
 * Decides which incident a newly firing alert joins: the open incident of its key, or one it declares. Appends what
 * the decision changes (a declaration, a raised severity, a service degraded again); the caller's `alert.fired` event
 * then records the alert joining. Undefined when the alert joins nothing.
 */
/**
 * What one transaction has learnt about open incidents, so that a burst of alerts for one key reads the database
 * once. Valid only inside the transaction that filled it, since the ledger's lock keeps others out until it ends.
 */
export class CorrelationCache {
  readonly open = new Map<string, { readonly id: string; severity: Severity } | null>();
  /** `incident service` pairs known to be degraded, not restored. */
  readonly degraded = new Set<string>();
}

export async function correlateAlert(
  tx: LedgerTransaction,
  alert: AlertToCorrelate,
  cache: CorrelationCache = new CorrelationCache(),
): Promise<{ readonly incidentId: string; readonly declared: boolean } | undefined> {
  let open = cache.open.get(alert.correlationKey);
  if (open === undefined) {
    const row = await tx.db
      .selectFrom('incident_correlations as c')
      .innerJoin('incidents as i', 'i.id', 'c.incident_id')
      .select(['i.id', 'i.severity', 'i.declared_at'])
      .where('c.correlation_key', '=', alert.correlationKey)
      .executeTakeFirst();
    open =
      row !== undefined && (await isActive(tx, row, alert.now, alert.windowMs))
        ? { id: row.id, severity: row.severity as Severity }
        : null;
  }
  let incidentId: string | undefined;
  let declared = false;
  if (open !== null) {
    incidentId = open.id;
    const current = open.severity;
    if (alert.severity !== 'none' && moreSevere(alert.severity, current) !== current) {
      await tx.append(
        incidentEvent(T.severityChanged, alert.actor, {
          incidentId,
          from: current,
          to: alert.severity,
          reason: `alert ${alert.alertname} on ${alert.service} calls for ${alert.severity}`,
        }),
      );
      open.severity = alert.severity;
    }
    // Taking this alert makes the incident active for the rest of the transaction.
    cache.open.set(alert.correlationKey, open);
  } else if (alert.severity !== 'none') {
    incidentId = await declareIncident(tx, {
      actor: alert.actor,
      title: alert.title,
      severity: alert.severity,
      origin: 'alert',
      services: [alert.service],
      correlationKeys: [alert.correlationKey],
      occurredAt: alert.startsAt,
      firstEvidenceAt: alert.startsAt,
      awareAt: alert.now.toISOString(),
      summary: alert.summary,
    });
    declared = true;
    cache.open.set(alert.correlationKey, { id: incidentId, severity: alert.severity });
  } else {
    cache.open.set(alert.correlationKey, null);
  }
  if (incidentId === undefined) return undefined;
  const pair = `${incidentId} ${alert.service}`;
  if (!declared && !cache.degraded.has(pair)) {
    await reopenRestoredService(tx, incidentId, alert.service, alert.actor);
  }
  cache.degraded.add(pair);
  return { incidentId, declared };
}

/** Open and still taking alerts: one of its alerts fires, or its last alert activity is within the window. */
async function isActive(
  tx: LedgerTransaction,
  incident: { readonly id: string; readonly declared_at: string },
  now: Date,
  windowMs: number,
): Promise<boolean> {
  const activity = await tx.db
    .selectFrom('alerts')
    .select([
      (eb) => eb.fn.max('fired_at').as('fired'),
      (eb) => eb.fn.max('resolved_at').as('resolved'),
      (eb) => eb.fn.countAll().filterWhere('status', '=', 'firing').as('firing'),
    ])
    .where('incident_id', '=', incident.id)
    .executeTakeFirst();
  if (Number(activity?.firing ?? 0) > 0) return true;
  const last = Math.max(
    Date.parse(incident.declared_at),
    Date.parse(activity?.fired ?? incident.declared_at),
    Date.parse(activity?.resolved ?? incident.declared_at),
  );
  return now.getTime() - last <= windowMs;
}

/** A service that had recovered and alerts again is degraded again. */
async function reopenRestoredService(tx: LedgerTransaction, incidentId: string, service: string, actor: string) {
  const row = await tx.db
    .selectFrom('incident_services')
    .select(['restored_at'])
    .where('incident_id', '=', incidentId)
    .where('service', '=', service)
    .executeTakeFirst();
  if (row?.restored_at == null) return;
  await tx.append(incidentEvent(T.serviceRecorded, actor, { incidentId, service, degradedAt: null, restoredAt: null }));
}

/**
 * After an alert linked to an incident resolves: when it was the service's last firing alert in the incident, the
 * service is recorded as restored at the alert's end.
 */
export async function alertResolvedInIncident(
  tx: LedgerTransaction,
  input: {
    readonly actor: string;
    readonly incidentId: string;
    readonly service: string;
    readonly endsAt: string;
  },
  cache: CorrelationCache = new CorrelationCache(),
): Promise<void> {
  const incident = await tx.db
    .selectFrom('incidents')
    .select('status')
    .where('id', '=', input.incidentId)
    .executeTakeFirst();
  if (incident === undefined || incident.status === 'resolved' || incident.status === 'closed') return;
  const stillFiring = await tx.db
    .selectFrom('alerts')
    .select('fingerprint')
    .where('incident_id', '=', input.incidentId)
    .where('service', '=', input.service)
    .where('status', '=', 'firing')
    .limit(1)
    .executeTakeFirst();
  if (stillFiring !== undefined) return;
  await tx.append(
    incidentEvent(T.serviceRecorded, input.actor, {
      incidentId: input.incidentId,
      service: input.service,
      degradedAt: null,
      restoredAt: input.endsAt,
    }),
  );
  cache.degraded.delete(`${input.incidentId} ${input.service}`);
}
