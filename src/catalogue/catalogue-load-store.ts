import type { CatalogueLoadRow, Db, NewCatalogueLoadRow } from '../store/index.js';

/** The record of every catalogue load and refused reload. */
export interface CatalogueLoadStore {
  record(row: NewCatalogueLoadRow): Promise<void>;
  recent(limit: number): Promise<CatalogueLoadRow[]>;
}

export class KyselyCatalogueLoadStore implements CatalogueLoadStore {
  private constructor(private readonly db: Db) {}

  static create(db: Db): KyselyCatalogueLoadStore {
    return new KyselyCatalogueLoadStore(db);
  }

  async record(row: NewCatalogueLoadRow): Promise<void> {
    await this.db.insertInto('catalogue_loads').values(row).execute();
  }

  async recent(limit: number): Promise<CatalogueLoadRow[]> {
    return this.db.selectFrom('catalogue_loads').selectAll().orderBy('loaded_at', 'desc').limit(limit).execute();
  }
}
