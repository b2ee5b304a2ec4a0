/**
 * GitHub custom deployment protection rules: a job that deploys to a protected environment waits until this
 * integration, as a GitHub App, answers with the change gate's verdict.
 * @module
 */
import { z } from 'zod';
import type { Clock } from '../../clock/clock.js';
import { assertNever } from '../../errors/errors.js';
import type { GateReason, GateVerdict } from '../types.js';
import { GitHubAppAuth } from './github-app-auth.js';
import { type CommentKind, protectionRuleComment } from './github-comment.js';
import { type GitHubGateConfig, type HoldPolicy, holdPolicyOf } from './github-config.js';
import { gitHubMessage, isRetryableStatus, postToGitHub } from './github-request.js';
import { verifyGitHubSignature } from './github-signature.js';

/** The fields of a `deployment_protection_rule` delivery that are used; the rest of GitHub's payload passes. */
export const DeploymentProtectionRulePayloadSchema = z.looseObject({
  action: z.string().min(1),
  environment: z.string().min(1),
  deployment_callback_url: z.url({ protocol: /^https?$/ }),
  repository: z.looseObject({ full_name: z.string().min(3) }),
  installation: z.looseObject({ id: z.number().int().positive() }),
  deployment: z.looseObject({ sha: z.string().min(1).optional(), ref: z.string().min(1).optional() }).nullish(),
  // Not in GitHub's published schema, but present in deliveries that community code reads.
  sha: z.string().min(1).optional(),
  ref: z.string().min(1).optional(),
});

export type DeploymentProtectionRulePayload = z.output<typeof DeploymentProtectionRulePayloadSchema>;

/** What the change gate is asked about one waiting deployment. */
export interface DeploymentGateRequest {
  readonly service: string;
  /** `owner/repo` as GitHub spells it. */
  readonly repository: string;
  readonly environment: string;
  readonly sha?: string;
  readonly ref?: string;
}

export type DecideDeployment = (request: DeploymentGateRequest) => Promise<GateVerdict>;

/** One deployment waiting on the rule. */
export interface WaitingDeployment {
  readonly repository: string;
  readonly environment: string;
  readonly service: string;
  readonly runId: string;
  readonly installationId: number;
  /** `X-GitHub-Delivery`. */
  readonly deliveryId: string | undefined;
}

export type ProtectionRuleOutcome =
  | {
      readonly result: 'approved' | 'rejected';
      readonly deployment: WaitingDeployment;
      readonly verdict: GateVerdict;
      /** Rejected because it was still held at holdTimeout. */
      readonly timedOut: boolean;
    }
  | {
      /** The gate decided but GitHub could not be told; the deployment waits until GitHub's own timeout. */
      readonly result: 'callback-failed';
      readonly deployment: WaitingDeployment;
      readonly verdict: GateVerdict;
      readonly reason: string;
    }
  | {
      /** `stop()` ended the wait before an answer was sent. */
      readonly result: 'abandoned';
      readonly deployment: WaitingDeployment;
    };

/** How a delivery was received; the route answers with `status` and `{ message }`. */
export type WebhookReceipt =
  | {
      readonly outcome: 'accepted';
      readonly status: 202;
      readonly message: string;
      /** Settles once GitHub has been answered or the wait abandoned; it never rejects. */
      readonly settled: Promise<ProtectionRuleOutcome>;
    }
  | { readonly outcome: 'ignored'; readonly status: 200; readonly message: string }
  | { readonly outcome: 'invalid'; readonly status: 400; readonly message: string }
  | { readonly outcome: 'unauthenticated'; readonly status: 401; readonly message: string }
  | { readonly outcome: 'unmapped'; readonly status: 422; readonly message: string }
  | { readonly outcome: 'stopped'; readonly status: 503; readonly message: string };

/** Request headers with lower-case names, as Node and Fastify give them. */
export type WebhookHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

/** The slice of a pino logger written to. */
export interface ProtectionRuleLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface CallbackRetryPolicy {
  /** Attempts per callback, the first included. */
  readonly attempts: number;
  /** The wait after the first failure; it doubles after each further one, up to 30 s. */
  readonly initialDelayMs: number;
}

export interface CreateProtectionRulesOptions {
  readonly config: GitHubGateConfig;
  readonly clock: Clock;
  readonly decide: DecideDeployment;
  readonly fetch?: typeof fetch | undefined;
  readonly logger?: ProtectionRuleLogger | undefined;
  /** 4 attempts from 1 s unless given. */
  readonly retry?: CallbackRetryPolicy | undefined;
  /** Per request to GitHub; 10 s unless given. */
  readonly timeoutMs?: number | undefined;
  /** Told of every outcome, for audit or metrics; it must not throw. */
  readonly onOutcome?: ((outcome: ProtectionRuleOutcome) => void) | undefined;
}

