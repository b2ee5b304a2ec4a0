import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FixedClock } from '../../src/clock/index.js';
import { InputError } from '../../src/errors/index.js';
import { createChannels } from '../../src/notify/channels/create-channel.js';
import { NotificationDeliverer, type RowOutcome } from '../../src/notify/notification-deliverer.js';
import {
  type NotificationsConfig,
  type NotificationsConfigInput,
  NotificationsConfigSchema,
} from '../../src/notify/notify-config.js';
import { Outbox } from '../../src/notify/outbox.js';
import type { NotificationLogger, OutboundNotification } from '../../src/notify/types.js';
import { openStore, type Store, type StoreDialect, type StoreOptions } from '../../src/store/index.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { DIALECTS, openTestStore } from '../support/test-store.js';

after(stopSharedPostgres);

const NOW = new Date('2026-03-02T10:00:00.000Z');
const SECRET = 'the-shared-webhook-secret';
const ROUTING_KEY = 'R0123456789abcdefghijklmnopqrstu';
const OTHER_ROUTING_KEY = 'Zzyxwvutsrqponmlkjihgfedcba98765';
/** The part of a Slack or Teams URL that is the credential. */
const HOOK_TOKEN = 'T0001/B0002/hunter2hunter2hunter2';
/** Bounds every attempt that is expected to be answered; the timeout test uses tens of milliseconds. */
const ANSWERED_TIMEOUT_MS = 5_000;
/** With the jitter fixed at one half, the first retry waits half of initialBackoff. */
const POLICY = { maxAttempts: 8, initialBackoffMs: 1_000, maxBackoffMs: 60_000 };

// ---- Fake receivers on 127.0.0.1 ----

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Reply =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | 'hang';

interface Receiver {
  /** The base URL, no trailing slash. */
  readonly origin: string;
  readonly received: ReadonlyArray<Received>;
}

async function receiver(
  t: TestContext,
  reply: (request: Received, index: number) => Reply | Promise<Reply>,
): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      Promise.resolve(reply(entry, received.length - 1)).then(
        (answer) => {
          if (answer !== 'hang') response.writeHead(answer.status, answer.headers).end(answer.body ?? '');
        },
        () => response.writeHead(599).end(),
      );
    });
  });
  const port = await listen(server);
  t.after(() => close(server));
  return { origin: `http://127.0.0.1:${port}`, received };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

/** Answers 204 to a correctly signed webhook and 401 to anything else, as a receiver should. */
function verifyingWebhook(secret: string): (request: Received) => Reply {
  return (request) => {
    const timestamp = request.headers['x-sre-agent-timestamp'];
    const signature = request.headers['x-sre-agent-signature'];
    if (typeof timestamp !== 'string' || typeof signature !== 'string') return { status: 401 };
    const expected = Buffer.from(
      `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`,
    );
    const given = Buffer.from(signature);
    const valid = given.length === expected.length && timingSafeEqual(given, expected);
    return valid ? { status: 204 } : { status: 401 };
  };
}

/** Checks an Events API v2 event the way PagerDuty does, for one routing key. */
function pagerDuty(routingKey: string): (request: Received) => Reply {
  return (request) => {
    const invalid: Reply = { status: 400, body: '{"status":"invalid event","message":"Event object is invalid"}' };
    if (request.path !== '/v2/enqueue') return { status: 404 };
    const event: unknown = JSON.parse(request.body);
    if (typeof event !== 'object' || event === null) return invalid;
    if (!('routing_key' in event) || event.routing_key !== routingKey) return invalid;
    if (!('event_action' in event) || !('dedup_key' in event)) return invalid;
    if (event.event_action === 'trigger') {
      if (!('payload' in event) || typeof event.payload !== 'object' || event.payload === null) return invalid;
      const { payload } = event;
      if (!('summary' in payload) || typeof payload.summary !== 'string') return invalid;
      if (Array.from(payload.summary).length > 1_024) return invalid;
      if (!('source' in payload) || !('severity' in payload)) return invalid;
      if (!['critical', 'error', 'warning', 'info'].includes(String(payload.severity))) return invalid;
    } else if (Object.keys(event).length !== 3) {
      return invalid;
    }
    return {
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }),
    };
  };
}

// ---- The outbox and deliverer under test ----

