import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Clock, parseDuration } from '../clock/index.js';
import { AuthenticationError, ConflictError, InputError, NotFoundError } from '../errors/index.js';
import type { Ledger } from '../ledger/index.js';
import { type ApiTokenRow, type Db, isUniqueViolation, type Tx } from '../store/index.js';
import { authorise } from './authorise.js';
import { actorOf, type Principal } from './principal.js';
import { isRole, ROLES, type Role } from './roles.js';
import { TOKEN_CREATED, TOKEN_REVOKED, type TokenCreatedData } from './token-projector.js';
import { KyselyTokenStore, type TokenStore } from './token-store.js';

export type TokenStatus = 'active' | 'revoked' | 'expired';

/** What may be shown about a token: never the token itself, nor its hash. */
export interface TokenSummary {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly scope: string | undefined;
  readonly prefix: string;
  readonly status: TokenStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly revokedBy: string | undefined;
  readonly lastUsedAt: string | undefined;
}

export interface CreateTokenInput {
  readonly name: string;
  readonly role: string;
  readonly scope?: string | undefined;
  /** Lifetime as a duration such as `90d`; no expiry when absent. */
  readonly expiresIn?: string | undefined;
}

export interface CreatedToken {
  /** The bearer token, shown once: only its SHA-256 hash is kept. */
  readonly token: string;
  readonly summary: TokenSummary;
}

const TOKEN_PATTERN = /^sre_[A-Za-z0-9_-]{43}$/;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const PREFIX_LENGTH = 12;
const TOUCH_INTERVAL_MS = 60_000;
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap-admin';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Creates, lists, revokes and checks API tokens. */
export class TokenService {
  private constructor(
    private readonly store: TokenStore,
    private readonly storeFor: (db: Tx) => TokenStore,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
  ) {}

  static create(deps: { readonly db: Db; readonly ledger: Ledger; readonly clock: Clock }): TokenService {
    return new TokenService(KyselyTokenStore.create(deps.db), KyselyTokenStore.create, deps.ledger, deps.clock);
  }

  async createToken(principal: Principal, input: CreateTokenInput): Promise<CreatedToken> {
    authorise(principal, 'tokens:manage');
    const { role, lifetime } = validateCreateInput(input);
    const now = this.clock.now();
    const token = `sre_${randomBytes(32).toString('base64url')}`;
    const data: TokenCreatedData = {
      id: randomUUID(),
      name: input.name,
      role,
      scope: input.scope ?? null,
      prefix: token.slice(0, PREFIX_LENGTH),
      expiresAt: lifetime === undefined ? null : new Date(now.getTime() + lifetime).toISOString(),
    };
    try {
      const row = await this.ledger.transact(async (tx) => {
        const store = this.storeFor(tx.db);
        if ((await store.findActiveByName(input.name)) !== undefined) {
          throw new ConflictError(`an active token named "${input.name}" already exists; revoke it first`);
        }
        await tx.append({
          actor: actorOf(principal),
          type: TOKEN_CREATED,
          subject: `token:${data.id}`,
          data: { ...data },
          restricted: { tokenHash: hashToken(token) },
        });
        return store.findById(data.id);
      });
      if (row === undefined) throw new Error('the created token was not projected');
      return { token, summary: this.summarise(row) };
    } catch (error: unknown) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`an active token named "${input.name}" already exists; revoke it first`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async list(principal: Principal, options: { readonly includeRevoked?: boolean } = {}): Promise<TokenSummary[]> {
    authorise(principal, 'tokens:read');
    const rows = await this.store.list(options.includeRevoked ?? false);
    return rows.map((row) => this.summarise(row));
  }

  /** Revokes by id or by the name of an active token. */
  async revoke(principal: Principal, idOrName: string): Promise<TokenSummary> {
    authorise(principal, 'tokens:manage');
    const revoked = await this.ledger.transact(async (tx) => {
      const store = this.storeFor(tx.db);
      const row = (await store.findActiveByName(idOrName)) ?? (await store.findById(idOrName));
      if (row === undefined) throw new NotFoundError(`no token with id or active name "${idOrName}"`);
      if (row.revoked_at !== null) {
        throw new ConflictError(`token "${row.name}" was already revoked at ${row.revoked_at}`);
      }
      await tx.append({
        actor: actorOf(principal),
        type: TOKEN_REVOKED,
        subject: `token:${row.id}`,
        data: { id: row.id, name: row.name },
      });
      return store.findById(row.id);
    });
    if (revoked === undefined) throw new Error('the revoked token was not projected');
    return this.summarise(revoked);
  }

  /**
   * On a database that has never had a token, creates the first admin token; otherwise does nothing.
   * Returns the token value to show once, or undefined.
   */
  async bootstrapAdmin(principal: Principal): Promise<string | undefined> {
    if (await this.hasAnyToken()) return undefined;
    return (await this.createToken(principal, { name: BOOTSTRAP_TOKEN_NAME, role: 'admin' })).token;
  }

  async hasAnyToken(): Promise<boolean> {
    return (await this.store.count()) > 0;
  }

  /** The principal behind a bearer token; AuthenticationError if unknown, revoked or expired. */
  async authenticate(token: string): Promise<Principal> {
    if (!TOKEN_PATTERN.test(token)) throw new AuthenticationError('the bearer token is not an sre-agent token');
    const row = await this.store.findByHash(hashToken(token));
    if (row === undefined) throw new AuthenticationError('the bearer token is not known');
    const now = this.clock.now();
    const status = statusOf(row, now);
    if (status !== 'active') throw new AuthenticationError(`the bearer token is ${status}`);
    if (!isRole(row.role)) throw new AuthenticationError('the bearer token has an unknown role');
    if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= TOUCH_INTERVAL_MS) {
      await this.store.touch(row.id, now.toISOString());
    }
    return { kind: 'token', tokenId: row.id, name: row.name, role: row.role, scope: row.scope ?? undefined };
  }

