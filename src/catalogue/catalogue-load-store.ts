import type { CatalogueLoadRow, Db } from '../store/index.js';

/** Reads the record of every catalogue load and refused reload; only its projector writes it. */
export interface CatalogueLoadStore {
  recent(limit: number): Promise<CatalogueLoadRow[]>;
}

export class KyselyCatalogueLoadStore implements CatalogueLoadStore {
  private constructor(private readonly db: Db) {}

  static create(db: Db): KyselyCatalogueLoadStore {
    return new KyselyCatalogueLoadStore(db);
  }

  async recent(limit: number): Promise<CatalogueLoadRow[]> {
    return this.db.selectFrom('catalogue_loads').selectAll().orderBy('loaded_at', 'desc').limit(limit).execute();
  }
}
