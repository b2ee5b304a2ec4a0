import type { ApiTokenRow, Db, Tx } from '../store/index.js';

/** Reads api_tokens; only the token projector writes it, but for the last-use time. */
export interface TokenStore {
  findByHash(hash: string): Promise<ApiTokenRow | undefined>;
  findById(id: string): Promise<ApiTokenRow | undefined>;
  findActiveByName(name: string): Promise<ApiTokenRow | undefined>;
  list(includeRevoked: boolean): Promise<ApiTokenRow[]>;
  count(): Promise<number>;
  touch(id: string, at: string): Promise<void>;
}

export class KyselyTokenStore implements TokenStore {
  private constructor(private readonly db: Db | Tx) {}

  static create(db: Db | Tx): KyselyTokenStore {
    return new KyselyTokenStore(db);
  }

  async findByHash(hash: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  async findById(id: string): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findActiveByName(name: string): Promise<ApiTokenRow | undefined> {
    return this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  async list(includeRevoked: boolean): Promise<ApiTokenRow[]> {
    let query = this.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('name');
    if (!includeRevoked) query = query.where('revoked_at', 'is', null);
    return query.execute();
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