  private summarise(row: ApiTokenRow): TokenSummary {
    const role = isRole(row.role) ? row.role : 'viewer';
    return {
      id: row.id,
      name: row.name,
      role,
      scope: row.scope ?? undefined,
      prefix: row.token_prefix,
      status: statusOf(row, this.clock.now()),
      createdAt: row.created_at,
      createdBy: row.created_by,
      expiresAt: row.expires_at ?? undefined,
      revokedAt: row.revoked_at ?? undefined,
      revokedBy: row.revoked_by ?? undefined,
      lastUsedAt: row.last_used_at ?? undefined,
    };
  }
}

function statusOf(row: ApiTokenRow, now: Date): TokenStatus {
  if (row.revoked_at !== null) return 'revoked';
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return 'expired';
  return 'active';
}

function validateCreateInput(input: CreateTokenInput): { role: Role; lifetime: number | undefined } {
  const problems: { path: string; message: string }[] = [];
  if (!NAME_PATTERN.test(input.name)) {
    problems.push({
      path: 'name',
      message: 'must be 1 to 63 lower-case letters, digits, dots, hyphens or underscores',
    });
  }
  if (!isRole(input.role)) {
    problems.push({ path: 'role', message: `must be one of ${ROLES.join(', ')}` });
  }
  if (input.role === 'integration' && input.scope === undefined) {
    problems.push({
      path: 'scope',
      message: 'an integration token must be scoped to one integration, such as alertmanager',
    });
  }
  if (input.scope !== undefined && input.role !== 'integration') {
    problems.push({ path: 'scope', message: 'only integration tokens take a scope' });
  }
  if (input.scope !== undefined && !NAME_PATTERN.test(input.scope)) {
    problems.push({ path: 'scope', message: 'must be a lower-case integration name such as alertmanager' });
  }
  let lifetime: number | undefined;
  if (input.expiresIn !== undefined) {
    const parsed = parseDuration(input.expiresIn);
    if (!parsed.ok) problems.push({ path: 'expiresIn', message: parsed.message });
    else if (parsed.milliseconds <= 0) problems.push({ path: 'expiresIn', message: 'must be longer than zero' });
    else lifetime = parsed.milliseconds;
  }
  if (problems.length > 0 || !isRole(input.role)) {
    throw new InputError(`invalid token request: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, {
      details: problems,
    });
  }
  return { role: input.role, lifetime };
}
