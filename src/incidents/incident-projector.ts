import { canonicalJson, type JsonValue, type LedgerEvent, type Projector } from '../ledger/index.js';
import type { Tx } from '../store/index.js';
import {
  ALERT_FIRED,
  AlertJoinedData,
  incidentDataOf,
  isIncidentEventType,
  INCIDENT_EVENT_TYPES as T,
} from './incident-events.js';
import type { IncidentTimestamp, SetTime } from './types.js';

type Timestamps = Partial<Record<IncidentTimestamp, SetTime>>;
type Roles = Record<string, { readonly assignee: string; readonly by: string; readonly at: string }>;

/** Keeps the incident tables in step with `incident.*` events, and with alerts joining incidents. */
export const incidentProjector: Projector = {
  name: 'incidents',
  types: [...Object.values(T), ALERT_FIRED],
  tables: [
    { name: 'incidents', key: ['id'] },
    { name: 'incident_services', key: ['incident_id', 'service'] },
    { name: 'incident_links', key: ['incident_id', 'kind', 'target'] },
    { name: 'incident_correlations', key: ['correlation_key'] },
    { name: 'incident_reports', key: ['incident_id', 'event_id'] },
  ],
  async apply(db: Tx, event: LedgerEvent, _restricted: JsonValue | undefined): Promise<void> {
    const by = event.actor;
    const at = event.time;
    if (event.type === ALERT_FIRED) {
      const data = AlertJoinedData.parse(event.data);
      // The alert records its incident itself (alerts.incident_id); the incident learns of a new service.
      if (data.incidentId !== null && data.enrichment.service !== null) {
        await upsertService(db, data.incidentId, data.enrichment.service, data.startsAt, by);
      }
      return;
    }
    if (!isIncidentEventType(event.type)) return;
    switch (event.type) {
      case T.declared: {
        const data = incidentDataOf(event.type, event.data);
        const timestamps: Timestamps = {
          aware: { at: data.awareAt, by },
          ...(data.occurredAt === null ? {} : { occurred: { at: data.occurredAt, by } }),
          ...(data.firstEvidenceAt === null ? {} : { firstEvidence: { at: data.firstEvidenceAt, by } }),
        };
        await db
          .insertInto('incidents')
          .values({
            id: data.incidentId,
            number: data.number,
            title: data.title,
            status: 'investigating',
            severity: data.severity,
            origin: data.origin,
            correlation_key: data.correlationKeys[0] ?? null,
            summary: data.summary,
            declared_at: at,
            declared_by: by,
            updated_at: at,
            timestamps: canonicalJson(timestamps),
            roles: '{}',
            classification: null,
          })
          .execute();
        for (const service of data.services) {
          await upsertService(db, data.incidentId, service, data.occurredAt ?? data.awareAt, by);
        }
        for (const key of data.correlationKeys) {
          await db
            .insertInto('incident_correlations')
            .values({ correlation_key: key, incident_id: data.incidentId })
            .onConflict((conflict) => conflict.column('correlation_key').doUpdateSet({ incident_id: data.incidentId }))
            .execute();
        }
        return;
      }
      case T.acknowledged: {
        const data = incidentDataOf(event.type, event.data);
        await setTimestamp(db, data.incidentId, 'acknowledged', { at: data.at, by }, at);
        return;
      }
      case T.updated: {
        const data = incidentDataOf(event.type, event.data);
        await db
          .updateTable('incidents')
          .set({ status: data.status, summary: data.message, updated_at: at })
          .where('id', '=', data.incidentId)
          .execute();
        return;
      }
      case T.severityChanged: {
        const data = incidentDataOf(event.type, event.data);
        await db
          .updateTable('incidents')
          .set({ severity: data.to, updated_at: at })
          .where('id', '=', data.incidentId)
          .execute();
        return;
      }
      case T.roleAssigned: {
        const data = incidentDataOf(event.type, event.data);
        const row = await db
          .selectFrom('incidents')
          .select('roles')
          .where('id', '=', data.incidentId)
          .executeTakeFirstOrThrow();
        const roles: Roles = { ...(JSON.parse(row.roles) as Roles), [data.role]: { assignee: data.assignee, by, at } };
        await db
          .updateTable('incidents')
          .set({ roles: canonicalJson(roles), updated_at: at })
          .where('id', '=', data.incidentId)
          .execute();
        return;
      }
      case T.timestampRecorded: {
        const data = incidentDataOf(event.type, event.data);
        await setTimestamp(db, data.incidentId, data.timestamp, { at: data.at, by }, at);
        return;
      }
      case T.serviceRecorded: {
        const data = incidentDataOf(event.type, event.data);
        const existing = await db
          .selectFrom('incident_services')
          .selectAll()
          .where('incident_id', '=', data.incidentId)
          .where('service', '=', data.service)
          .executeTakeFirst();
        const row = {
          degraded_at: data.degradedAt ?? existing?.degraded_at ?? null,
          degraded_by: data.degradedAt === null ? (existing?.degraded_by ?? null) : by,
          restored_at: data.restoredAt,
          restored_by: data.restoredAt === null ? null : by,
        };
        if (existing === undefined) {
          await db
            .insertInto('incident_services')
            .values({ incident_id: data.incidentId, service: data.service, ...row })
            .execute();
        } else {
          await db
            .updateTable('incident_services')
            .set(row)
            .where('incident_id', '=', data.incidentId)
            .where('service', '=', data.service)
            .execute();
        }
        await db.updateTable('incidents').set({ updated_at: at }).where('id', '=', data.incidentId).execute();
        return;
      }
      case T.linked: {
        const data = incidentDataOf(event.type, event.data);
        await db
          .insertInto('incident_links')
          .values({
            incident_id: data.incidentId,
            kind: data.kind,
            target: data.target,
            relation: data.relation,
            linked_at: at,
          })
          .onConflict((conflict) =>
            conflict.columns(['incident_id', 'kind', 'target']).doUpdateSet({ relation: data.relation }),
          )
          .execute();
        return;
      }
      case T.classified: {
        const data = incidentDataOf(event.type, event.data);
        await db
          .updateTable('incidents')
          .set({ classification: canonicalJson({ ...data, by, recordedAt: at }), updated_at: at })
          .where('id', '=', data.incidentId)
          .execute();
        await setTimestamp(db, data.incidentId, 'classified', { at: data.classifiedAt, by }, at);
        return;
      }
      case T.reportSubmitted: {
        const data = incidentDataOf(event.type, event.data);
        await db
          .insertInto('incident_reports')
          .values({
            incident_id: data.incidentId,
            regime: data.regime,
            report: data.report,
            submitted_at: data.submittedAt,
            submitted_by: by,
            reference: data.reference,
            event_id: event.id,
          })
          .execute();
        return;
      }
      case T.resolved: {
        const data = incidentDataOf(event.type, event.data);
        await db
          .updateTable('incidents')
          .set({ status: 'resolved', updated_at: at, ...(data.message === null ? {} : { summary: data.message }) })
          .where('id', '=', data.incidentId)
          .execute();
        await setTimestamp(db, data.incidentId, 'resolved', { at: data.at, by }, at);
        await db
          .updateTable('incident_services')
          .set({ restored_at: data.at, restored_by: by })
          .where('incident_id', '=', data.incidentId)
          .where('restored_at', 'is', null)
          .execute();
        await db.deleteFrom('incident_correlations').where('incident_id', '=', data.incidentId).execute();
        return;
      }
      case T.closed: {
        const data = incidentDataOf(event.type, event.data);
        await db
          .updateTable('incidents')
          .set({ status: 'closed', updated_at: at, ...(data.message === null ? {} : { summary: data.message }) })
          .where('id', '=', data.incidentId)
          .execute();
        await setTimestamp(db, data.incidentId, 'closed', { at, by }, at);
        return;
      }
    }
  },
};

async function upsertService(db: Tx, incidentId: string, service: string, degradedAt: string, by: string) {
  await db
    .insertInto('incident_services')
    .values({
      incident_id: incidentId,
      service,
      degraded_at: degradedAt,
      degraded_by: by,
      restored_at: null,
      restored_by: null,
    })
    .onConflict((conflict) => conflict.columns(['incident_id', 'service']).doNothing())
    .execute();
}

async function setTimestamp(db: Tx, incidentId: string, name: IncidentTimestamp, value: SetTime, at: string) {
  const row = await db
    .selectFrom('incidents')
    .select('timestamps')
    .where('id', '=', incidentId)
    .executeTakeFirstOrThrow();
  const timestamps: Timestamps = { ...(JSON.parse(row.timestamps) as Timestamps), [name]: value };
  await db
    .updateTable('incidents')
    .set({ timestamps: canonicalJson(timestamps), updated_at: at })
    .where('id', '=', incidentId)
    .execute();
}
