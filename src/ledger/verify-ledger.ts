import type { Db } from '../store/index.js';
import { openCheckpoint } from './checkpoint.js';
import { parseLeaf, restrictedDigestOf } from './ledger-event.js';
import { readEntries, readHead, readNodeRanges } from './ledger-store.js';
import { equalHashes, foldSubtrees, type Hash, leafHashOfText, nodeHash, toHex } from './merkle.js';
import type { NoteVerifier } from './signed-note.js';

export interface LedgerVerification {
  readonly ok: boolean;
  readonly size: bigint;
  readonly root: string;
  readonly checkpointsChecked: number;
  readonly latestCheckpointSize: bigint | undefined;
  /** The first leaf index whose entry, hash or tree position does not match; undefined when all match. */
  readonly firstBadIndex: bigint | undefined;
  readonly problems: ReadonlyArray<string>;
}

const CHUNK_LEVEL = 12;
const CHUNK = 1n << BigInt(CHUNK_LEVEL);
const MAX_PROBLEMS = 20;

interface Node {
  readonly level: number;
  readonly index: bigint;
  readonly hash: Hash;
  /** False once a mismatch in this subtree has been reported, so that its ancestors do not report it again. */
  readonly sound: boolean;
}

/**
 * Checks the live ledger end to end: every leaf against its columns and stored hash, every stored subtree hash
 * against the one recomputed from the leaves, the head, and every stored checkpoint's root and signatures.
 */
