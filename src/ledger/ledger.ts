import type { Clock } from '../clock/index.js';
import { InputError } from '../errors/index.js';
import type { Db, Tx } from '../store/index.js';
import { canonicalJson } from './canonical-json.js';
import { type Checkpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import {
  checkNewEvent,
  type LedgerEvent,
  leafTextOf,
  type NewLedgerEvent,
  restrictedDigestOf,
} from './ledger-event.js';
import {
  type EntryRow,
  insertEntries,
  insertNodes,
  type LedgerHead,
  lockHead,
  type NodeRow,
  newEventId,
  nodeKey,
  readHead,
  readNodes,
  writeHead,
} from './ledger-store.js';
import {
  consistencyProof,
  EMPTY_ROOT,
  foldSubtrees,
  type Hash,
  inclusionProof,
  leafHashOfText,
  nodeHash,
  type RangeHasher,
  rangesRead,
  subtreesOf,
  toHex,
} from './merkle.js';
import type { ProjectorRegistry } from './projector.js';
import { type NoteSigner, type NoteVerifier, parseNote, parseVerifierKey } from './signed-note.js';

/** What a unit of work sees: the open transaction, and the one way to record a decision in it. */
export interface LedgerTransaction {
  readonly db: Tx;
  append(event: NewLedgerEvent): Promise<LedgerEvent>;
}

/**
 * Told of each event inside the transaction that appends it, after its projections: for work that must commit with
 * the event but is not state rebuilt from the ledger, such as queuing a notification. Replay never calls observers.
 */
export interface LedgerObserver {
  readonly types: ReadonlyArray<string>;
  /** May append events of its own in the same transaction; they follow the event observed. */
  observe(tx: LedgerTransaction, event: LedgerEvent): Promise<void>;
}

export interface LedgerSigning {
  readonly origin: string;
  readonly signers: ReadonlyArray<NoteSigner>;
}

export interface StoredCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: string;
  readonly signedAt: string;
}

interface FrontierNode {
  readonly level: number;
  readonly index: bigint;
  readonly hash: Hash;
}

/**
 * The append-only Merkle log every area records its decisions in. Appends take the ledger's lock (an UPDATE of
 * its head row), so they are serialised across processes and replicas: no gaps, no duplicates.
 */
export class Ledger {
  private readonly listeners = new Set<(size: bigint) => void>();
  private readonly observers = new Set<LedgerObserver>();

