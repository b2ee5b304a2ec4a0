/**
 * The HTTP exchange every channel shares: one POST with a deadline, a short read of the answer, and the usual
 * reading of its status. Failures are described by the channel's kind and name only: channel URLs and keys are
 * secrets.
 * @module
 */
import { isNamed, networkCode } from '../../telemetry/fetch-errors.js';
import type {
  ChannelKind,
  DeliveryContext,
  DeliveryResult,
  NotificationChannel,
  OutboundNotification,
} from '../types.js';

export interface OutgoingRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Headers;
  /** The start of the body: enough for an error code, never a whole page. */
  readonly body: string;
}

export type PostResult =
  | { readonly ok: true; readonly reply: HttpReply }
  | { readonly ok: false; readonly result: DeliveryResult };

export interface PostOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** From `describeChannel`. */
  readonly described: string;
}

const MAX_REPLY_BYTES = 4_096;

const KIND_NAMES = {
  webhook: 'webhook',
  slack: 'Slack',
  teams: 'Microsoft Teams',
  pagerduty: 'PagerDuty',
} as const satisfies Readonly<Record<ChannelKind, string>>;

/** `Slack channel "payments-alerts"`. */
export function describeChannel(kind: ChannelKind, name: string): string {
  return `${KIND_NAMES[kind]} channel "${name}"`;
}

export async function postRequest(request: OutgoingRequest, options: PostOptions): Promise<PostResult> {
  try {
    const response = await options.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      // A redirect would carry the body, and its signature, somewhere nobody configured.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // Once the status is in, a body cut short by the deadline changes nothing: the status decides.
    const body = await readStart(response).catch(() => '');
    return { ok: true, reply: { status: response.status, headers: response.headers, body } };
  } catch (error: unknown) {
    if (isNamed(error, 'TimeoutError')) {
      return retry(`${options.described} did not answer within ${options.timeoutMs} ms`);
    }
    if (isNamed(error, 'AbortError')) return retry(`the attempt to reach ${options.described} was cancelled`);
    const code = networkCode(error);
    return retry(`cannot reach ${options.described}${code === undefined ? '' : ` (${code})`}`);
  }
}

/**
 * 2xx is delivered. 408, 429 and 5xx are worth another attempt, after the receiver's Retry-After when it gives
 * one. Anything else (a refused payload, an unknown hook, a redirect) will not get better by itself.
 * @param detail - appended to the reason, such as ` (no_service)`.
 */
export function classifyReply(reply: HttpReply, described: string, now: Date, detail = ''): DeliveryResult {
  const { status } = reply;
  if (status >= 200 && status <= 299) return { outcome: 'delivered' };
  const answered = `${described} answered HTTP ${status}${detail}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(reply.headers.get('retry-after'), now);
    return retryAfterMs === undefined
      ? { outcome: 'retry', reason: answered }
      : { outcome: 'retry', reason: answered, retryAfterMs };
  }
  if (status >= 300 && status <= 399) return { outcome: 'failed', reason: `${answered}; redirects are not followed` };
  return { outcome: 'failed', reason: answered };
}

/** Retry-After as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if neither. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1_000;
  // Only the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`), which every server sends.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function retry(reason: string): PostResult {
  return { ok: false, result: { outcome: 'retry', reason } };
}

/** The first few KB of the body as text; the rest is discarded unread. */
async function readStart(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = MAX_REPLY_BYTES - bytes;
    text += decoder.decode(value.subarray(0, room), { stream: true });
    bytes += Math.min(value.byteLength, room);
    if (bytes >= MAX_REPLY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return text + decoder.decode();
}

export interface ChannelOptions {
  /** Per attempt, the answer included. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch | undefined;
}

export interface ChannelProtocol {
  /** The request for one message; it closes over the channel's configuration, secrets included. */
  readonly request: (message: OutboundNotification, context: DeliveryContext) => OutgoingRequest;
  /** How an answer reads; `classifyReply` unless the service says more in its body. */
  readonly interpret?: (reply: HttpReply, described: string, now: Date) => DeliveryResult;
}

/**
 * A channel that delivers by one HTTP POST. Its configuration lives only in the protocol's closures, so logging the
 * channel never prints a URL, secret or routing key.
 */
export class HttpChannel implements NotificationChannel {
  readonly #protocol: ChannelProtocol;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  private constructor(
    readonly kind: ChannelKind,
    readonly name: string,
    protocol: ChannelProtocol,
    fetchFn: typeof fetch,
    timeoutMs: number,
  ) {
    this.#protocol = protocol;
    this.#fetch = fetchFn;
    this.#timeoutMs = timeoutMs;
  }

  static create(kind: ChannelKind, name: string, protocol: ChannelProtocol, options: ChannelOptions): HttpChannel {
    return new HttpChannel(kind, name, protocol, options.fetch ?? globalThis.fetch, options.timeoutMs);
  }

  async deliver(message: OutboundNotification, context: DeliveryContext): Promise<DeliveryResult> {
    const described = describeChannel(this.kind, this.name);
    const posted = await postRequest(this.#protocol.request(message, context), {
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      described,
    });
    if (!posted.ok) return posted.result;
    return (this.#protocol.interpret ?? classifyReply)(posted.reply, described, context.now);
  }
}
