/**
 * Sends what the outbox holds: at least once per row, with retries, backoff and a lease so that two deliverers
 * (two ticks, two processes, two replicas on one PostgreSQL database) never send the same row at the same time.
 * @module
 */
import { type Clock, PeriodicTask } from '../clock/index.js';
import { assertNever, InputError, type ProblemDetail } from '../errors/index.js';
import type { Db, NotificationOutboxTable } from '../store/index.js';
import { createChannels } from './channels/create-channel.js';
import { type DeliveryPolicy, deliveryPolicyOf, type NotificationsConfig } from './notify-config.js';
import { parseStoredNotification } from './outbound-notification-schema.js';
import { retryDelay } from './retry-delay.js';
import type {
  DeliveryResult,
  ListOutboxOptions,
  NotificationChannel,
  NotificationLogger,
  OutboxEntry,
} from './types.js';

export interface NotificationDelivererOptions {
  readonly db: Db;
  /** By name, as rows name them. */
  readonly channels: ReadonlyMap<string, NotificationChannel>;
  readonly clock: Clock;
  readonly policy: DeliveryPolicy;
  /** Rows claimed per tick; 20 by default. */
  readonly batchSize?: number;
  /** How long a claim keeps other deliverers off a row; by default the attempt's timeout plus a minute. */
  readonly leaseMs?: number;
  /** Uniform in [0, 1), for the jitter; `Math.random` by default. */
  readonly random?: () => number;
  readonly logger?: NotificationLogger;
}

export interface NotificationDelivererDependencies {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger?: NotificationLogger;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
}

/** What became of one row this tick. */
export interface RowOutcome {
  readonly id: string;
  readonly channel: string;
  readonly outcome: DeliveryResult['outcome'];
  /** The attempt that just ended, counting from 1. */
  readonly attempt: number;
  readonly reason?: string;
  /** When the next attempt is due, for `retry`. */
  readonly nextAttemptAt?: string;
  /** False when the lease ran out during the attempt and another deliverer has the row now. */
  readonly recorded: boolean;
}

export interface DeliveryRound {
  /** Due rows this deliverer claimed; due rows another deliverer claimed first are not counted. */
  readonly claimed: number;
  readonly outcomes: ReadonlyArray<RowOutcome>;
}

type ClaimedRow = Pick<NotificationOutboxTable, 'id' | 'channel' | 'idempotency_key' | 'message' | 'attempts'>;
type RowUpdate = Partial<Omit<NotificationOutboxTable, 'id'>>;

const DEFAULT_BATCH_SIZE = 20;
/** Pending rows read per tick, per queue that may run: enough to see past queues held back by a retry. */
const PENDING_READ_FACTOR = 25;
const LEASE_MARGIN_MS = 60_000;
const MAX_LIST_LIMIT = 500;

export class NotificationDeliverer {
  private readonly task = PeriodicTask.create(
    () => this.tick(),
    (error) => this.logger?.warn({ err: error }, 'a notification delivery round failed'),
  );

  private constructor(
    private readonly db: Db,
    private readonly channels: ReadonlyMap<string, NotificationChannel>,
    private readonly clock: Clock,
    private readonly policy: DeliveryPolicy,
    private readonly batchSize: number,
    private readonly leaseMs: number,
    private readonly random: () => number,
    private readonly logger: NotificationLogger | undefined,
  ) {}

  static create(options: NotificationDelivererOptions): NotificationDeliverer {
    const { policy } = options;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const leaseMs = options.leaseMs ?? policy.timeoutMs + LEASE_MARGIN_MS;
    const problems: ProblemDetail[] = [];
    const positive = (path: string, value: number) => {
      if (!Number.isSafeInteger(value) || value <= 0)
        problems.push({ path, message: 'must be a positive whole number' });
    };
    positive('policy.maxAttempts', policy.maxAttempts);
    positive('policy.initialBackoffMs', policy.initialBackoffMs);
    positive('policy.maxBackoffMs', policy.maxBackoffMs);
    positive('policy.timeoutMs', policy.timeoutMs);
    positive('batchSize', batchSize);
    positive('leaseMs', leaseMs);
    if (leaseMs <= policy.timeoutMs) {
      problems.push({ path: 'leaseMs', message: 'must be longer than the timeout, or a slow attempt loses its row' });
    }
    if (problems.length > 0) {
      throw new InputError('the notification deliverer options are not valid', { details: problems });
    }
    return new NotificationDeliverer(
      options.db,
      options.channels,
      options.clock,
      policy,
      batchSize,
      leaseMs,
      options.random ?? Math.random,
      options.logger,
    );
  }