interface LogEntry {
  readonly level: 'warn' | 'info';
  readonly details: object;
  readonly message: string;
}

function recordingLogger(): NotificationLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    warn: (details, message) => entries.push({ level: 'warn', details, message }),
    info: (details, message) => entries.push({ level: 'info', details, message }),
  };
}

interface Fixture {
  readonly store: Store;
  readonly options: StoreOptions;
  readonly clock: FixedClock;
  readonly config: NotificationsConfig;
  readonly outbox: Outbox;
  readonly deliverer: NotificationDeliverer;
  readonly logger: ReturnType<typeof recordingLogger>;
  enqueue(message: OutboundNotification, key: string): Promise<number>;
  rows(): Promise<
    ReadonlyArray<{
      readonly channel: string;
      readonly status: string;
      readonly attempts: number;
      readonly next_attempt_at: string;
      readonly claimed_until: string | null;
      readonly last_error: string | null;
      readonly delivered_at: string | null;
    }>
  >;
  /** Every log line and stored reason so far, for checking that no secret is in them. */
  said(): Promise<string>;
}

interface DelivererSettings {
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly batchSize?: number;
}

function delivererFor(
  store: Store,
  config: NotificationsConfig,
  clock: FixedClock,
  logger: NotificationLogger,
  settings: DelivererSettings = {},
): NotificationDeliverer {
  const timeoutMs = settings.timeoutMs ?? ANSWERED_TIMEOUT_MS;
  return NotificationDeliverer.create({
    db: store.db,
    channels: createChannels(config.channels, { timeoutMs }),
    clock,
    policy: { ...POLICY, maxAttempts: settings.maxAttempts ?? POLICY.maxAttempts, timeoutMs },
    random: () => 0.5,
    logger,
    ...(settings.batchSize === undefined ? {} : { batchSize: settings.batchSize }),
  });
}

async function fixture(
  dialect: StoreDialect,
  t: TestContext,
  input: NotificationsConfigInput,
  settings: DelivererSettings = {},
): Promise<Fixture> {
  const testStore = await openTestStore(dialect);
  t.after(testStore.cleanup);
  const { store } = testStore;
  const clock = FixedClock.at(NOW);
  const config = NotificationsConfigSchema.parse(input);
  const logger = recordingLogger();
  const outbox = Outbox.create({ routes: config.routes, clock });
  const deliverer = delivererFor(store, config, clock, logger, settings);
  const rows = () =>
    store.db
      .selectFrom('notification_outbox')
      .select(['channel', 'status', 'attempts', 'next_attempt_at', 'claimed_until', 'last_error', 'delivered_at'])
      .orderBy('channel')
      .orderBy('created_at')
      .execute();
  return {
    store,
    options: testStore.options,
    clock,
    config,
    outbox,
    deliverer,
    logger,
    enqueue: (message, key) => store.db.transaction().execute((tx) => outbox.enqueue(tx, message, key)),
    rows,
    said: async () => JSON.stringify([logger.entries, await rows()]),
  };
}

function notification(overrides: Partial<OutboundNotification> = {}): OutboundNotification {
  return {
    kind: 'incident.declared',
    incidentId: 'inc-1',
    title: 'Card payments failing',
    severity: 'SEV1',
    team: 'payments',
    services: ['payments-api'],
    summary: 'Card payments are failing for a fifth of customers.',
    details: [{ label: 'Commander', value: 'alice' }],
    url: 'https://sre.example/incidents/inc-1',
    occurredAt: NOW.toISOString(),
    pagerDuty: { action: 'trigger', dedupKey: 'sre-agent/inc-1' },
    ...overrides,
  };
}

function webhookConfig(origin: string, extra: NotificationsConfigInput['channels'] = {}): NotificationsConfigInput {
  return {
    channels: { audit: { kind: 'webhook', url: `${origin}/hook`, secret: SECRET }, ...extra },
    routes: [{ channels: ['audit', ...Object.keys(extra ?? {})] }],
  };
}

function only(outcomes: ReadonlyArray<RowOutcome>): RowOutcome {
  assert.equal(outcomes.length, 1, `expected one outcome, got ${JSON.stringify(outcomes)}`);
  const [outcome] = outcomes;
  assert.ok(outcome !== undefined);
  return outcome;
}

