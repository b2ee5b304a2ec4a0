import type { JsonValue, LedgerEvent, Projector } from '../ledger/index.js';
import { canonicalJson } from '../ledger/index.js';
import type { Tx } from '../store/index.js';

export const CATALOGUE_LOADED = 'catalogue.loaded';
export const CATALOGUE_LOAD_REFUSED = 'catalogue.load_refused';

/** Keeps catalogue_loads in step with catalogue load events. */
export const catalogueLoadProjector: Projector = {
  name: 'catalogue-loads',
  types: [CATALOGUE_LOADED, CATALOGUE_LOAD_REFUSED],
  tables: [{ name: 'catalogue_loads', key: ['id'] }],
  async apply(db: Tx, event: LedgerEvent, _restricted: JsonValue | undefined): Promise<void> {
    const data = event.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      throw new TypeError('event data is not an object');
    const fields = data as { readonly [key: string]: JsonValue };
    await db
      .insertInto('catalogue_loads')
      .values({
        id: event.id,
        loaded_at: event.time,
        actor: event.actor,
        source: String(fields.source),
        outcome: event.type === CATALOGUE_LOADED ? 'loaded' : 'refused',
        digest: typeof fields.digest === 'string' ? fields.digest : null,
        summary: canonicalJson(fields.summary ?? null),
      })
      .execute();
  },
};