  /** A deliverer for every channel of the configuration, with its delivery settings. */
  static fromConfig(config: NotificationsConfig, deps: NotificationDelivererDependencies): NotificationDeliverer {
    const policy = deliveryPolicyOf(config);
    const channels = createChannels(config.channels, {
      timeoutMs: policy.timeoutMs,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
    return NotificationDeliverer.create({
      db: deps.db,
      channels,
      clock: deps.clock,
      policy,
      ...(deps.random === undefined ? {} : { random: deps.random }),
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    });
  }

  /** Ticks now and then every `intervalMs` (a tick still running is not overlapped); errors go to the logger. */
  start(intervalMs: number): void {
    if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
      throw new InputError('the delivery interval is not valid', {
        details: [{ path: 'intervalMs', message: 'must be a positive whole number of milliseconds' }],
      });
    }
    this.task.start(intervalMs);
  }

  /** Stops ticking and waits for the tick in flight, whose attempts end within the timeout. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /**
   * Delivers due rows and records what happened. Rows of one channel and ordering key (an incident) go one after the
   * other in the order they were queued, and wait while an earlier one waits for a retry: PagerDuty must see the
   * trigger before the resolve. Up to a batch of such queues run at the same time.
   */
  async tick(): Promise<DeliveryRound> {
    const now = this.clock.now();
    const nowText = now.toISOString();
    const pending = await this.db
      .selectFrom('notification_outbox')
      .select(['id', 'channel', 'ordering_key', 'next_attempt_at', 'claimed_until'])
      .where('status', '=', 'pending')
      .orderBy('id')
      .limit(this.batchSize * PENDING_READ_FACTOR)
      .execute();
    const queues = new Map<string, string[]>();
    const blocked = new Set<string>();
    for (const row of pending) {
      const key = `${row.channel}\u0000${row.ordering_key}`;
      if (blocked.has(key)) continue;
      const ready = row.next_attempt_at <= nowText && (row.claimed_until === null || row.claimed_until < nowText);
      if (!ready) {
        blocked.add(key);
        continue;
      }
      const queue = queues.get(key) ?? [];
      queue.push(row.id);
      queues.set(key, queue);
    }
    let claimed = 0;
    const results = await Promise.all(
      [...queues.values()].slice(0, this.batchSize).map(async (ids) => {
        const outcomes: RowOutcome[] = [];
        for (const id of ids) {
          const leaseEnd = new Date(this.clock.now().getTime() + this.leaseMs).toISOString();
          const row = await this.claim(id, leaseEnd);
          if (row === undefined) break;
          claimed += 1;
          const outcome = await this.attempt(row, leaseEnd);
          outcomes.push(outcome);
          // A row left to retry holds back the rows queued after it.
          if (outcome.outcome === 'retry' || !outcome.recorded) break;
        }
        return outcomes;
      }),
    );
    return { claimed, outcomes: results.flat() };
  }

  /** Takes a row for one attempt; of two deliverers racing for it, the second finds the conditions false. */
  private async claim(id: string, leaseEnd: string): Promise<ClaimedRow | undefined> {
    const nowText = this.clock.now().toISOString();
    const rows = await this.db
      .updateTable('notification_outbox')
      .set((eb) => ({ claimed_until: leaseEnd, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', nowText)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', nowText)]))
      .returning(['id', 'channel', 'idempotency_key', 'message', 'attempts'])
      .execute();
    return rows.length === 1 ? rows[0] : undefined;
  }

