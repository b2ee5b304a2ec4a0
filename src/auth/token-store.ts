import type { ApiTokenRow, Db, NewApiTokenRow } from '../store/index.js';

export interface TokenStore {
  insert(row: NewApiTokenRow): Promise<void>;
  findByHash(hash: string): Promise<ApiTokenRow | undefined>;
  findById(id: string): Promise<ApiTokenRow | undefined>;
  findActiveByName(name: string): Promise<ApiTokenRow | undefined>;
  list(includeRevoked: boolean): Promise<ApiTokenRow[]>;
  count(): Promise<number>;
  revoke(id: string, at: string, by: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}

export class KyselyTokenStore implements TokenStore {
  private constructor(private readonly db: Db) {}

  static create(db: Db): KyselyTokenStore {
    return new KyselyTokenStore(db);
  }

  async insert(row: NewApiTokenRow): Promise<void> {
    await this.db.insertInto('api_tokens').values(row).execute();
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

  async revoke(id: string, at: string, by: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at, revoked_by: by })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