/** Polls until `condition` holds, for at most `limitMs`. */
async function eventually(condition: () => boolean, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${limitMs} ms`);
    await sleep(5);
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: notification outbox`, () => {
    test('queues one row per routed channel in the caller’s transaction, and a repeated key queues nothing', async (t) => {
      const f = await fixture(dialect, t, {
        channels: {
          audit: { kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: SECRET },
          paging: { kind: 'pagerduty', routingKey: ROUTING_KEY, url: 'http://127.0.0.1:9/v2/enqueue' },
        },
        routes: [{ channels: ['audit'] }, { severities: ['SEV1', 'SEV2'], channels: ['paging', 'audit'] }],
      });
      assert.equal(await f.enqueue(notification(), 'event-1'), 2);
      assert.equal(await f.enqueue(notification(), 'event-1'), 0, 'the same key again');
      assert.equal(await f.enqueue(notification({ severity: 'SEV4' }), 'event-2'), 1, 'only the unfiltered route');
      await assert.rejects(
        f.store.db.transaction().execute(async (tx) => {
          await f.outbox.enqueue(tx, notification(), 'event-3');
          throw new Error('the event was refused');
        }),
        /the event was refused/,
      );
      assert.equal(await f.deliverer.depth(), 3, 'a rolled-back transaction queues nothing');
      const rows = await f.rows();
      assert.deepEqual(
        rows.map((row) => [row.channel, row.status, row.attempts, row.next_attempt_at, row.claimed_until]),
        [
          ['audit', 'pending', 0, NOW.toISOString(), null],
          ['audit', 'pending', 0, NOW.toISOString(), null],
          ['paging', 'pending', 0, NOW.toISOString(), null],
        ],
      );
    });

    test('refuses a notification it could not deliver, before anything is queued', async (t) => {
      const f = await fixture(dialect, t, webhookConfig('http://127.0.0.1:9'));
      await assert.rejects(
        f.enqueue(notification({ title: '', pagerDuty: { action: 'trigger', dedupKey: 'x'.repeat(256) } }), ''),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.deepEqual(
            error.details.map((detail) => detail.path),
            ['title', 'pagerDuty.dedupKey', 'idempotencyKey'],
          );
          return true;
        },
      );
      assert.equal(await f.deliverer.depth(), 0);
    });

    test('signs webhook bodies so that the receiver can verify them, and sends each notification once', async (t) => {
      const hook = await receiver(t, verifyingWebhook(SECRET));
      const f = await fixture(
        dialect,
        t,
        webhookConfig(hook.origin, {
          forged: { kind: 'webhook', url: `${hook.origin}/hook`, secret: 'not-the-shared-secret' },
        }),
      );
      assert.equal(await f.enqueue(notification(), 'event-1'), 2);

      const round = await f.deliverer.tick();
      assert.equal(round.claimed, 2);
      const byChannel = new Map(round.outcomes.map((outcome) => [outcome.channel, outcome]));
      assert.equal(byChannel.get('audit')?.outcome, 'delivered');
      assert.equal(byChannel.get('forged')?.outcome, 'failed', 'the receiver refuses a body signed with another key');
      assert.equal(byChannel.get('forged')?.reason, 'webhook channel "forged" answered HTTP 401');

      const delivered = hook.received.find((request) => request.headers['x-sre-agent-signature'] !== undefined);
      assert.ok(delivered !== undefined);
      assert.equal(delivered.headers['idempotency-key'], 'event-1');
      assert.equal(delivered.headers['x-sre-agent-timestamp'], String(NOW.getTime() / 1_000));
      assert.equal(delivered.headers['content-type'], 'application/json');
      const body: unknown = JSON.parse(delivered.body);
      assert.ok(typeof body === 'object' && body !== null && 'idempotencyKey' in body);
      assert.equal(body.idempotencyKey, 'event-1');

      assert.deepEqual(
        (await f.rows()).map((row) => [row.channel, row.status, row.attempts, row.delivered_at, row.claimed_until]),
        [
          ['audit', 'delivered', 1, NOW.toISOString(), null],
          ['forged', 'failed', 1, null, null],
        ],
      );
      f.clock.advance(86_400_000);
      assert.equal((await f.deliverer.tick()).claimed, 0, 'nothing is sent twice');
      assert.equal(hook.received.length, 2);
      assert.equal(await f.deliverer.depth(), 0);
      assert.ok(!(await f.said()).includes(SECRET));
    });

    test('retries after a 500 with backoff, with the same idempotency key and body', async (t) => {
      const hook = await receiver(t, (_request, index) => (index === 0 ? { status: 500 } : { status: 200 }));
      const f = await fixture(dialect, t, webhookConfig(hook.origin));
      await f.enqueue(notification(), 'event-1');

      const first = only((await f.deliverer.tick()).outcomes);
      assert.deepEqual(
        { ...first, id: undefined },
        {
          id: undefined,
          channel: 'audit',
          outcome: 'retry',
          attempt: 1,
          reason: 'webhook channel "audit" answered HTTP 500',
          nextAttemptAt: new Date(NOW.getTime() + 500).toISOString(),
          recorded: true,
        },
      );
      const [waiting] = await f.rows();
      assert.equal(waiting?.status, 'pending');
      assert.equal(waiting?.last_error, 'webhook channel "audit" answered HTTP 500');
      assert.equal(waiting?.claimed_until, null);

      assert.equal((await f.deliverer.tick()).claimed, 0, 'not due yet');
      f.clock.advance(499);
      assert.equal((await f.deliverer.tick()).claimed, 0, 'still not due');
      f.clock.advance(1);
      assert.equal(only((await f.deliverer.tick()).outcomes).outcome, 'delivered');

      assert.equal(hook.received.length, 2);
      const [one, two] = hook.received;
      assert.equal(one?.headers['idempotency-key'], 'event-1');
      assert.equal(two?.headers['idempotency-key'], 'event-1');
      assert.equal(one?.body, two?.body);
      const [done] = await f.rows();
      assert.deepEqual([done?.status, done?.attempts, done?.last_error], ['delivered', 2, null]);
    });

    test('an incident’s rows wait behind one left to retry, in queue order; other incidents go on', async (t) => {
      let failed = false;
      const hook = await receiver(t, (request) => {
        if (failed || !request.body.includes('"inc-1"')) return { status: 200 };
        failed = true;
        return { status: 500 };
      });
      const f = await fixture(dialect, t, webhookConfig(hook.origin));
      await f.enqueue(notification(), 'declared');
      await f.enqueue(
        notification({ kind: 'incident.resolved', pagerDuty: { action: 'resolve', dedupKey: 'sre-agent/inc-1' } }),
        'resolved',
      );
      await f.enqueue(notification({ incidentId: 'inc-2' }), 'other');

      const first = await f.deliverer.tick();
      assert.deepEqual(
        first.outcomes.map((outcome) => outcome.outcome).sort(),
        ['delivered', 'retry'],
        'inc-1 is held behind its retry; inc-2 is delivered',
      );
      f.clock.advance(500);
      const second = await f.deliverer.tick();
      assert.deepEqual(
        second.outcomes.map((outcome) => outcome.outcome),
        ['delivered', 'delivered'],
      );
      const kinds = hook.received.map((request) => {
        const body = JSON.parse(request.body) as { kind: string; incident: { id: string } };
        return `${body.incident.id} ${body.kind}`;
      });
      assert.deepEqual(kinds.slice(-2), ['inc-1 incident.declared', 'inc-1 incident.resolved']);
    });

    test('obeys Slack’s Retry-After on 429, then delivers', async (t) => {
      const slack = await receiver(t, (_request, index) =>
        index === 0
          ? { status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' }
          : { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' },
      );
      const f = await fixture(dialect, t, {
        channels: { 'payments-slack': { kind: 'slack', url: `${slack.origin}/services/${HOOK_TOKEN}` } },
        routes: [{ channels: ['payments-slack'] }],
      });
      await f.enqueue(notification(), 'event-1');

      const first = only((await f.deliverer.tick()).outcomes);
      assert.equal(first.outcome, 'retry');
      assert.equal(first.reason, 'Slack channel "payments-slack" answered HTTP 429 (rate_limited)');
      assert.equal(first.nextAttemptAt, new Date(NOW.getTime() + 3_000).toISOString());
      f.clock.advance(2_999);
      assert.equal((await f.deliverer.tick()).claimed, 0);
      f.clock.advance(1);
      assert.equal(only((await f.deliverer.tick()).outcomes).outcome, 'delivered');

      const request = slack.received[1];
      assert.equal(request?.path, `/services/${HOOK_TOKEN}`);
      const body: unknown = JSON.parse(request?.body ?? '');
      assert.ok(typeof body === 'object' && body !== null && 'text' in body && 'blocks' in body);
      assert.equal(body.text, '[SEV1] Incident declared: Card payments failing');
      assert.ok(Array.isArray(body.blocks) && body.blocks.length > 0);
      assert.ok(!(await f.said()).includes(HOOK_TOKEN));
    });

    test('a Slack 404 no_service fails for good, and no reason or log shows the webhook URL', async (t) => {
      const slack = await receiver(t, () => ({ status: 404, body: 'no_service' }));
      const f = await fixture(dialect, t, {
        channels: { ops: { kind: 'slack', url: `${slack.origin}/services/${HOOK_TOKEN}` } },
        routes: [{ channels: ['ops'] }],
      });
      await f.enqueue(notification(), 'event-1');

      const outcome = only((await f.deliverer.tick()).outcomes);
      assert.equal(outcome.outcome, 'failed');
      assert.equal(outcome.reason, 'Slack channel "ops" answered HTTP 404 (no_service)');
      f.clock.advance(86_400_000);
      assert.equal((await f.deliverer.tick()).claimed, 0);
      assert.equal(slack.received.length, 1);
      const [row] = await f.rows();
      assert.deepEqual(
        [row?.status, row?.last_error],
        ['failed', 'Slack channel "ops" answered HTTP 404 (no_service)'],
      );
      assert.deepEqual(
        f.logger.entries.map((entry) => [entry.level, entry.message]),
        [['warn', 'notification failed; it will not be tried again']],
      );
      const said = await f.said();
      assert.ok(!said.includes(HOOK_TOKEN) && !said.includes(slack.origin));
    });

    test('Teams workflows answer 202: delivered as an Adaptive Card', async (t) => {
      const teams = await receiver(t, () => ({ status: 202 }));
      const f = await fixture(dialect, t, {
        channels: { 'payments-teams': { kind: 'teams', url: `${teams.origin}/workflows/${HOOK_TOKEN}` } },
        routes: [{ channels: ['payments-teams'] }],
      });
      await f.enqueue(notification(), 'event-1');
      assert.equal(only((await f.deliverer.tick()).outcomes).outcome, 'delivered');
      const body: unknown = JSON.parse(teams.received[0]?.body ?? '');
      assert.ok(typeof body === 'object' && body !== null && 'type' in body && 'attachments' in body);
      assert.equal(body.type, 'message');
      assert.ok(Array.isArray(body.attachments));
      const [attachment]: unknown[] = body.attachments;
      assert.ok(typeof attachment === 'object' && attachment !== null && 'contentType' in attachment);
      assert.equal(attachment.contentType, 'application/vnd.microsoft.card.adaptive');
    });

    test('PagerDuty: a trigger and a resolve on one dedup key; a 400 fails without a retry', async (t) => {
      const events = await receiver(t, pagerDuty(ROUTING_KEY));
      const f = await fixture(dialect, t, {
        channels: {
          paging: { kind: 'pagerduty', routingKey: ROUTING_KEY, url: `${events.origin}/v2/enqueue` },
          'wrong-key': { kind: 'pagerduty', routingKey: OTHER_ROUTING_KEY, url: `${events.origin}/v2/enqueue` },
        },
        routes: [{ channels: ['paging'] }, { kinds: ['incident.declared'], channels: ['wrong-key'] }],
      });
      await f.enqueue(notification({ summary: 'A very long summary. '.repeat(200) }), 'event-1');
      const outcomes = (await f.deliverer.tick()).outcomes;
      const byChannel = new Map(outcomes.map((outcome) => [outcome.channel, outcome]));
      assert.equal(byChannel.get('paging')?.outcome, 'delivered', 'the summary was cut to what PagerDuty takes');
      assert.deepEqual(
        [byChannel.get('wrong-key')?.outcome, byChannel.get('wrong-key')?.reason],
        ['failed', 'PagerDuty channel "wrong-key" answered HTTP 400'],
      );

      const resolved = notification({
        kind: 'incident.resolved',
        pagerDuty: { action: 'resolve', dedupKey: 'sre-agent/inc-1' },
      });
      assert.equal(await f.enqueue(resolved, 'event-2'), 1);
      f.clock.advance(86_400_000);
      assert.equal(only((await f.deliverer.tick()).outcomes).outcome, 'delivered', 'the failed row stays failed');
      assert.equal(events.received.length, 3);
      const last: unknown = JSON.parse(events.received[2]?.body ?? '');
      assert.deepEqual(last, { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: 'sre-agent/inc-1' });
      const said = await f.said();
      assert.ok(!said.includes(ROUTING_KEY) && !said.includes(OTHER_ROUTING_KEY));
    });

    test('a receiver that never answers times out, and the next attempt goes through', async (t) => {
      const hook = await receiver(t, (_request, index) => (index === 0 ? 'hang' : { status: 200 }));
      const f = await fixture(dialect, t, webhookConfig(hook.origin), { timeoutMs: 50 });
      await f.enqueue(notification(), 'event-1');

      const started = Date.now();
      const first = only((await f.deliverer.tick()).outcomes);
      assert.ok(Date.now() - started < 2_000, 'the attempt was cut off');
      assert.deepEqual([first.outcome, first.reason], ['retry', 'webhook channel "audit" did not answer within 50 ms']);
      f.clock.advance(500);
      assert.equal(only((await f.deliverer.tick()).outcomes).outcome, 'delivered');
      assert.deepEqual(
        hook.received.map((request) => request.headers['idempotency-key']),
        ['event-1', 'event-1'],
      );
    });

    test('an unreachable receiver is retried', async (t) => {
      const f = await fixture(dialect, t, webhookConfig(`http://127.0.0.1:${await closedPort()}`));
      await f.enqueue(notification(), 'event-1');
      const outcome = only((await f.deliverer.tick()).outcomes);
      assert.deepEqual(
        [outcome.outcome, outcome.reason],
        ['retry', 'cannot reach webhook channel "audit" (ECONNREFUSED)'],
      );
    });

    test('gives up after maxAttempts', async (t) => {
      const hook = await receiver(t, () => ({ status: 503 }));
      const f = await fixture(dialect, t, webhookConfig(hook.origin), { maxAttempts: 3 });
      await f.enqueue(notification(), 'event-1');
      const outcomes: RowOutcome[] = [];
      for (let round = 0; round < 4; round += 1) {
        outcomes.push(...(await f.deliverer.tick()).outcomes);
        f.clock.advance(POLICY.maxBackoffMs);
      }
      assert.deepEqual(
        outcomes.map((outcome) => [outcome.attempt, outcome.outcome]),
        [
          [1, 'retry'],
          [2, 'retry'],
          [3, 'failed'],
        ],
      );
      assert.equal(outcomes[2]?.reason, 'webhook channel "audit" answered HTTP 503; gave up after 3 attempts');
      assert.equal(hook.received.length, 3);
    });

    test('a row whose channel is no longer configured fails', async (t) => {
      const f = await fixture(dialect, t, webhookConfig('http://127.0.0.1:9'));
      const later = NotificationsConfigSchema.parse({});
      const deliverer = delivererFor(f.store, later, f.clock, f.logger);
      await f.enqueue(notification(), 'event-1');
      const outcome = only((await deliverer.tick()).outcomes);
      assert.deepEqual([outcome.outcome, outcome.reason], ['failed', 'the channel "audit" is no longer configured']);
    });

    test('a row claimed by another deliverer waits until its lease runs out', async (t) => {
      const hook = await receiver(t, () => ({ status: 200 }));
      const f = await fixture(dialect, t, webhookConfig(hook.origin));
      await f.enqueue(notification(), 'event-1');
      // As a deliverer that claimed the row and then died would leave it.
      const leaseEnd = new Date(NOW.getTime() + 30_000).toISOString();
      await f.store.db.updateTable('notification_outbox').set({ claimed_until: leaseEnd, attempts: 1 }).execute();

      assert.equal((await f.deliverer.tick()).claimed, 0);
      f.clock.advance(30_000);
      assert.equal((await f.deliverer.tick()).claimed, 0, 'the lease holds until its last millisecond');
      f.clock.advance(1);
      const outcome = only((await f.deliverer.tick()).outcomes);
      assert.deepEqual([outcome.outcome, outcome.attempt], ['delivered', 2]);
      assert.equal(hook.received.length, 1);
    });

    test('two deliverers ticking at once deliver each row exactly once', async (t) => {
      const hook = await receiver(t, async () => {
        await sleep(2);
        return { status: 200 };
      });
      const f = await fixture(dialect, t, webhookConfig(hook.origin), { batchSize: 50 });
      // A second connection pool, as another process or replica would have.
      const other = await openStore(f.options);
      t.after(() => other.close());
      const second = delivererFor(other, f.config, f.clock, f.logger, { batchSize: 50 });
      const keys = Array.from({ length: 30 }, (_, index) => `event-${index}`);
      for (const key of keys) await f.enqueue(notification({ incidentId: key }), key);

      const rounds = await Promise.all([f.deliverer.tick(), second.tick(), f.deliverer.tick(), second.tick()]);
      const delivered = rounds.flatMap((round) => round.outcomes).filter((outcome) => outcome.outcome === 'delivered');
      assert.equal(delivered.length, keys.length);
      assert.equal(new Set(delivered.map((outcome) => outcome.id)).size, keys.length);
      assert.deepEqual(
        hook.received.map((request) => request.headers['idempotency-key']).sort(),
        [...keys].sort(),
        'each notification reached the receiver once',
      );
      assert.equal(await f.deliverer.depth(), 0);
      assert.deepEqual(
        (await Promise.all([f.deliverer.tick(), second.tick()])).map((round) => round.claimed),
        [0, 0],
      );
    });

    test('start ticks in the background and stop waits for the tick in flight', async (t) => {
      const hook = await receiver(t, async () => {
        await sleep(30);
        return { status: 200 };
      });
      const f = await fixture(dialect, t, webhookConfig(hook.origin));
      await f.enqueue(notification(), 'event-1');
      f.deliverer.start(10);
      t.after(() => f.deliverer.stop());
      await eventually(() => hook.received.length === 1);
      await f.deliverer.stop();
      assert.equal((await f.rows())[0]?.status, 'delivered', 'the tick in flight finished before stop returned');

      await f.enqueue(notification(), 'event-2');
      await sleep(40);
      assert.equal(hook.received.length, 1, 'no tick after stop');
      assert.equal(await f.deliverer.depth(), 1);
    });

    test('list and depth show an operator what is queued', async (t) => {
      const hook = await receiver(t, (request) =>
        request.body.includes('"inc-fails"')
          ? { status: 422 }
          : request.body.includes('"inc-slow"')
            ? { status: 503 }
            : { status: 200 },
      );
      const f = await fixture(dialect, t, webhookConfig(hook.origin));
      for (const incidentId of ['inc-ok', 'inc-fails', 'inc-slow']) {
        await f.enqueue(notification({ incidentId }), `event-${incidentId}`);
        f.clock.advance(1_000);
      }
      await f.deliverer.tick();

      const all = await f.deliverer.list({ limit: 10 });
      assert.deepEqual(
        all.map((entry) => [entry.notification?.incidentId, entry.status, entry.attempts, entry.lastError]),
        [
          ['inc-slow', 'pending', 1, 'webhook channel "audit" answered HTTP 503'],
          ['inc-fails', 'failed', 1, 'webhook channel "audit" answered HTTP 422'],
          ['inc-ok', 'delivered', 1, undefined],
        ],
      );
      assert.equal(all[2]?.deliveredAt, new Date(NOW.getTime() + 3_000).toISOString());
      assert.equal(all[2]?.claimedUntil, undefined);
      assert.equal(all[2]?.idempotencyKey, 'event-inc-ok');
      assert.deepEqual(
        (await f.deliverer.list({ status: 'failed', limit: 10 })).map((entry) => entry.notification?.incidentId),
        ['inc-fails'],
      );
      assert.equal((await f.deliverer.list({ limit: 1 })).length, 1);
      await assert.rejects(f.deliverer.list({ limit: 0 }), InputError);
      assert.equal(await f.deliverer.depth(), 1);
    });
  });
}
