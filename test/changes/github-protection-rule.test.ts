import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, type TestContext, test } from 'node:test';
import { inspect } from 'node:util';
import { jwtVerify } from 'jose';
import { GitHubAppAuth } from '../../src/changes/integrations/github-app-auth.js';
import { MAX_COMMENT_LENGTH } from '../../src/changes/integrations/github-comment.js';
import {
  type GitHubGateConfig,
  type GitHubGateConfigInput,
  GitHubGateConfigSchema,
} from '../../src/changes/integrations/github-config.js';
import {
  type DeploymentGateRequest,
  GitHubProtectionRules,
  type ProtectionRuleLogger,
  type ProtectionRuleOutcome,
  type WebhookReceipt,
} from '../../src/changes/integrations/github-protection-rule.js';
import { verifyGitHubSignature } from '../../src/changes/integrations/github-signature.js';
import type { GateVerdict } from '../../src/changes/types.js';
import { FixedClock } from '../../src/clock/index.js';

const APP_ID = '123456';
const WEBHOOK_SECRET = 'whsec-test-0123456789abcdef';
const HOUR = 3_600_000;
const START = '2026-03-02T10:00:00.000Z';

// PKCS#1, the form GitHub hands out for an App's private key.
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const APP_PUBLIC_KEY = createPublicKey(keys.publicKey);

const ALLOW: GateVerdict = {
  decision: 'allow',
  reasons: [{ code: 'approved', effect: 'allow', message: 'Change CHG-42 is approved and inside its window.' }],
};
const DENY: GateVerdict = {
  decision: 'deny',
  reasons: [
    { code: 'freeze', effect: 'deny', message: 'The year-end change freeze runs until 2 January.' },
    { code: 'budget-exhausted', effect: 'deny', message: 'The error budget of payments-api is spent.' },
  ],
};
const HOLD: GateVerdict = {
  decision: 'hold',
  reasons: [{ code: 'open-incident', effect: 'hold', message: 'Incident INC-7 is open against payments-api.' }],
};

// ---- a GitHub REST API that speaks the App and protection rule shapes ----

interface RecordedCallback {
  readonly path: string;
  readonly body: { readonly environment_name?: string; readonly state?: string; readonly comment?: string };
}

/** GitHub as far as the App uses it: installation tokens for a valid App JWT, and protection rule callbacks. */
class FakeGitHub {
  readonly callbacks: RecordedCallback[] = [];
  readonly issuedTokens: string[] = [];
  tokenRequests = 0;
  /** Statuses to answer the next callbacks with, instead of 204. */
  readonly callbackFailures: number[] = [];
  private readonly callbackWaiters: Array<{ readonly count: number; readonly resolve: () => void }> = [];

  private constructor(
    readonly url: string,
    private readonly clock: FixedClock,
    private readonly publicKey: KeyObject,
  ) {}

  static async start(t: TestContext, clock: FixedClock): Promise<FakeGitHub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const github = new FakeGitHub(`http://127.0.0.1:${port}`, clock, APP_PUBLIC_KEY);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      github.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(JSON.stringify({ message: String(error) }));
      });
    });
    t.after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return github;
  }

  /** Resolves once `count` callbacks have been answered with 2xx. */
  callbacksReceived(count: number): Promise<void> {
    if (this.callbacks.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.callbackWaiters.push({ count, resolve }));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = request.url ?? '';
    if (request.method !== 'POST') return reply(response, 404, { message: 'Not Found' });
    if (/^\/app\/installations\/\d+\/access_tokens$/.test(path)) return this.mintToken(request, response);
    if (/^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/deployment_protection_rule$/.test(path)) {
      return this.callback(request, response, path, body);
    }
    return reply(response, 404, { message: 'Not Found' });
  }

  private async mintToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.tokenRequests += 1;
    const jwt = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (jwt === undefined) return reply(response, 401, { message: 'A JSON web token could not be decoded' });
    try {
      const { payload, protectedHeader } = await jwtVerify(jwt, this.publicKey, {
        algorithms: ['RS256'],
        issuer: APP_ID,
        currentDate: this.clock.now(),
      });
      const { iat, exp } = payload;
      if (protectedHeader.alg !== 'RS256' || iat === undefined || exp === undefined || exp - iat > 600) {
        return reply(response, 401, { message: "'Expiration time' claim ('exp') is too far in the future" });
      }
    } catch {
      return reply(response, 401, { message: 'A JSON web token could not be decoded' });
    }
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    this.issuedTokens.push(token);
    const expiresAt = new Date(this.clock.now().getTime() + HOUR).toISOString().replace('.000Z', 'Z');
    return reply(response, 201, { token, expires_at: expiresAt, permissions: { deployments: 'write' } });
  }

  private callback(request: IncomingMessage, response: ServerResponse, path: string, body: string): void {
    const current = this.issuedTokens.at(-1);
    if (current === undefined || request.headers.authorization !== `Bearer ${current}`) {
      reply(response, 401, { message: 'Bad credentials' });
      return;
    }
    if (
      request.headers.accept !== 'application/vnd.github+json' ||
      request.headers['x-github-api-version'] !== '2022-11-28'
    ) {
      reply(response, 400, { message: 'Unexpected headers' });
      return;
    }
    const failure = this.callbackFailures.shift();
    if (failure !== undefined) {
      reply(response, failure, { message: 'Server Error' });
      return;
    }
    const parsed: unknown = JSON.parse(body);
    assert.ok(typeof parsed === 'object' && parsed !== null);
    this.callbacks.push({ path, body: parsed });
    response.statusCode = 204;
    response.end();
    for (const waiter of this.callbackWaiters.filter((entry) => this.callbacks.length >= entry.count)) {
      waiter.resolve();
    }
  }
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

