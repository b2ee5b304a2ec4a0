/**
 * The ledger events of change management, each with the schema of its data, and their projector.
 * @module
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  canonicalJson,
  type JsonValue,
  type LedgerEvent,
  type NewLedgerEvent,
  type Projector,
} from '../ledger/index.js';
import type { ChangesTable, Tx } from '../store/index.js';
import { CHANGE_TYPES, type ChangeContent, RISK_LEVELS } from './types.js';

export const CHANGE_EVENT_TYPES = {
  created: 'change.created',
  edited: 'change.edited',
  submitted: 'change.submitted',
  approvalRecorded: 'change.approval_recorded',
  approvalRefused: 'change.approval_refused',
  rejected: 'change.rejected',
  started: 'change.started',
  completed: 'change.completed',
  reviewed: 'change.reviewed',
  retrospectiveMissed: 'change.retrospective_approval_missed',
  deploymentRecorded: 'deployment.recorded',
  gateVerdict: 'gate.verdict_given',
} as const;

export type ChangeEventType = (typeof CHANGE_EVENT_TYPES)[keyof typeof CHANGE_EVENT_TYPES];

const Time = z.iso.datetime();

export const ChangeContentSchema = z.strictObject({
  type: z.enum(CHANGE_TYPES),
  title: z.string(),
  description: z.string(),
  reason: z.string(),
  services: z.array(z.string()),
  implementer: z.string(),
  plannedWindow: z.strictObject({ start: Time, end: Time }).nullable(),
  securityImpact: z.string(),
  testEvidence: z.string(),
  rollbackPlan: z.string(),
  links: z.array(
    z.strictObject({
      kind: z.enum(['ticket', 'pull-request', 'document', 'other']),
      url: z.string(),
      title: z.string().nullable(),
    }),
  ),
  template: z.string().nullable(),
});
export type StoredChangeContent = z.output<typeof ChangeContentSchema>;

const RiskSchema = z.strictObject({
  level: z.enum(RISK_LEVELS),
  score: z.number(),
  factors: z.array(z.strictObject({ factor: z.string(), points: z.number(), explanation: z.string() })),
});

const RequirementSchema = z.strictObject({
  approvals: z.number().int().min(0),
  fromOwningTeam: z.boolean(),
  board: z.boolean(),
});

const SCHEMAS = {
  [CHANGE_EVENT_TYPES.created]: z.strictObject({
    changeId: z.string(),
    number: z.number().int().positive(),
    content: ChangeContentSchema,
    contentHash: z.string(),
  }),
  [CHANGE_EVENT_TYPES.edited]: z.strictObject({
    changeId: z.string(),
    content: ChangeContentSchema,
    contentHash: z.string(),
    approvalsVoided: z.number().int().min(0),
  }),
  [CHANGE_EVENT_TYPES.submitted]: z.strictObject({
    changeId: z.string(),
    risk: RiskSchema,
    requirement: RequirementSchema,
    /** A standard change within its template's risk needs no approval: it is approved on submission. */
    preApproved: z.boolean(),
  }),
  [CHANGE_EVENT_TYPES.approvalRecorded]: z.strictObject({
    changeId: z.string(),
    teams: z.array(z.string()),
    asBoard: z.boolean(),
    contentHash: z.string(),
    comment: z.string().nullable(),
    /** The approvals now meet the requirement: the change is approved from this event. */
    satisfied: z.boolean(),
  }),
  [CHANGE_EVENT_TYPES.approvalRefused]: z.strictObject({ changeId: z.string(), reason: z.string() }),
  [CHANGE_EVENT_TYPES.rejected]: z.strictObject({ changeId: z.string(), reason: z.string() }),
  [CHANGE_EVENT_TYPES.started]: z.strictObject({ changeId: z.string(), retrospectiveDueAt: Time.nullable() }),
  [CHANGE_EVENT_TYPES.completed]: z.strictObject({
    changeId: z.string(),
    outcome: z.enum(['implemented', 'failed', 'rolled-back']),
    notes: z.string().nullable(),
  }),
  [CHANGE_EVENT_TYPES.reviewed]: z.strictObject({ changeId: z.string(), notes: z.string() }),
  [CHANGE_EVENT_TYPES.retrospectiveMissed]: z.strictObject({ changeId: z.string(), dueAt: Time }),
  [CHANGE_EVENT_TYPES.deploymentRecorded]: z.strictObject({
    deploymentId: z.string(),
    service: z.string(),
    team: z.string().nullable(),
    version: z.string(),
    commitAt: Time.nullable(),
    deployedAt: Time,
    outcome: z.enum(['succeeded', 'failed', 'rolled-back']),
    recoveredAt: Time.nullable(),
    changeId: z.string().nullable(),
    source: z.string(),
  }),
  [CHANGE_EVENT_TYPES.gateVerdict]: z.strictObject({
    service: z.string(),
    changeId: z.string().nullable(),
    decision: z.enum(['allow', 'deny', 'hold']),
    reasons: z.array(
      z.strictObject({ code: z.string(), effect: z.enum(['allow', 'deny', 'hold']), message: z.string() }),
    ),
    source: z.string(),
  }),
} as const satisfies Record<ChangeEventType, z.ZodType>;

