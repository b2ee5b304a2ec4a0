import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/index.js';
import { InputError } from '../errors/index.js';
import type { Tx } from '../store/index.js';
import type { NotificationRoute } from './notify-config.js';
import { OutboundNotificationSchema } from './outbound-notification-schema.js';
import { routeNotification } from './route-notification.js';
import type { OutboundNotification } from './types.js';

export interface OutboxOptions {
  /** The routes of the notifications configuration. */
  readonly routes: ReadonlyArray<NotificationRoute>;
  readonly clock: Clock;
  readonly newId?: () => string;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
let sequence = 0;

/** Ids that sort in the order rows were queued: milliseconds, a counter within this process, then random. */
function orderedId(now: Date): string {
  sequence = (sequence + 1) % 1_000_000_000;
  return `${now.getTime().toString().padStart(15, '0')}-${sequence.toString().padStart(9, '0')}-${randomUUID().slice(0, 8)}`;
}

/**
 * Queues notifications in the caller's transaction, so that a notification exists if and only if the event that
 * caused it committed. `NotificationDeliverer` sends them afterwards.
 */
export class Outbox {
  private constructor(
    private readonly routes: ReadonlyArray<NotificationRoute>,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  static create(options: OutboxOptions): Outbox {
    return new Outbox(options.routes, options.clock, options.newId ?? (() => orderedId(options.clock.now())));
  }

  /**
   * Queues one row per channel the routes choose and returns how many were queued: a channel that already holds
   * this idempotency key is skipped, so repeating the call after a retried transaction queues nothing twice.
   * @param idempotencyKey - stable for the event, such as the ledger event's id; receivers see it too.
   */
  async enqueue(tx: Tx, message: OutboundNotification, idempotencyKey: string): Promise<number> {
    const parsed = OutboundNotificationSchema.safeParse(message);
    const problems = parsed.success
      ? []
      : parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      problems.push({ path: 'idempotencyKey', message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` });
    }
    if (!parsed.success || problems.length > 0) {
      throw new InputError('the notification cannot be queued', { details: problems });
    }
    const channels = routeNotification({ routes: this.routes }, parsed.data);
    if (channels.length === 0) return 0;
    const now = this.clock.now().toISOString();
    const text = JSON.stringify(parsed.data);
    const result = await tx
      .insertInto('notification_outbox')
      .values(
        channels.map((channel) => ({
          id: this.newId(),
          created_at: now,
          channel,
          ordering_key: parsed.data.incidentId,
          idempotency_key: idempotencyKey,
          message: text,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now,
          claimed_until: null,
          last_error: null,
          delivered_at: null,
        })),
      )
      .onConflict((conflict) => conflict.columns(['channel', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
}
