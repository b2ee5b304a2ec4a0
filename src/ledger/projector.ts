import type { Database, Tx } from '../store/index.js';
import type { JsonValue } from './canonical-json.js';
import type { LedgerEvent } from './ledger-event.js';

/** A table a projector owns, as replay compares it: rows ordered by `key`, `ignore` columns left out. */
export interface ProjectedTable {
  readonly name: keyof Database;
  readonly key: ReadonlyArray<string>;
  /** Columns written outside the ledger on purpose (such as a token's last use), so replay cannot rebuild them. */
  readonly ignore?: ReadonlyArray<string>;
}

/** Turns events into current state. The only writer of its tables; called in the append's transaction. */
export interface Projector {
  readonly name: string;
  readonly types: ReadonlyArray<string>;
  readonly tables: ReadonlyArray<ProjectedTable>;
  apply(db: Tx, event: LedgerEvent, restricted: JsonValue | undefined): Promise<void>;
}

/** Finds the projectors of an event type; a type claimed twice is a wiring mistake. */
export class ProjectorRegistry {
  private constructor(
    readonly all: ReadonlyArray<Projector>,
    private readonly byType: ReadonlyMap<string, ReadonlyArray<Projector>>,
  ) {}

  static of(projectors: ReadonlyArray<Projector>): ProjectorRegistry {
    const byType = new Map<string, Projector[]>();
    const tables = new Set<string>();
    for (const projector of projectors) {
      for (const table of projector.tables) {
        if (tables.has(table.name)) throw new Error(`table ${table.name} has two projectors`);
        tables.add(table.name);
      }
      for (const type of projector.types) byType.set(type, [...(byType.get(type) ?? []), projector]);
    }
    return new ProjectorRegistry(projectors, byType);
  }

  for(type: string): ReadonlyArray<Projector> {
    return this.byType.get(type) ?? [];
  }
}
