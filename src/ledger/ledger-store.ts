import { randomUUID } from 'node:crypto';
import type { Db, LedgerEntryRow, Tx } from '../store/index.js';
import { fromHex, type Hash, type Subtree, toHex } from './merkle.js';

/** Reads and writes the ledger's own tables; used only by the ledger module. */
export interface LedgerHead {
  readonly size: bigint;
  readonly root: Hash;
}

export interface NodeRow {
  readonly level: number;
  readonly index: bigint;
  readonly hash: Hash;
}

export interface EntryRow {
  readonly index: bigint;
  readonly id: string;
  readonly time: string;
  readonly actor: string;
  readonly type: string;
  readonly subject: string;
  readonly leaf: string;
  readonly restricted: string | undefined;
}

export interface EntryFilter {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly subject?: string | undefined;
  readonly type?: string | undefined;
  readonly limit: number;
}

const INSERT_CHUNK = 200;

/** Takes the ledger's write lock for the rest of the transaction and answers the head under it. */
export async function lockHead(tx: Tx): Promise<LedgerHead> {
  const row = await tx
    .updateTable('ledger_head')
    .set((eb) => ({ root: eb.ref('root') }))
    .where('id', '=', 1)
    .returning(['size', 'root'])
    .executeTakeFirstOrThrow();
  return { size: BigInt(row.size), root: fromHex(row.root) };
}

export async function readHead(db: Db | Tx): Promise<LedgerHead> {
  const row = await db.selectFrom('ledger_head').select(['size', 'root']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { size: BigInt(row.size), root: fromHex(row.root) };
}

export async function writeHead(tx: Tx, head: LedgerHead): Promise<void> {
  await tx
    .updateTable('ledger_head')
    .set({ size: head.size.toString(), root: toHex(head.root) })
    .where('id', '=', 1)
    .execute();
}

/** The stored hashes of the given subtrees, in one query; missing ones are absent from the map. */
export async function readNodes(db: Db | Tx, subtrees: ReadonlyArray<Subtree>): Promise<Map<string, Hash>> {
  const found = new Map<string, Hash>();
  for (let i = 0; i < subtrees.length; i += INSERT_CHUNK) {
    const chunk = subtrees.slice(i, i + INSERT_CHUNK);
    const rows = await db
      .selectFrom('ledger_nodes')
      .select(['level', 'idx', 'hash'])
      .where((eb) =>
        eb.or(chunk.map((node) => eb.and([eb('level', '=', node.level), eb('idx', '=', node.index.toString())]))),
      )
      .execute();
    for (const row of rows) found.set(nodeKey(Number(row.level), BigInt(row.idx)), fromHex(row.hash));
  }
  return found;
}

export function nodeKey(level: number, index: bigint): string {
  return `${level}:${index}`;
}

/** Every stored node in a level's index range [first, last]. */
export async function readNodeRanges(
  db: Db | Tx,
  ranges: ReadonlyArray<{ readonly level: number; readonly first: bigint; readonly last: bigint }>,
): Promise<NodeRow[]> {
  if (ranges.length === 0) return [];
  const rows = await db
    .selectFrom('ledger_nodes')
    .select(['level', 'idx', 'hash'])
    .where((eb) =>
      eb.or(
        ranges.map((range) =>
          eb.and([
            eb('level', '=', range.level),
            eb('idx', '>=', range.first.toString()),
            eb('idx', '<=', range.last.toString()),
          ]),
        ),
      ),
    )
    .execute();
  return rows.map((row) => ({ level: Number(row.level), index: BigInt(row.idx), hash: fromHex(row.hash) }));
}

export async function insertEntries(tx: Tx, entries: ReadonlyArray<EntryRow>): Promise<void> {
  for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('ledger_entries')
      .values(
        entries.slice(i, i + INSERT_CHUNK).map((entry) => ({
          seq: entry.index.toString(),
          id: entry.id,
          time: entry.time,
          actor: entry.actor,
          type: entry.type,
          subject: entry.subject,
          leaf: entry.leaf,
          restricted: entry.restricted ?? null,
        })),
      )
      .execute();
  }
}

export async function insertNodes(tx: Tx, nodes: ReadonlyArray<NodeRow>): Promise<void> {
  for (let i = 0; i < nodes.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('ledger_nodes')
      .values(
        nodes
          .slice(i, i + INSERT_CHUNK)
          .map((node) => ({ level: node.level, idx: node.index.toString(), hash: toHex(node.hash) })),
      )
      .execute();
  }
}

/** Entries with index in [start, end), in order. */
export async function readEntries(db: Db | Tx, start: bigint, end: bigint): Promise<EntryRow[]> {
  const rows = await db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('seq', '>=', start.toString())
    .where('seq', '<', end.toString())
    .orderBy('seq')
    .execute();
  return rows.map(entryOf);
}

export async function findEntries(db: Db | Tx, filter: EntryFilter): Promise<EntryRow[]> {
  let query = db.selectFrom('ledger_entries').selectAll().orderBy('seq').limit(filter.limit);
  if (filter.from !== undefined) query = query.where('time', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('time', '<', filter.to);
  if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  return (await query.execute()).map(entryOf);
}

export async function findEntryById(db: Db | Tx, id: string): Promise<EntryRow | undefined> {
  const row = await db.selectFrom('ledger_entries').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : entryOf(row);
}

export function entryOf(row: LedgerEntryRow): EntryRow {
  return {
    index: BigInt(row.seq),
    id: row.id,
    time: row.time,
    actor: row.actor,
    type: row.type,
    subject: row.subject,
    leaf: row.leaf,
    restricted: row.restricted ?? undefined,
  };
}

export function newEventId(): string {
  return randomUUID();
}