const DEFAULT_RETRY: CallbackRetryPolicy = { attempts: 4, initialDelayMs: 1_000 };
const MAX_RETRY_DELAY_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 10_000;

const GATE_ERROR: GateReason = {
  code: 'gate-unavailable',
  effect: 'hold',
  message: 'The change gate could not be evaluated; it will be asked again.',
};

interface CallbackBody {
  readonly environment_name: string;
  readonly state?: 'approved' | 'rejected';
  readonly comment: string;
}

type Delivered = { readonly ok: true } | { readonly ok: false; readonly reason: string };
type Attempted = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly retryable: boolean };

interface Sleeper {
  readonly timer: NodeJS.Timeout;
  readonly wake: (woken: boolean) => void;
}

/**
 * Receives `deployment_protection_rule` deliveries and answers each waiting deployment: approved on allow, rejected
 * on deny, and on hold one status report and then a new decision every holdRecheck until allow, deny or holdTimeout.
 * Held deployments are remembered only in memory: after a restart GitHub keeps waiting until its own timeout, or
 * until the delivery is sent again from the App's settings.
 */
export class GitHubProtectionRules {
  readonly #webhookSecret: string;
  readonly #repositories: ReadonlyMap<string, string>;
  readonly #waiting = new Map<string, Promise<ProtectionRuleOutcome>>();
  readonly #sleepers = new Set<Sleeper>();
  #stopped = false;

