import { sql } from 'kysely';
import { type Db, openStore } from '../store/index.js';
import type { JsonValue } from './canonical-json.js';
import { parseLeaf } from './ledger-event.js';
import { readEntries, readHead } from './ledger-store.js';
import type { ProjectedTable, ProjectorRegistry } from './projector.js';

export interface ReplayDifference {
  readonly table: string;
  readonly key: string;
  readonly problem: string;
}

export interface ReplayResult {
  readonly ok: boolean;
  readonly events: bigint;
  readonly tables: ReadonlyArray<{ readonly name: string; readonly rows: number }>;
  readonly differences: ReadonlyArray<ReplayDifference>;
}

const CHUNK = 4096n;
const MAX_DIFFERENCES = 50;

/**
 * Rebuilds every projection from the ledger alone, in a scratch in-memory database, and compares it with the live
 * tables row by row and column by column.
 */
export async function replayLedger(db: Db, projectors: ProjectorRegistry): Promise<ReplayResult> {
  const scratch = await openStore({ dialect: 'sqlite', file: ':memory:' });
  try {
    const head = await readHead(db);
    const differences: ReplayDifference[] = [];
    for (let start = 0n; start < head.size; start += CHUNK) {
      const end = start + CHUNK < head.size ? start + CHUNK : head.size;
      const entries = await readEntries(db, start, end);
      await scratch.db.transaction().execute(async (trx) => {
        for (const entry of entries) {
          const parsed = parseLeaf(entry.leaf);
          if (!parsed.ok) {
            differences.push({ table: 'ledger_entries', key: String(entry.index), problem: parsed.reason });
            continue;
          }
          const restricted: JsonValue | undefined =
            entry.restricted === undefined ? undefined : (JSON.parse(entry.restricted) as JsonValue);
          for (const projector of projectors.for(parsed.event.type)) {
            await projector.apply(trx, parsed.event, restricted);
          }
        }
      });
    }
    const tables: { name: string; rows: number }[] = [];
    for (const projector of projectors.all) {
      for (const table of projector.tables) {
        const live = await rowsOf(db, table);
        const rebuilt = await rowsOf(scratch.db, table);
        tables.push({ name: table.name, rows: rebuilt.size });
        compareTables(table.name, live, rebuilt, differences);
      }
    }
    return {
      ok: differences.length === 0,
      events: head.size,
      tables,
      differences: differences.slice(0, MAX_DIFFERENCES),
    };
  } finally {
    await scratch.close();
  }
}

async function rowsOf(db: Db, table: ProjectedTable): Promise<Map<string, Record<string, string | null>>> {
  const result = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(db);
  const ignore = new Set(table.ignore ?? []);
  const rows = new Map<string, Record<string, string | null>>();
  for (const row of result.rows) {
    const normal: Record<string, string | null> = {};
    for (const [column, value] of Object.entries(row)) {
      if (!ignore.has(column)) normal[column] = value === null || value === undefined ? null : String(value);
    }
    rows.set(table.key.map((column) => normal[column] ?? '').join('/'), normal);
  }
  return rows;
}

function compareTables(
  name: string,
  live: Map<string, Record<string, string | null>>,
  rebuilt: Map<string, Record<string, string | null>>,
  differences: ReplayDifference[],
): void {
  for (const [key, row] of live) {
    const other = rebuilt.get(key);
    if (other === undefined) {
      differences.push({ table: name, key, problem: 'the live row has no event behind it' });
      continue;
    }
    for (const column of Object.keys(row)) {
      if (row[column] !== other[column]) {
        differences.push({
          table: name,
          key,
          problem: `column ${column} is ${JSON.stringify(row[column])} live but ${JSON.stringify(other[column])} from the ledger`,
        });
      }
    }
  }
  for (const key of rebuilt.keys()) {
    if (!live.has(key))
      differences.push({ table: name, key, problem: 'the ledger has this row but the live table does not' });
  }
}