export type ChangeEventData<T extends ChangeEventType> = z.output<(typeof SCHEMAS)[T]>;

export function changeEvent<T extends ChangeEventType>(
  type: T,
  actor: string,
  subject: string,
  data: ChangeEventData<T>,
): NewLedgerEvent {
  SCHEMAS[type].parse(data);
  return { actor, type, subject, data: data as JsonValue };
}

export function changeDataOf<T extends ChangeEventType>(type: T, data: JsonValue): ChangeEventData<T> {
  return SCHEMAS[type].parse(data) as ChangeEventData<T>;
}

export function storedContentOf(content: ChangeContent): StoredChangeContent {
  return {
    type: content.type,
    title: content.title,
    description: content.description,
    reason: content.reason,
    services: [...content.services],
    implementer: content.implementer,
    plannedWindow: content.plannedWindow === undefined ? null : { ...content.plannedWindow },
    securityImpact: content.securityImpact,
    testEvidence: content.testEvidence,
    rollbackPlan: content.rollbackPlan,
    links: content.links.map((link) => ({ kind: link.kind, url: link.url, title: link.title ?? null })),
    template: content.template ?? null,
  };
}

/** SHA-256 of the content's canonical JSON: what an approval approves. */
export function contentHashOf(content: StoredChangeContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

function isChangeEventType(type: string): type is ChangeEventType {
  return Object.hasOwn(SCHEMAS, type);
}

const T = CHANGE_EVENT_TYPES;
type ChangeUpdate = Partial<Omit<ChangesTable, 'id' | 'number'>>;

/** Keeps the change tables and deployments in step with their events. Gate verdicts are only in the ledger. */
export const changeProjector: Projector = {
  name: 'changes',
  types: Object.values(T).filter((type) => type !== T.gateVerdict),
  tables: [
    { name: 'changes', key: ['id'] },
    { name: 'change_services', key: ['change_id', 'service'] },
    { name: 'change_approvals', key: ['change_id', 'event_id'] },
    { name: 'deployments', key: ['id'] },
  ],
  async apply(db: Tx, event: LedgerEvent, _restricted: JsonValue | undefined): Promise<void> {
    if (!isChangeEventType(event.type)) return;
    const at = event.time;
    const update = (changeId: string, values: ChangeUpdate) =>
      db.updateTable('changes').set(values).where('id', '=', changeId).execute();
    switch (event.type) {
      case T.created: {
        const data = changeDataOf(event.type, event.data);
        await db
          .insertInto('changes')
          .values({
            id: data.changeId,
            number: data.number,
            type: data.content.type,
            status: 'draft',
            title: data.content.title,
            content: canonicalJson(data.content),
            content_hash: data.contentHash,
            services: canonicalJson(data.content.services),
            requester: event.actor,
            implementer: data.content.implementer,
            planned_start: data.content.plannedWindow?.start ?? null,
            planned_end: data.content.plannedWindow?.end ?? null,
            risk: null,
            requirement: null,
            created_at: at,
            updated_at: at,
            submitted_at: null,
            approved_at: null,
            decided_by: null,
            started_at: null,
            completed_at: null,
            reviewed_at: null,
            retrospective_due_at: null,
            retrospective_missed_at: null,
          })
          .execute();
        await setServices(db, data.changeId, data.content.services);
        return;
      }
      case T.edited: {
        const data = changeDataOf(event.type, event.data);
        const row = await db.selectFrom('changes').select('status').where('id', '=', data.changeId).executeTakeFirst();
        await update(data.changeId, {
          type: data.content.type,
          title: data.content.title,
          content: canonicalJson(data.content),
          content_hash: data.contentHash,
          services: canonicalJson(data.content.services),
          implementer: data.content.implementer,
          planned_start: data.content.plannedWindow?.start ?? null,
          planned_end: data.content.plannedWindow?.end ?? null,
          updated_at: at,
          // An approved change that is edited needs approving again.
          ...(row?.status === 'approved' ? { status: 'submitted', approved_at: null, decided_by: null } : {}),
        });
        await setServices(db, data.changeId, data.content.services);
        return;
      }
      case T.submitted: {
        const data = changeDataOf(event.type, event.data);
        await update(data.changeId, {
          status: data.preApproved ? 'approved' : 'submitted',
          risk: canonicalJson(data.risk),
          requirement: canonicalJson(data.requirement),
          submitted_at: at,
          updated_at: at,
          ...(data.preApproved ? { approved_at: at, decided_by: 'policy:standard-template' } : {}),
        });
        return;
      }
      case T.approvalRecorded: {
        const data = changeDataOf(event.type, event.data);
        await db
          .insertInto('change_approvals')
          .values({
            change_id: data.changeId,
            event_id: event.id,
            approver: event.actor,
            teams: canonicalJson(data.teams),
            as_board: data.asBoard ? 1 : 0,
            at,
            content_hash: data.contentHash,
            comment: data.comment,
          })
          .execute();
        const row = await db.selectFrom('changes').select('status').where('id', '=', data.changeId).executeTakeFirst();
        if (data.satisfied) {
          await update(data.changeId, {
            approved_at: at,
            decided_by: event.actor,
            updated_at: at,
            // An emergency change approved after it started keeps its implementation status.
            ...(row?.status === 'submitted' ? { status: 'approved' } : {}),
          });
        } else {
          await update(data.changeId, { updated_at: at });
        }
        return;
      }
      case T.approvalRefused:
        return;
      case T.rejected: {
        const data = changeDataOf(event.type, event.data);
        await update(data.changeId, { status: 'rejected', decided_by: event.actor, updated_at: at });
        return;
      }
      case T.started: {
        const data = changeDataOf(event.type, event.data);
        await update(data.changeId, {
          status: 'implementing',
          started_at: at,
          retrospective_due_at: data.retrospectiveDueAt,
          updated_at: at,
        });
        return;
      }
      case T.completed: {
        const data = changeDataOf(event.type, event.data);
        await update(data.changeId, { status: data.outcome, completed_at: at, updated_at: at });
        return;
      }
      case T.reviewed: {
        const data = changeDataOf(event.type, event.data);
        await update(data.changeId, { status: 'reviewed', reviewed_at: at, updated_at: at });
        return;
      }
      case T.retrospectiveMissed: {
        const data = changeDataOf(event.type, event.data);
        await update(data.changeId, { retrospective_missed_at: at, updated_at: at });
        return;
      }
      case T.deploymentRecorded: {
        const data = changeDataOf(event.type, event.data);
        const row = {
          service: data.service,
          team: data.team,
          version: data.version,
          commit_at: data.commitAt,
          deployed_at: data.deployedAt,
          outcome: data.outcome,
          recovered_at: data.recoveredAt,
          change_id: data.changeId,
          source: data.source,
          event_id: event.id,
        };
        await db
          .insertInto('deployments')
          .values({ id: data.deploymentId, ...row })
          .onConflict((conflict) => conflict.column('id').doUpdateSet(row))
          .execute();
        return;
      }
      case T.gateVerdict:
        return;
    }
  },
};

async function setServices(db: Tx, changeId: string, services: ReadonlyArray<string>): Promise<void> {
  await db.deleteFrom('change_services').where('change_id', '=', changeId).execute();
  if (services.length === 0) return;
  await db
    .insertInto('change_services')
    .values(services.map((service) => ({ change_id: changeId, service })))
    .execute();
}
