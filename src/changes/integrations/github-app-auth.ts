/**
 * Authentication as a GitHub App: an RS256 JWT signed with the App's private key, exchanged for an installation
 * access token that is kept until shortly before it expires.
 * @module
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { Clock } from '../../clock/clock.js';
import { gitHubMessage, isRetryableStatus, postToGitHub } from './github-request.js';

export type InstallationTokenResult =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

export interface GitHubAppAuthOptions {
  /** The App ID or client ID, the JWT's issuer. */
  readonly appId: string;
  /** PEM, PKCS#1 or PKCS#8. */
  readonly privateKey: string;
  /** Without a trailing slash. */
  readonly apiUrl: string;
  readonly clock: Clock;
  readonly fetch?: typeof fetch | undefined;
  /** Per request, the answer included; 10 s unless given. */
  readonly timeoutMs?: number | undefined;
}

const TokenReplySchema = z.looseObject({
  token: z.string().min(1),
  expires_at: z.iso.datetime({ offset: true }),
});

// GitHub refuses a JWT issued in the future; backdating absorbs clock drift between us and GitHub.
const ISSUED_BEFORE_NOW_S = 60;
// GitHub's ceiling is 10 minutes from issue.
const JWT_LIFETIME_S = 9 * 60;
const REFRESH_BEFORE_EXPIRY_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;

interface CachedToken {
  readonly token: string;
  readonly refreshAt: number;
}

/** Installation tokens by installation, minted on demand; concurrent askers for one installation share one mint. */
export class GitHubAppAuth {
  // Private fields: logging this object by mistake prints neither the key nor a token.
  readonly #key: KeyObject;
  readonly #cache = new Map<number, CachedToken>();
  readonly #minting = new Map<number, Promise<InstallationTokenResult>>();

  private constructor(
    private readonly appId: string,
    key: KeyObject,
    private readonly apiUrl: string,
    private readonly clock: Clock,
    private readonly fetchFn: typeof fetch,
    private readonly timeoutMs: number,
  ) {
    this.#key = key;
  }

  /** Throws when the private key cannot be read: the configuration schema checks it first. */
  static create(options: GitHubAppAuthOptions): GitHubAppAuth {
    return new GitHubAppAuth(
      options.appId,
      createPrivateKey(options.privateKey),
      options.apiUrl,
      options.clock,
      options.fetch ?? globalThis.fetch,
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
  }

  async installationToken(installationId: number): Promise<InstallationTokenResult> {
    const cached = this.#cache.get(installationId);
    if (cached !== undefined && this.clock.now().getTime() < cached.refreshAt) return { ok: true, token: cached.token };
    const inFlight = this.#minting.get(installationId);
    if (inFlight !== undefined) return inFlight;
    const minting = this.mint(installationId).finally(() => this.#minting.delete(installationId));
    this.#minting.set(installationId, minting);
    return minting;
  }

  /** Drops a cached token that GitHub no longer accepts, such as after the installation's permissions changed. */
  forget(installationId: number): void {
    this.#cache.delete(installationId);
  }

  /** The App's JWT as of the clock's now. */
  async appJwt(): Promise<string> {
    const nowS = Math.floor(this.clock.now().getTime() / 1_000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.appId)
      .setIssuedAt(nowS - ISSUED_BEFORE_NOW_S)
      .setExpirationTime(nowS + JWT_LIFETIME_S)
      .sign(this.#key);
  }

  private async mint(installationId: number): Promise<InstallationTokenResult> {
    const described = `GitHub's installation token endpoint (installation ${installationId})`;
    let jwt: string;
    try {
      jwt = await this.appJwt();
    } catch {
      // The error could quote key material; what failed is enough.
      return { ok: false, retryable: false, reason: 'the App JWT could not be signed with the configured private key' };
    }
    const posted = await postToGitHub(
      `${this.apiUrl}/app/installations/${installationId}/access_tokens`,
      `Bearer ${jwt}`,
      undefined,
      { fetch: this.fetchFn, timeoutMs: this.timeoutMs, described },
    );
    if (!posted.ok) return { ok: false, retryable: true, reason: posted.reason };
    const { status, body } = posted.reply;
    if (status !== 201) {
      return {
        ok: false,
        retryable: isRetryableStatus(status),
        reason: `${described} answered HTTP ${status}${gitHubMessage(body)}`,
      };
    }
    const parsed = TokenReplySchema.safeParse(parseJson(body));
    if (!parsed.success) {
      return { ok: false, retryable: true, reason: `${described} answered 201 without a token and its expiry` };
    }
    const expiresAt = Date.parse(parsed.data.expires_at);
    this.#cache.set(installationId, { token: parsed.data.token, refreshAt: expiresAt - REFRESH_BEFORE_EXPIRY_MS });
    return { ok: true, token: parsed.data.token };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
