/**
 * One POST to GitHub's REST API with a deadline. Failures are described by what was being asked for, never by URL
 * or header: the URL names the repository and the run, and the headers carry a token.
 * @module
 */
import { isNamed, networkCode } from '../../telemetry/fetch-errors.js';

export const GITHUB_API_VERSION = '2022-11-28';

const MAX_REPLY_BYTES = 16_384;

export interface GitHubReply {
  readonly status: number;
  /** The start of the body: enough for a token or an error message. */
  readonly body: string;
}

export type GitHubPostResult =
  | { readonly ok: true; readonly reply: GitHubReply }
  | { readonly ok: false; readonly reason: string };

export interface GitHubPostOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** What is being asked for, such as `GitHub's installation token endpoint`. */
  readonly described: string;
}

export async function postToGitHub(
  url: string,
  authorization: string,
  body: string | undefined,
  options: GitHubPostOptions,
): Promise<GitHubPostResult> {
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    authorization,
    'user-agent': 'sre-agent',
    'x-github-api-version': GITHUB_API_VERSION,
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await options.fetch(url, {
      method: 'POST',
      headers,
      ...(body === undefined ? {} : { body }),
      // A redirect would carry the token somewhere nobody configured.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await readStart(response).catch(() => '');
    return { ok: true, reply: { status: response.status, body: text } };
  } catch (error: unknown) {
    if (isNamed(error, 'TimeoutError')) {
      return { ok: false, reason: `${options.described} did not answer within ${options.timeoutMs} ms` };
    }
    if (isNamed(error, 'AbortError')) return { ok: false, reason: `the request to ${options.described} was cancelled` };
    const code = networkCode(error);
    return { ok: false, reason: `cannot reach ${options.described}${code === undefined ? '' : ` (${code})`}` };
  }
}

/** 408, 429 and 5xx may pass by themselves; other refusals will not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** GitHub's `message` from an error body, cut short, or nothing when the body is not GitHub's error shape. */
export function gitHubMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
      return `: ${parsed.message.replace(/\s+/g, ' ').slice(0, 200)}`;
    }
  } catch {
    // Not JSON: the status says enough.
  }
  return '';
}

/** Reads at most MAX_REPLY_BYTES of the body; the rest is left unread. */
async function readStart(response: Response): Promise<string> {
  if (response.body === null) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size >= MAX_REPLY_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_REPLY_BYTES).toString('utf8');
}