// ---- the integration under test ----

interface LogEntry {
  readonly level: 'info' | 'warn';
  readonly details: object;
  readonly message: string;
}

class RecordingLogger implements ProtectionRuleLogger {
  readonly entries: LogEntry[] = [];

  info(details: object, message: string): void {
    this.entries.push({ level: 'info', details, message });
  }

  warn(details: object, message: string): void {
    this.entries.push({ level: 'warn', details, message });
  }
}

function parseConfig(input: GitHubGateConfigInput): GitHubGateConfig {
  const parsed = GitHubGateConfigSchema.parse(input);
  assert.ok(parsed !== undefined);
  return parsed;
}

function configFor(github: FakeGitHub): GitHubGateConfig {
  const config = parseConfig({
    appId: Number(APP_ID),
    privateKey: keys.privateKey,
    webhookSecret: WEBHOOK_SECRET,
    apiUrl: github.url,
    repositories: { 'acme-bank/payments-api': 'payments-api' },
    holdTimeout: '2h',
  });
  // Below the schema's 1 s floor, so that a re-check takes milliseconds of real time; the FixedClock carries the rest.
  return { ...config, holdRecheck: '10ms' };
}

interface Harness {
  readonly github: FakeGitHub;
  readonly rules: GitHubProtectionRules;
  readonly logger: RecordingLogger;
  readonly clock: FixedClock;
  readonly requests: DeploymentGateRequest[];
}

/** Rules answering with `verdicts` in turn, the last one repeated; `onDecide` runs before each answer. */
async function harness(
  t: TestContext,
  verdicts: ReadonlyArray<GateVerdict>,
  onDecide?: (clock: FixedClock) => void,
): Promise<Harness> {
  const clock = FixedClock.at(START);
  const github = await FakeGitHub.start(t, clock);
  const logger = new RecordingLogger();
  const requests: DeploymentGateRequest[] = [];
  const rules = GitHubProtectionRules.create({
    config: configFor(github),
    clock,
    logger,
    retry: { attempts: 3, initialDelayMs: 5 },
    decide: async (request) => {
      requests.push(request);
      onDecide?.(clock);
      const verdict = verdicts[Math.min(requests.length, verdicts.length) - 1];
      assert.ok(verdict !== undefined);
      return verdict;
    },
  });
  t.after(() => rules.stop());
  return { github, rules, logger, clock, requests };
}

interface DeliveryOptions {
  readonly repository?: string;
  readonly runId?: number;
  readonly environment?: string;
  readonly secret?: string;
  readonly event?: string;
  readonly payload?: Record<string, unknown>;
}

