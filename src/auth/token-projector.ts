import { type JsonValue, type LedgerEvent, type Projector, RESTRICTED_ERASED } from '../ledger/index.js';
import type { Tx } from '../store/index.js';

export const TOKEN_CREATED = 'token.created';
export const TOKEN_REVOKED = 'token.revoked';

/** The data of a token.created event; the token's hash travels as restricted data, outside the leaf. */
export interface TokenCreatedData {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly scope: string | null;
  readonly prefix: string;
  readonly expiresAt: string | null;
}

/**
 * Keeps api_tokens in step with token events; erasing a token's restricted data (its hash) ends its power to
 * authenticate. `last_used_at` is bookkeeping written outside the ledger.
 */
export const tokenProjector: Projector = {
  name: 'tokens',
  types: [TOKEN_CREATED, TOKEN_REVOKED, RESTRICTED_ERASED],
  tables: [{ name: 'api_tokens', key: ['id'], ignore: ['last_used_at'] }],
  async apply(db: Tx, event: LedgerEvent, restricted: JsonValue | undefined): Promise<void> {
    const data = objectOf(event.data);
    if (event.type === RESTRICTED_ERASED) {
      const erased = typeof data.subject === 'string' ? /^token:(.+)$/.exec(data.subject)?.[1] : undefined;
      if (erased !== undefined) {
        await db
          .updateTable('api_tokens')
          .set({ token_hash: `erased:${erased}` })
          .where('id', '=', erased)
          .execute();
      }
      return;
    }
    const id = text(data.id);
    if (event.type === TOKEN_CREATED) {
      const hash = restricted === undefined ? undefined : objectOf(restricted).tokenHash;
      await db
        .insertInto('api_tokens')
        .values({
          id,
          name: text(data.name),
          role: text(data.role),
          scope: data.scope === null ? null : text(data.scope),
          // Once erased, the hash is gone and so is the token's power to authenticate.
          token_hash: typeof hash === 'string' ? hash : `erased:${id}`,
          token_prefix: text(data.prefix),
          created_at: event.time,
          created_by: event.actor,
          expires_at: data.expiresAt === null ? null : text(data.expiresAt),
          revoked_at: null,
          revoked_by: null,
          last_used_at: null,
        })
        .execute();
    } else if (event.type === TOKEN_REVOKED) {
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: event.time, revoked_by: event.actor })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    }
  },
};

function objectOf(value: JsonValue): { readonly [key: string]: JsonValue } {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TypeError('event data is not an object');
  return value as { readonly [key: string]: JsonValue };
}

function text(value: JsonValue | undefined): string {
  if (typeof value !== 'string') throw new TypeError('event field is not a string');
  return value;
}