  /** Rows waiting to be sent, those being sent included. */
  async depth(): Promise<number> {
    const row = await this.db
      .selectFrom('notification_outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The newest rows first, optionally of one status. */
  async list(options: ListOutboxOptions): Promise<ReadonlyArray<OutboxEntry>> {
    if (!Number.isSafeInteger(options.limit) || options.limit < 1 || options.limit > MAX_LIST_LIMIT) {
      throw new InputError('the outbox listing options are not valid', {
        details: [{ path: 'limit', message: `must be a whole number from 1 to ${MAX_LIST_LIMIT}` }],
      });
    }
    let query = this.db
      .selectFrom('notification_outbox')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit);
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      channel: row.channel,
      idempotencyKey: row.idempotency_key,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      claimedUntil: row.claimed_until ?? undefined,
      lastError: row.last_error ?? undefined,
      deliveredAt: row.delivered_at ?? undefined,
      notification: parseStoredNotification(row.message),
    }));
  }

  private async attempt(row: ClaimedRow, leaseEnd: string): Promise<RowOutcome> {
    const result = await this.send(row);
    const { values, outcome } = this.decide(row, result, this.clock.now());
    // Only while the lease is ours: had it run out, another deliverer may have the row by now.
    const updated = await this.db
      .updateTable('notification_outbox')
      .set({ ...values, claimed_until: null })
      .where('id', '=', row.id)
      .where('claimed_until', '=', leaseEnd)
      .executeTakeFirst();
    const recorded: RowOutcome = { ...outcome, recorded: updated.numUpdatedRows === 1n };
    this.report(recorded);
    return recorded;
  }

  private decide(
    row: ClaimedRow,
    result: DeliveryResult,
    finishedAt: Date,
  ): { readonly values: RowUpdate; readonly outcome: Omit<RowOutcome, 'recorded'> } {
    const base = { id: row.id, channel: row.channel, attempt: row.attempts };
    switch (result.outcome) {
      case 'delivered':
        return {
          values: { status: 'delivered', delivered_at: finishedAt.toISOString(), last_error: null },
          outcome: { ...base, outcome: 'delivered' },
        };
      case 'failed':
        return {
          values: { status: 'failed', last_error: result.reason },
          outcome: { ...base, outcome: 'failed', reason: result.reason },
        };
      case 'retry': {
        if (row.attempts >= this.policy.maxAttempts) {
          const reason = `${result.reason}; gave up after ${row.attempts} attempts`;
          return { values: { status: 'failed', last_error: reason }, outcome: { ...base, outcome: 'failed', reason } };
        }
        const delay = retryDelay(row.attempts, this.policy, this.random, result.retryAfterMs);
        const nextAttemptAt = new Date(finishedAt.getTime() + delay).toISOString();
        return {
          values: { next_attempt_at: nextAttemptAt, last_error: result.reason },
          outcome: { ...base, outcome: 'retry', reason: result.reason, nextAttemptAt },
        };
      }
      default:
        return assertNever(result, 'delivery result');
    }
  }

  private async send(row: ClaimedRow): Promise<DeliveryResult> {
    const message = parseStoredNotification(row.message);
    if (message === undefined) {
      return { outcome: 'failed', reason: 'the stored notification is not one this version can read' };
    }
    const channel = this.channels.get(row.channel);
    if (channel === undefined) {
      return { outcome: 'failed', reason: `the channel "${row.channel}" is no longer configured` };
    }
    try {
      return await channel.deliver(message, { idempotencyKey: row.idempotency_key, now: this.clock.now() });
    } catch (error: unknown) {
      // Adapters return expected failures; anything thrown is a bug, and its text could hold a channel's URL.
      const name = error instanceof Error ? error.name : typeof error;
      this.logger?.warn({ notificationId: row.id, channel: row.channel, errorName: name }, 'a channel adapter threw');
      return { outcome: 'retry', reason: `the ${row.channel} channel adapter failed unexpectedly (${name})` };
    }
  }

  private report(outcome: RowOutcome): void {
    const details = {
      notificationId: outcome.id,
      channel: outcome.channel,
      attempt: outcome.attempt,
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      ...(outcome.nextAttemptAt === undefined ? {} : { nextAttemptAt: outcome.nextAttemptAt }),
    };
    if (!outcome.recorded) {
      this.logger?.warn(details, 'a notification attempt outlived its lease; another deliverer has the row');
      return;
    }
    switch (outcome.outcome) {
      case 'delivered':
        this.logger?.info(details, 'notification delivered');
        break;
      case 'retry':
        this.logger?.warn(details, 'notification not delivered; will try again');
        break;
      case 'failed':
        this.logger?.warn(details, 'notification failed; it will not be tried again');
        break;
    }
  }
}