  private constructor(
    config: GitHubGateConfig,
    private readonly apiUrl: string,
    private readonly holdRecheck: string,
    private readonly holdTimeout: string,
    private readonly hold: HoldPolicy,
    private readonly auth: GitHubAppAuth,
    private readonly clock: Clock,
    private readonly decide: DecideDeployment,
    private readonly fetchFn: typeof fetch,
    private readonly logger: ProtectionRuleLogger | undefined,
    private readonly retry: CallbackRetryPolicy,
    private readonly timeoutMs: number,
    private readonly onOutcome: ((outcome: ProtectionRuleOutcome) => void) | undefined,
  ) {
    this.#webhookSecret = config.webhookSecret;
    this.#repositories = new Map(
      Object.entries(config.repositories).map(([repository, service]) => [repository.toLowerCase(), service]),
    );
  }

  static create(options: CreateProtectionRulesOptions): GitHubProtectionRules {
    const { config, clock } = options;
    const fetchFn = options.fetch ?? globalThis.fetch;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const auth = GitHubAppAuth.create({
      appId: config.appId,
      privateKey: config.privateKey,
      apiUrl: config.apiUrl,
      clock,
      fetch: fetchFn,
      timeoutMs,
    });
    return new GitHubProtectionRules(
      config,
      config.apiUrl,
      config.holdRecheck,
      config.holdTimeout,
      holdPolicyOf(config),
      auth,
      clock,
      options.decide,
      fetchFn,
      options.logger,
      options.retry ?? DEFAULT_RETRY,
      timeoutMs,
      options.onOutcome,
    );
  }

  /**
   * Checks, reads and accepts one delivery; the decision and GitHub's answer follow in the background.
   * @param rawBody - the body exactly as received, for the signature.
   */
  receive(rawBody: Buffer | string, headers: WebhookHeaders): WebhookReceipt {
    if (this.#stopped) {
      return { outcome: 'stopped', status: 503, message: 'deployment protection rules are shutting down' };
    }
    const signature = verifyGitHubSignature(rawBody, headers['x-hub-signature-256'], this.#webhookSecret);
    if (!signature.ok) {
      this.logger?.warn(
        { deliveryId: single(headers['x-github-delivery']) },
        `GitHub webhook refused: ${signature.message}`,
      );
      return { outcome: 'unauthenticated', status: 401, message: signature.message };
    }
    const event = single(headers['x-github-event']);
    if (event === undefined)
      return { outcome: 'invalid', status: 400, message: 'the X-GitHub-Event header is missing' };
    if (event !== 'deployment_protection_rule') {
      return { outcome: 'ignored', status: 200, message: `the ${event} event is not handled here` };
    }
    const json = parseJson(rawBody);
    if (json === undefined) {
      return { outcome: 'invalid', status: 400, message: 'the body is not JSON: set the webhook content type to JSON' };
    }
    const action = z.looseObject({ action: z.string() }).safeParse(json);
    if (action.success && action.data.action !== 'requested') {
      return { outcome: 'ignored', status: 200, message: `the ${action.data.action} action is not handled here` };
    }
    const parsed = DeploymentProtectionRulePayloadSchema.safeParse(json);
    if (!parsed.success) {
      return {
        outcome: 'invalid',
        status: 400,
        message: `not a deployment_protection_rule payload: ${z.prettifyError(parsed.error)}`,
      };
    }
    return this.accept(parsed.data, single(headers['x-github-delivery']));
  }

  /** Cancels every hold and backoff wait, then waits for the requests to GitHub already under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake(false);
    }
    this.#sleepers.clear();
    await Promise.all(this.#waiting.values());
  }

  private accept(payload: DeploymentProtectionRulePayload, deliveryId: string | undefined): WebhookReceipt {
    const repository = payload.repository.full_name;
    const service = this.#repositories.get(repository.toLowerCase());
    if (service === undefined) {
      this.logger?.warn({ repository, deliveryId }, 'GitHub deployment protection rule for an unmapped repository');
      return {
        outcome: 'unmapped',
        status: 422,
        message: `the repository ${repository} is not mapped to a catalogue service: add it to github.repositories`,
      };
    }
    const runId = this.runIdOf(payload.deployment_callback_url, repository);
    if (runId === undefined) {
      return {
        outcome: 'invalid',
        status: 400,
        message: `deployment_callback_url is not a protection rule callback of ${repository} under the configured apiUrl`,
      };
    }
    const deployment: WaitingDeployment = {
      repository,
      environment: payload.environment,
      service,
      runId,
      installationId: payload.installation.id,
      deliveryId,
    };
    const key = `${repository.toLowerCase()}\n${runId}\n${payload.environment}`;
    const already = this.#waiting.get(key);
    if (already !== undefined) {
      return {
        outcome: 'accepted',
        status: 202,
        message: 'this deployment is already being decided',
        settled: already,
      };
    }
    const sha = payload.deployment?.sha ?? payload.sha;
    const ref = payload.deployment?.ref ?? payload.ref;
    const request: DeploymentGateRequest = {
      service,
      repository,
      environment: payload.environment,
      ...(sha === undefined ? {} : { sha }),
      ...(ref === undefined ? {} : { ref }),
    };
    this.logger?.info(
      { repository, environment: deployment.environment, runId, deliveryId },
      'GitHub deployment protection rule requested',
    );
    const settled = this.answer(deployment, request, this.clock.now().getTime() + this.hold.timeoutMs)
      .catch((error: unknown): ProtectionRuleOutcome => {
        this.logger?.warn({ err: error, ...logged(deployment) }, 'GitHub deployment protection rule failed');
        return { result: 'abandoned', deployment };
      })
      .then((outcome) => {
        this.#waiting.delete(key);
        this.onOutcome?.(outcome);
        return outcome;
      });
    this.#waiting.set(key, settled);
    return { outcome: 'accepted', status: 202, message: 'the change gate is deciding', settled };
  }

  private async answer(
    deployment: WaitingDeployment,
    request: DeploymentGateRequest,
    deadline: number,
  ): Promise<ProtectionRuleOutcome> {
    let reported = false;
    for (;;) {
      if (this.#stopped) return { result: 'abandoned', deployment };
      const verdict = await this.evaluate(request, deployment);
      switch (verdict.decision) {
        case 'allow':
          return this.conclude(deployment, verdict, 'approved');
        case 'deny':
          return this.conclude(deployment, verdict, 'rejected');
        case 'hold':
          break;
        default:
          return assertNever(verdict.decision);
      }
      if (this.clock.now().getTime() >= deadline) return this.conclude(deployment, verdict, 'timed-out');
      if (!reported) {
        reported = true;
        // A lost status report only costs the people watching an explanation; the decision goes on.
        await this.send(deployment, this.body(deployment, verdict, 'held'), 'status report');
      }
      if (!(await this.sleep(this.hold.recheckMs))) return { result: 'abandoned', deployment };
    }
  }

  private async evaluate(request: DeploymentGateRequest, deployment: WaitingDeployment): Promise<GateVerdict> {
    try {
      return await this.decide(request);
    } catch (error: unknown) {
      this.logger?.warn({ err: error, ...logged(deployment) }, 'the change gate failed; the deployment stays held');
      return { decision: 'hold', reasons: [GATE_ERROR] };
    }
  }

  private async conclude(
    deployment: WaitingDeployment,
    verdict: GateVerdict,
    kind: Exclude<CommentKind, 'held'>,
  ): Promise<ProtectionRuleOutcome> {
    const result = kind === 'approved' ? 'approved' : 'rejected';
    const sent = await this.send(deployment, this.body(deployment, verdict, kind), result);
    if (!sent.ok) return { result: 'callback-failed', deployment, verdict, reason: sent.reason };
    this.logger?.info(
      { ...logged(deployment), decision: verdict.decision, reasons: verdict.reasons.map((reason) => reason.code) },
      `GitHub deployment ${result}${kind === 'timed-out' ? ' after holding too long' : ''}`,
    );
    return { result, deployment, verdict, timedOut: kind === 'timed-out' };
  }

  private body(deployment: WaitingDeployment, verdict: GateVerdict, kind: CommentKind): CallbackBody {
    const comment = protectionRuleComment(
      kind,
      {
        service: deployment.service,
        environment: deployment.environment,
        holdRecheck: this.holdRecheck,
        holdTimeout: this.holdTimeout,
      },
      verdict.reasons,
    );
    switch (kind) {
      case 'approved':
        return { environment_name: deployment.environment, state: 'approved', comment };
      case 'rejected':
      case 'timed-out':
        return { environment_name: deployment.environment, state: 'rejected', comment };
      case 'held':
        return { environment_name: deployment.environment, comment };
      default:
        return assertNever(kind);
    }
  }

  /** Posts to the run's protection rule callback, retrying failures that may pass, with backoff. */
  private async send(deployment: WaitingDeployment, body: CallbackBody, purpose: string): Promise<Delivered> {
    const [owner, name] = deployment.repository.split('/');
    const url = `${this.apiUrl}/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}/actions/runs/${deployment.runId}/deployment_protection_rule`;
    const described = `GitHub's deployment protection rule callback (${purpose})`;
    let reason = 'no attempt was made';
    for (let attempt = 1; attempt <= this.retry.attempts; attempt += 1) {
      const tried = await this.attempt(deployment, url, body, described);
      if (tried.ok) return tried;
      reason = tried.reason;
      const last = !tried.retryable || attempt === this.retry.attempts;
      this.logger?.warn(
        { ...logged(deployment), attempt, attempts: this.retry.attempts, reason, willRetry: !last },
        `GitHub ${purpose} failed`,
      );
      if (last) break;
      if (!(await this.sleep(this.retryDelay(attempt)))) {
        reason = `${reason}; retrying was cancelled by shutdown`;
        break;
      }
    }
    return { ok: false, reason };
  }

  private async attempt(
    deployment: WaitingDeployment,
    url: string,
    body: CallbackBody,
    described: string,
  ): Promise<Attempted> {
    const token = await this.auth.installationToken(deployment.installationId);
    if (!token.ok) return { ok: false, reason: token.reason, retryable: token.retryable };
    const posted = await postToGitHub(url, `Bearer ${token.token}`, JSON.stringify(body), {
      fetch: this.fetchFn,
      timeoutMs: this.timeoutMs,
      described,
    });
    if (!posted.ok) return { ok: false, reason: posted.reason, retryable: true };
    const { status } = posted.reply;
    if (status >= 200 && status <= 299) return { ok: true };
    // A revoked or expired token: the next attempt mints a new one.
    if (status === 401) this.auth.forget(deployment.installationId);
    return {
      ok: false,
      reason: `${described} answered HTTP ${status}${gitHubMessage(posted.reply.body)}`,
      retryable: status === 401 || isRetryableStatus(status),
    };
  }

  private retryDelay(failures: number): number {
    return Math.min(MAX_RETRY_DELAY_MS, this.retry.initialDelayMs * 2 ** Math.min(failures - 1, 20));
  }

  /** Resolves true after `ms`, or false at once when stopping. */
  private sleep(ms: number): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const sleeper: Sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve(true);
        }, ms),
        wake: resolve,
      };
      // A held deployment alone does not keep the process alive; stop() is how it ends.
      sleeper.timer.unref();
      this.#sleepers.add(sleeper);
    });
  }

  /** The run ID, when the callback URL is this repository's protection rule callback under the configured API. */
  private runIdOf(callbackUrl: string, repository: string): string | undefined {
    const prefix = `${this.apiUrl}/repos/`.toLowerCase();
    if (!callbackUrl.toLowerCase().startsWith(prefix)) return undefined;
    const match = /^([^/]+\/[^/]+)\/actions\/runs\/(\d{1,20})\/deployment_protection_rule$/.exec(
      callbackUrl.slice(prefix.length),
    );
    if (match === null || match[1]?.toLowerCase() !== repository.toLowerCase()) return undefined;
    return match[2];
  }
}

function single(value: string | ReadonlyArray<string> | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.length === 1 ? value[0] : undefined;
}

function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function logged(deployment: WaitingDeployment): object {
  return {
    repository: deployment.repository,
    environment: deployment.environment,
    runId: deployment.runId,
    deliveryId: deployment.deliveryId,
  };
}