function deliver(h: Harness, options: DeliveryOptions = {}): WebhookReceipt {
  const repository = options.repository ?? 'acme-bank/payments-api';
  const runId = options.runId ?? 4_242;
  const payload = options.payload ?? {
    action: 'requested',
    environment: options.environment ?? 'production',
    event: 'push',
    deployment_callback_url: `${h.github.url}/repos/${repository}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: { id: 1, sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', ref: 'main', environment: 'production' },
    repository: { id: 7, full_name: repository, private: true },
    installation: { id: 99 },
    sender: { login: 'octocat' },
  };
  const body = Buffer.from(JSON.stringify(payload));
  const signature = createHmac('sha256', options.secret ?? WEBHOOK_SECRET)
    .update(body)
    .digest('hex');
  return h.rules.receive(body, {
    'content-type': 'application/json',
    'x-github-event': options.event ?? 'deployment_protection_rule',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-hub-signature-256': `sha256=${signature}`,
  });
}

async function settledOf(receipt: WebhookReceipt): Promise<ProtectionRuleOutcome> {
  assert.equal(receipt.outcome, 'accepted', receipt.message);
  assert.ok(receipt.outcome === 'accepted');
  assert.equal(receipt.status, 202);
  return receipt.settled;
}

/** Nothing secret reached the log: not the webhook secret, the private key or any installation token. */
function assertNoSecrets(h: Harness): void {
  const text = inspect(h.logger.entries, { depth: 10 });
  assert.ok(!text.includes(WEBHOOK_SECRET), 'the webhook secret was logged');
  assert.ok(!text.includes('PRIVATE KEY'), 'the private key was logged');
  const keyLine = keys.privateKey.split('\n')[1];
  assert.ok(keyLine !== undefined && !text.includes(keyLine), 'the private key was logged');
  for (const token of h.github.issuedTokens) assert.ok(!text.includes(token), 'an installation token was logged');
}

// ---- tests ----

describe('GitHubProtectionRules', () => {
  test('approves on allow, listing the reasons, with the installation token', async (t) => {
    const h = await harness(t, [ALLOW]);
    const outcome = await settledOf(deliver(h));

    assert.equal(outcome.result, 'approved');
    assert.deepEqual(h.requests, [
      {
        service: 'payments-api',
        repository: 'acme-bank/payments-api',
        environment: 'production',
        sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
        ref: 'main',
      },
    ]);
    assert.equal(h.github.callbacks.length, 1);
    const [callback] = h.github.callbacks;
    assert.equal(callback?.path, '/repos/acme-bank/payments-api/actions/runs/4242/deployment_protection_rule');
    assert.equal(callback?.body.environment_name, 'production');
    assert.equal(callback?.body.state, 'approved');
    assert.match(callback?.body.comment ?? '', /\*\*Approved\*\*/);
    assert.match(callback?.body.comment ?? '', /`approved`: Change CHG-42 is approved and inside its window\./);
    assertNoSecrets(h);
  });

  test('rejects on deny, listing every reason', async (t) => {
    const h = await harness(t, [DENY]);
    const outcome = await settledOf(deliver(h));

    assert.equal(outcome.result, 'rejected');
    assert.ok(outcome.result === 'rejected' && !outcome.timedOut);
    const comment = h.github.callbacks[0]?.body.comment ?? '';
    assert.equal(h.github.callbacks[0]?.body.state, 'rejected');
    assert.match(comment, /`freeze`: The year-end change freeze runs until 2 January\./);
    assert.match(comment, /`budget-exhausted`: The error budget of payments-api is spent\./);
  });

  test('keeps a comment with many long reasons within 1024 characters', async (t) => {
    const reasons = Array.from({ length: 40 }, (_, index) => ({
      code: `reason-${index}`,
      effect: 'deny' as const,
      message: `Reason ${index}: ${'very long explanation '.repeat(30)}`,
    }));
    const h = await harness(t, [{ decision: 'deny', reasons }]);
    await settledOf(deliver(h));

    const comment = h.github.callbacks[0]?.body.comment ?? '';
    assert.ok(comment.length <= MAX_COMMENT_LENGTH, `comment of ${comment.length} characters`);
    assert.match(comment, /- …and \d+ more$/);
  });

  test('posts one status report while held, then approves once allowed', async (t) => {
    const h = await harness(t, [HOLD, HOLD, ALLOW]);
    const outcome = await settledOf(deliver(h));

    assert.equal(outcome.result, 'approved');
    assert.equal(h.requests.length, 3);
    assert.equal(h.github.callbacks.length, 2);
    const [report, answer] = h.github.callbacks;
    assert.equal(report?.body.state, undefined);
    assert.equal(report?.body.environment_name, 'production');
    assert.match(report?.body.comment ?? '', /\*\*Held\*\*.*checked again every 10ms/);
    assert.match(report?.body.comment ?? '', /`open-incident`: Incident INC-7 is open/);
    assert.equal(answer?.body.state, 'approved');
  });

  test('rejects a deployment still held at holdTimeout, saying it timed out', async (t) => {
    const h = await harness(t, [HOLD], (clock) => clock.advance(HOUR));
    const outcome = await settledOf(deliver(h));

    assert.equal(outcome.result, 'rejected');
    assert.ok(outcome.result === 'rejected' && outcome.timedOut);
    assert.equal(h.requests.length, 2);
    const [report, answer] = h.github.callbacks;
    assert.equal(report?.body.state, undefined);
    assert.equal(answer?.body.state, 'rejected');
    assert.match(answer?.body.comment ?? '', /still held after 2h/);
    assert.match(answer?.body.comment ?? '', /`open-incident`/);
  });

  test('answers 401 to a bad signature and neither decides nor calls back', async (t) => {
    const h = await harness(t, [ALLOW]);
    const receipt = deliver(h, { secret: 'not-the-webhook-secret-at-all' });

    assert.equal(receipt.status, 401);
    assert.equal(receipt.outcome, 'unauthenticated');
    assert.equal(h.requests.length, 0);
    assert.equal(h.github.tokenRequests, 0);
    assert.equal(h.github.callbacks.length, 0);
    assertNoSecrets(h);
  });

  test('answers 401 when the signature header is missing', async (t) => {
    const h = await harness(t, [ALLOW]);
    const receipt = h.rules.receive('{}', { 'x-github-event': 'deployment_protection_rule' });
    assert.equal(receipt.status, 401);
    assert.match(receipt.message, /missing/);
  });

  test('answers 422 for a repository mapped to no service', async (t) => {
    const h = await harness(t, [ALLOW]);
    const receipt = deliver(h, { repository: 'acme-bank/unknown-service' });

    assert.equal(receipt.status, 422);
    assert.match(receipt.message, /acme-bank\/unknown-service is not mapped/);
    assert.equal(h.requests.length, 0);
    assert.equal(h.github.callbacks.length, 0);
  });

  test('matches repository names without regard to case', async (t) => {
    const h = await harness(t, [ALLOW]);
    const outcome = await settledOf(deliver(h, { repository: 'Acme-Bank/Payments-API' }));
    assert.equal(outcome.result, 'approved');
    assert.equal(h.requests[0]?.service, 'payments-api');
  });

  test('ignores pings and other actions, and answers 400 to a payload without its fields', async (t) => {
    const h = await harness(t, [ALLOW]);
    const ping = deliver(h, { event: 'ping', payload: { zen: 'Keep it logically awesome.', hook_id: 1 } });
    assert.deepEqual([ping.status, ping.outcome], [200, 'ignored']);

    const other = deliver(h, { payload: { action: 'completed' } });
    assert.deepEqual([other.status, other.outcome], [200, 'ignored']);

    const bad = deliver(h, { payload: { action: 'requested', environment: 'production' } });
    assert.deepEqual([bad.status, bad.outcome], [400, 'invalid']);
    assert.match(bad.message, /deployment_callback_url/);
    assert.equal(h.requests.length, 0);
  });

  test('answers 400 to a callback URL outside the configured API', async (t) => {
    const h = await harness(t, [ALLOW]);
    const receipt = deliver(h, {
      payload: {
        action: 'requested',
        environment: 'production',
        deployment_callback_url:
          'https://attacker.example/repos/acme-bank/payments-api/actions/runs/1/deployment_protection_rule',
        repository: { full_name: 'acme-bank/payments-api' },
        installation: { id: 99 },
      },
    });
    assert.equal(receipt.status, 400);
    assert.equal(h.requests.length, 0);
  });

  test('reuses one installation token across deliveries until a minute before it expires', async (t) => {
    const h = await harness(t, [ALLOW]);
    await settledOf(deliver(h, { runId: 1 }));
    await settledOf(deliver(h, { runId: 2 }));
    assert.equal(h.github.tokenRequests, 1);
    assert.equal(h.github.callbacks.length, 2);

    h.clock.advance(HOUR - 60_000);
    await settledOf(deliver(h, { runId: 3 }));
    assert.equal(h.github.tokenRequests, 2);
    assert.equal(h.github.callbacks.length, 3);
    assertNoSecrets(h);
  });

  test('shares one token request between deliveries that arrive together', async (t) => {
    const h = await harness(t, [ALLOW]);
    const outcomes = await Promise.all([settledOf(deliver(h, { runId: 1 })), settledOf(deliver(h, { runId: 2 }))]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.result),
      ['approved', 'approved'],
    );
    assert.equal(h.github.tokenRequests, 1);
  });

  test('decides a repeated delivery of a waiting deployment once', async (t) => {
    const h = await harness(t, [HOLD, ALLOW]);
    const first = deliver(h);
    const second = deliver(h);
    const [one, two] = await Promise.all([settledOf(first), settledOf(second)]);
    assert.equal(one, two);
    assert.equal(h.github.callbacks.filter((callback) => callback.body.state === 'approved').length, 1);
  });

  test('retries a callback that GitHub answers with 500, logging the failure without secrets', async (t) => {
    const h = await harness(t, [ALLOW]);
    h.github.callbackFailures.push(500);
    const outcome = await settledOf(deliver(h));

    assert.equal(outcome.result, 'approved');
    assert.equal(h.github.callbacks.length, 1);
    const warnings = h.logger.entries.filter((entry) => entry.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(inspect(warnings[0]), /HTTP 500/);
    assertNoSecrets(h);
  });

  test('gives up after the configured attempts and reports the callback as failed', async (t) => {
    const h = await harness(t, [DENY]);
    h.github.callbackFailures.push(502, 503, 500);
    const outcome = await settledOf(deliver(h));

    assert.equal(outcome.result, 'callback-failed');
    assert.ok(outcome.result === 'callback-failed');
    assert.match(outcome.reason, /HTTP 500/);
    assert.equal(h.logger.entries.filter((entry) => entry.level === 'warn').length, 3);
    assert.equal(h.github.callbacks.length, 0);
    assertNoSecrets(h);
  });

  test('does not retry a refusal that will not pass by itself', async (t) => {
    const h = await harness(t, [ALLOW]);
    h.github.callbackFailures.push(422);
    const outcome = await settledOf(deliver(h));
    assert.equal(outcome.result, 'callback-failed');
    assert.equal(h.github.callbackFailures.length, 0);
    assert.equal(h.logger.entries.filter((entry) => entry.level === 'warn').length, 1);
  });

  test('holds a deployment whose gate throws, and logs it', async (t) => {
    let calls = 0;
    const clock = FixedClock.at(START);
    const github = await FakeGitHub.start(t, clock);
    const logger = new RecordingLogger();
    const rules = GitHubProtectionRules.create({
      config: configFor(github),
      clock,
      logger,
      decide: async () => {
        calls += 1;
        if (calls === 1) throw new Error('database unavailable');
        return ALLOW;
      },
    });
    t.after(() => rules.stop());
    const outcome = await settledOf(
      deliver({ github, rules, logger, clock, requests: [] }, { environment: 'staging' }),
    );
    assert.equal(outcome.result, 'approved');
    assert.match(github.callbacks[0]?.body.comment ?? '', /`gate-unavailable`/);
    assert.ok(logger.entries.some((entry) => entry.message.includes('the change gate failed')));
  });

  test('stop() ends the holds and refuses further deliveries', async (t) => {
    const h = await harness(t, [HOLD]);
    const receipt = deliver(h);
    await h.github.callbacksReceived(1);
    await h.rules.stop();

    assert.equal((await settledOf(receipt)).result, 'abandoned');
    assert.equal(deliver(h, { runId: 5 }).status, 503);
  });

  test('a token exchange refused by GitHub is logged without the JWT', async (t) => {
    const clock = FixedClock.at(START);
    const github = await FakeGitHub.start(t, clock);
    const logger = new RecordingLogger();
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const rules = GitHubProtectionRules.create({
      config: { ...configFor(github), privateKey: other.privateKey },
      clock,
      logger,
      retry: { attempts: 2, initialDelayMs: 5 },
      decide: async () => ALLOW,
    });
    t.after(() => rules.stop());
    const outcome = await settledOf(deliver({ github, rules, logger, clock, requests: [] }));

    assert.equal(outcome.result, 'callback-failed');
    assert.ok(outcome.result === 'callback-failed');
    assert.match(outcome.reason, /installation token endpoint \(installation 99\) answered HTTP 401/);
    // A 401 to the JWT will not pass by itself.
    assert.equal(github.tokenRequests, 1);
    const text = inspect(logger.entries, { depth: 10 });
    assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(text), 'a JWT was logged');
    assert.ok(!text.includes('PRIVATE KEY'));
  });
});

describe('GitHubAppAuth', () => {
  test('signs an RS256 JWT issued a minute back and expiring within ten minutes', async () => {
    const clock = FixedClock.at(START);
    const auth = GitHubAppAuth.create({
      appId: APP_ID,
      privateKey: keys.privateKey,
      apiUrl: 'http://127.0.0.1',
      clock,
    });
    const { payload, protectedHeader } = await jwtVerify(await auth.appJwt(), APP_PUBLIC_KEY, {
      issuer: APP_ID,
      currentDate: clock.now(),
    });
    const now = clock.now().getTime() / 1_000;
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.iat, now - 60);
    assert.ok(payload.exp !== undefined && payload.exp > now && payload.exp - now <= 600);
  });
});

describe('verifyGitHubSignature', () => {
  const body = Buffer.from('{"zen":"Design for failure."}');
  const good = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;

  test('accepts the HMAC of the raw body', () => {
    assert.deepEqual(verifyGitHubSignature(body, good, WEBHOOK_SECRET), { ok: true });
    assert.deepEqual(
      verifyGitHubSignature(body.toString(), good.toUpperCase().replace('SHA256', 'sha256'), WEBHOOK_SECRET),
      {
        ok: true,
      },
    );
  });

  test('refuses a missing, malformed, repeated or wrong signature', () => {
    const problems = [
      verifyGitHubSignature(body, undefined, WEBHOOK_SECRET),
      verifyGitHubSignature(body, '', WEBHOOK_SECRET),
      verifyGitHubSignature(body, 'sha1=0123', WEBHOOK_SECRET),
      verifyGitHubSignature(body, `${good}00`, WEBHOOK_SECRET),
      verifyGitHubSignature(body, [good, good], WEBHOOK_SECRET),
      verifyGitHubSignature(Buffer.from('{"zen":"Design for failure!"}'), good, WEBHOOK_SECRET),
    ].map((check) => (check.ok ? 'ok' : check.problem));
    assert.deepEqual(problems, ['missing', 'missing', 'malformed', 'malformed', 'malformed', 'mismatch']);
  });
});

describe('GitHubGateConfigSchema', () => {
  test('is optional as a whole and fills in the defaults', () => {
    assert.equal(GitHubGateConfigSchema.parse(undefined), undefined);
    const config = parseConfig({
      appId: 123456,
      privateKey: keys.privateKey.replaceAll('\n', '\\n'),
      webhookSecret: WEBHOOK_SECRET,
      repositories: { 'acme-bank/payments-api': 'payments-api' },
    });
    assert.equal(config.appId, '123456');
    assert.equal(config.apiUrl, 'https://api.github.com');
    assert.equal(config.holdRecheck, '1m');
    assert.equal(config.holdTimeout, '6h');
    assert.equal(config.privateKey, keys.privateKey);
  });

  test('lists every problem without repeating the secrets', () => {
    const result = GitHubGateConfigSchema.safeParse({
      appId: 'my app',
      privateKey: 'not a key but quite secret',
      webhookSecret: 'short-secret',
      apiUrl: 'ftp://github.example',
      repositories: { 'acme-bank/payments-api': 'Payments API', 'no-slash': 'payments-api' },
      holdRecheck: '2h',
      holdTimeout: '1h',
    });
    assert.ok(!result.success);
    const paths = result.error.issues.map((issue) => issue.path.join('.'));
    for (const path of ['appId', 'privateKey', 'webhookSecret', 'apiUrl', 'repositories.acme-bank/payments-api']) {
      assert.ok(paths.includes(path), `no problem reported at ${path}: ${paths.join(', ')}`);
    }
    assert.ok(paths.some((path) => path.startsWith('repositories.no-slash')));
    const text = inspect(result.error.issues, { depth: 10 });
    assert.ok(!text.includes('quite secret') && !text.includes('short-secret'));
  });

  test('refuses two repositories that differ only in case, and a recheck longer than the timeout', () => {
    const result = GitHubGateConfigSchema.safeParse({
      appId: 'Iv23liABCDEF',
      privateKey: keys.privateKey,
      webhookSecret: WEBHOOK_SECRET,
      repositories: { 'acme-bank/payments-api': 'payments-api', 'Acme-Bank/Payments-API': 'payments-api' },
      holdRecheck: '1h',
      holdTimeout: '30m',
    });
    assert.ok(!result.success);
    const messages = result.error.issues.map((issue) => issue.message);
    assert.ok(messages.some((message) => message.includes('ignore case')));
    assert.ok(messages.includes('must not be longer than holdTimeout'));
  });
});