export async function verifyLedger(db: Db, verifiers: ReadonlyArray<NoteVerifier>): Promise<LedgerVerification> {
  const head = await readHead(db);
  const problems: string[] = [];
  let firstBadIndex: bigint | undefined;
  const fail = (index: bigint | undefined, problem: string): void => {
    if (index !== undefined && (firstBadIndex === undefined || index < firstBadIndex)) firstBadIndex = index;
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };

  const checkpoints = (await db.selectFrom('ledger_checkpoints').selectAll().orderBy('size').execute()).map((row) => ({
    size: BigInt(row.size),
    root: row.root,
    note: row.note,
  }));
  const rootsWanted = new Map<bigint, Hash | undefined>(checkpoints.map((cp) => [cp.size, undefined]));

  const frontier: Node[] = [];
  let expected = 0n;
  for (let start = 0n; start < head.size; start += CHUNK) {
    const end = start + CHUNK < head.size ? start + CHUNK : head.size;
    const entries = await readEntries(db, start, end);
    const stored = await storedNodesCompletedIn(db, start, end);
    for (const entry of entries) {
      if (entry.index !== expected) {
        fail(expected, `entry ${expected} is missing (the next stored entry is ${entry.index})`);
        expected = entry.index;
      }
      const parsed = parseLeaf(entry.leaf, { canonical: false });
      if (!parsed.ok) {
        fail(entry.index, `entry ${entry.index}: ${parsed.reason}`);
      } else {
        const event = parsed.event;
        if (event.seq !== entry.index) fail(entry.index, `entry ${entry.index}: its leaf says seq ${event.seq}`);
        for (const field of ['id', 'time', 'actor', 'type', 'subject'] as const) {
          if (event[field] !== entry[field]) {
            fail(entry.index, `entry ${entry.index}: the ${field} column does not match the leaf`);
          }
        }
        if (entry.restricted !== undefined) {
          let digest: string | undefined;
          try {
            digest = restrictedDigestOf(JSON.parse(entry.restricted));
          } catch {
            digest = undefined;
          }
          if (digest === undefined || digest !== event.restrictedDigest) {
            fail(entry.index, `entry ${entry.index}: its restricted data does not match the digest in the leaf`);
          }
        }
      }
      let node = compareStored(
        { level: 0, index: entry.index, hash: leafHashOfText(entry.leaf), sound: true },
        stored,
        fail,
      );
      for (let left = frontier.at(-1); left !== undefined && left.level === node.level; left = frontier.at(-1)) {
        frontier.pop();
        node = compareStored(
          {
            level: node.level + 1,
            index: node.index >> 1n,
            hash: nodeHash(left.hash, node.hash),
            sound: left.sound && node.sound,
          },
          stored,
          fail,
        );
      }
      frontier.push(node);
      expected = entry.index + 1n;
      if (rootsWanted.has(expected)) rootsWanted.set(expected, foldSubtrees(frontier.map((f) => f.hash)));
    }
  }
  if (expected < head.size) fail(expected, `entries ${expected} to ${head.size - 1n} are missing`);

  const root = foldSubtrees(frontier.map((f) => f.hash));
  if (!equalHashes(root, head.root)) {
    fail(
      undefined,
      `the head root ${toHex(head.root)} is not the root of the ${head.size} stored entries (${toHex(root)})`,
    );
  }

  let checked = 0;
  for (const cp of checkpoints) {
    let opened: ReturnType<typeof openCheckpoint> | undefined;
    try {
      opened = openCheckpoint(cp.note, verifiers);
    } catch (error: unknown) {
      fail(undefined, `checkpoint of size ${cp.size}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    checked += 1;
    if (opened.checkpoint.size !== cp.size || toHex(opened.checkpoint.root) !== cp.root) {
      fail(undefined, `checkpoint of size ${cp.size}: its columns do not match its signed note`);
    }
    if (cp.size > head.size) {
      fail(head.size, `checkpoint of size ${cp.size} covers more entries than the ledger holds (${head.size})`);
      continue;
    }
    const computed = cp.size === 0n ? foldSubtrees([]) : rootsWanted.get(cp.size);
    if (computed === undefined || !equalHashes(computed, opened.checkpoint.root)) {
      fail(
        firstBadIndex ?? (cp.size === 0n ? 0n : cp.size - 1n),
        `checkpoint of size ${cp.size}: its signed root is not the root of the first ${cp.size} stored entries`,
      );
    }
  }

  return {
    ok: problems.length === 0,
    size: head.size,
    root: toHex(head.root),
    checkpointsChecked: checked,
    latestCheckpointSize: checkpoints.at(-1)?.size,
    firstBadIndex,
    problems,
  };
}

/** Stored nodes whose last leaf lies in [start, end): those the pass over these entries completes. */
async function storedNodesCompletedIn(db: Db, start: bigint, end: bigint): Promise<Map<NodeKey, Hash>> {
  const ranges: { level: number; first: bigint; last: bigint }[] = [];
  for (let level = 0; level < 64; level += 1) {
    const width = 1n << BigInt(level);
    // Node i at this level ends at leaf (i + 1) * width - 1; keep those ending inside the chunk.
    const first = (start + 1n + width - 1n) / width - 1n;
    const last = end / width - 1n;
    if (last >= first && last >= 0n) ranges.push({ level, first: first < 0n ? 0n : first, last });
    if (width > end) break;
  }
  const rows = await readNodeRanges(db, ranges);
  return new Map(rows.map((row) => [keyOf(row.level, row.index), row.hash]));
}

/** Answers the node, no longer sound if its stored hash is missing or differs from the recomputed one. */
function compareStored(node: Node, stored: Map<NodeKey, Hash>, fail: (index: bigint, problem: string) => void): Node {
  // Above a reported mismatch every ancestor differs too; reporting them would blame leaves to its left.
  if (!node.sound) return node;
  const hash = stored.get(keyOf(node.level, node.index));
  const firstLeaf = node.index << BigInt(node.level);
  if (hash === undefined) {
    fail(firstLeaf, `the stored hash of level ${node.level} index ${node.index} is missing`);
    return { ...node, sound: false };
  }
  if (!equalHashes(hash, node.hash)) {
    fail(
      firstLeaf,
      node.level === 0
        ? `entry ${node.index}: its stored leaf hash does not match its leaf`
        : `the stored hash of level ${node.level} index ${node.index} (leaves ${firstLeaf} to ${firstLeaf + (1n << BigInt(node.level)) - 1n}) does not match`,
    );
    return { ...node, sound: false };
  }
  return node;
}

type NodeKey = number | string;
const NUMBER_KEY_LIMIT = 1n << 46n;

/** A map key per node: a number while that is exact (it saves a string per lookup), a string past that. */
function keyOf(level: number, index: bigint): NodeKey {
  return index < NUMBER_KEY_LIMIT ? Number(index) * 64 + level : `${level}:${index}`;
}