  private constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly projectors: ProjectorRegistry,
    private readonly signing: LedgerSigning | undefined,
  ) {}

  static create(deps: {
    readonly db: Db;
    readonly clock: Clock;
    readonly projectors: ProjectorRegistry;
    readonly signing?: LedgerSigning | undefined;
  }): Ledger {
    return new Ledger(deps.db, deps.clock, deps.projectors, deps.signing);
  }

  get origin(): string | undefined {
    return this.signing?.origin;
  }

  get verifiers(): ReadonlyArray<NoteVerifier> {
    return (this.signing?.signers ?? []).map((signer) => parseVerifierKey(signer.verifierKey));
  }

  /** Runs `work` in one transaction holding the ledger lock: its appends and projections commit together or not at all. */
  async transact<T>(work: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    let appendedTo: bigint | undefined;
    const result = await this.db.transaction().execute(async (trx) => {
      const head = await lockHead(trx);
      let frontier: FrontierNode[] | undefined;
      let size = head.size;
      const entries: EntryRow[] = [];
      const nodes: NodeRow[] = [];
      const appendOne = async (input: NewLedgerEvent): Promise<LedgerEvent> => {
        checkNewEvent(input);
        frontier ??= await this.frontierOf(trx, head.size);
        const restricted = input.restricted === undefined ? undefined : canonicalJson(input.restricted);
        const event: LedgerEvent = {
          seq: size,
          id: newEventId(),
          time: this.clock.now().toISOString(),
          actor: input.actor,
          type: input.type,
          subject: input.subject,
          data: input.data,
          restrictedDigest: input.restricted === undefined ? undefined : restrictedDigestOf(input.restricted),
        };
        const leaf = leafTextOf(event);
        entries.push({ ...event, index: event.seq, leaf, restricted });
        pushLeaf(frontier, nodes, size, leafHashOfText(leaf));
        size += 1n;
        for (const projector of this.projectors.for(event.type)) {
          await projector.apply(trx, event, input.restricted);
        }
        for (const observer of this.observers) {
          // Called directly, not through the queue: this append is the queue's current step.
          if (observer.types.includes(event.type)) await observer.observe({ db: trx, append: appendOne }, event);
        }
        return event;
      };
      // Appends in one transaction take their places in call order, even when the caller does not await each.
      let queue: Promise<unknown> = Promise.resolve();
      // A failed append spoils the transaction even if the caller catches it: nothing half-projected may commit.
      let failure: { readonly error: unknown } | undefined;
      const tx: LedgerTransaction = {
        db: trx,
        append: (input) => {
          const appended = queue
            .then(() => appendOne(input))
            .catch((error: unknown) => {
              failure ??= { error };
              throw error;
            });
          queue = appended.catch(() => undefined);
          return appended;
        },
      };
      const value = await work(tx);
      await queue;
      if (failure !== undefined) throw failure.error;
      if (entries.length > 0 && frontier !== undefined) {
        await insertEntries(trx, entries);
        await insertNodes(trx, nodes);
        await writeHead(trx, { size, root: foldSubtrees(frontier.map((node) => node.hash)) });
        appendedTo = size;
      }
      return value;
    });
    if (appendedTo !== undefined) for (const listener of this.listeners) listener(appendedTo);
    return result;
  }

  /** Appends one event in its own transaction. */
  async append(event: NewLedgerEvent): Promise<LedgerEvent> {
    return this.transact((tx) => tx.append(event));
  }

  /** Adds an observer of appends in their transaction; returns how to remove it. */
  observe(observer: LedgerObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Called with the new size after every commit that appended. */
  onAppended(listener: (size: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async head(): Promise<LedgerHead> {
    return readHead(this.db);
  }

  async rootAt(size: bigint): Promise<Hash> {
    await this.requireSize(size);
    if (size === 0n) return EMPTY_ROOT;
    const hasher = await this.hasherFor([[0n, size]]);
    return hasher(0n, size);
  }

  async inclusionProof(index: bigint, size: bigint): Promise<Hash[]> {
    await this.requireSize(size);
    if (index < 0n || index >= size) {
      throw new InputError(`index ${index} is not in a tree of size ${size}`, {
        details: [{ path: 'index', message: `must be at least 0 and less than ${size}` }],
      });
    }
    const hasher = await this.hasherFor(rangesRead((range) => inclusionProof(index, size, range)));
    return inclusionProof(index, size, hasher);
  }

  async consistencyProof(from: bigint, to: bigint): Promise<Hash[]> {
    await this.requireSize(to, 'to');
    if (from < 1n || from > to) {
      throw new InputError(`no consistency proof from size ${from} to size ${to}`, {
        details: [{ path: 'from', message: `must be at least 1 and at most ${to}` }],
      });
    }
    const hasher = await this.hasherFor(rangesRead((range) => consistencyProof(from, to, range)));
    return consistencyProof(from, to, hasher);
  }

  /** Signs the current head unless the latest checkpoint already covers it; answers the latest checkpoint. */
  async checkpoint(): Promise<StoredCheckpoint | undefined> {
    const signing = this.signing;
    if (signing === undefined) return this.latestCheckpoint();
    return this.db.transaction().execute(async (trx) => {
      // The lock first: a read that later turns into a write can fail at once in SQLite when another process wrote.
      const head = await lockHead(trx);
      const latest = await latestCheckpointIn(trx);
      if (latest !== undefined && latest.checkpoint.size >= head.size) return latest;
      const checkpoint: Checkpoint = { origin: signing.origin, size: head.size, root: head.root, extensions: [] };
      const note = signCheckpoint(checkpoint, signing.signers);
      const signedAt = this.clock.now().toISOString();
      await trx
        .insertInto('ledger_checkpoints')
        .values({ size: head.size.toString(), root: toHex(head.root), signed_at: signedAt, note })
        .onConflict((conflict) => conflict.column('size').doNothing())
        .execute();
      return { checkpoint, note, signedAt };
    });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return latestCheckpointIn(this.db);
  }

  /** The hashes of the given ranges, each from its stored complete subtrees, read in one query. */
  async hasherFor(ranges: ReadonlyArray<readonly [bigint, bigint]>, db: Db | Tx = this.db): Promise<RangeHasher> {
    const wanted = new Map<string, { level: number; index: bigint }>();
    for (const [start, end] of ranges) {
      for (const subtree of subtreesOf(start, end)) wanted.set(nodeKey(subtree.level, subtree.index), subtree);
    }
    const found = await readNodes(db, [...wanted.values()]);
    return (start, end) =>
      foldSubtrees(
        subtreesOf(start, end).map((subtree) => {
          const hash = found.get(nodeKey(subtree.level, subtree.index));
          if (hash === undefined) {
            throw new Error(`the ledger has no stored hash for level ${subtree.level} index ${subtree.index}`);
          }
          return hash;
        }),
      );
  }

  private async frontierOf(db: Tx, size: bigint): Promise<FrontierNode[]> {
    const subtrees = subtreesOf(0n, size);
    const found = await readNodes(db, subtrees);
    return subtrees.map((subtree) => {
      const hash = found.get(nodeKey(subtree.level, subtree.index));
      if (hash === undefined) {
        throw new Error(`the ledger has no stored hash for level ${subtree.level} index ${subtree.index}`);
      }
      return { ...subtree, hash };
    });
  }

  private async requireSize(size: bigint, parameter = 'size'): Promise<void> {
    const head = await readHead(this.db);
    if (size < 0n || size > head.size) {
      throw new InputError(`the ledger has ${head.size} entries, so there is no tree of size ${size}`, {
        details: [{ path: parameter, message: `must be at most ${head.size}` }],
      });
    }
  }
}

/** Adds a leaf to the right edge of the tree, recording every subtree it completes. */
function pushLeaf(frontier: FrontierNode[], nodes: NodeRow[], index: bigint, hash: Hash): void {
  let node: FrontierNode = { level: 0, index, hash };
  nodes.push(node);
  for (let left = frontier.at(-1); left !== undefined && left.level === node.level; left = frontier.at(-1)) {
    frontier.pop();
    node = { level: node.level + 1, index: node.index >> 1n, hash: nodeHash(left.hash, node.hash) };
    nodes.push(node);
  }
  frontier.push(node);
}

async function latestCheckpointIn(db: Db | Tx): Promise<StoredCheckpoint | undefined> {
  const latest = await db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return latest === undefined ? undefined : storedCheckpointOf(latest);
}

export function storedCheckpointOf(row: { readonly note: string; readonly signed_at: string }): StoredCheckpoint {
  return { checkpoint: parseCheckpoint(parseNote(row.note).text), note: row.note, signedAt: row.signed_at };
}
