import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing, proof generation and proof verification. Pure; sizes and indexes are
 * bigint so that trees past 2^53 entries stay exact.
 */

export type Hash = Uint8Array;

const HASH_BYTES = 32;
const NODE_PREFIX_BYTE = 0x01;

/** MTH({}) : SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = sha256();

export function sha256(...parts: ReadonlyArray<Uint8Array>): Hash {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

export function leafHash(leaf: Uint8Array): Hash {
  const input = new Uint8Array(leaf.length + 1);
  input[0] = 0x00;
  input.set(leaf, 1);
  return oneShot(input);
}

/** The leaf hash of a text's UTF-8 bytes, encoded straight after the prefix byte. */
export function leafHashOfText(text: string): Hash {
  const input = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
  input[0] = 0x00;
  input.write(text, 1, 'utf8');
  return oneShot(input);
}

export function nodeHash(left: Hash, right: Hash): Hash {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX_BYTE;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return oneShot(input);
}

/** crypto.hash is about 1.4 times faster than createHash for one small input. */
function oneShot(input: Uint8Array): Hash {
  return hash('sha256', input, 'buffer');
}

/** The largest power of two strictly smaller than n (n > 1): the split point k with k < n <= 2k. */
export function splitPoint(n: bigint): bigint {
  if (n < 2n) throw new RangeError(`no split point for a tree of size ${n}`);
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

/** Answers MTH(D[start:end]) for 0 <= start < end <= size; the store answers from stored subtree hashes. */
export type RangeHasher = (start: bigint, end: bigint) => Hash;

/** PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path for leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(index: bigint, size: bigint, range: RangeHasher): Hash[] {
  if (index < 0n || index >= size) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const path: Hash[] = [];
  let start = 0n;
  let end = size;
  let m = index;
  const siblings: Hash[] = [];
  while (end - start > 1n) {
    const k = splitPoint(end - start);
    if (m < k) {
      siblings.push(range(start + k, end));
      end = start + k;
    } else {
      siblings.push(range(start, start + k));
      start += k;
      m -= k;
    }
  }
  // The recursion appends the deepest sibling first; the loop found them top-down.
  for (let i = siblings.length - 1; i >= 0; i -= 1) {
    const sibling = siblings[i];
    if (sibling !== undefined) path.push(sibling);
  }
  return path;
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2 for 0 < m <= n; empty when m == n. */
export function consistencyProof(m: bigint, n: bigint, range: RangeHasher): Hash[] {
  if (m <= 0n || m > n) throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
  const nodes: Hash[] = [];
  let start = 0n;
  let end = n;
  let remaining = m;
  let complete = true;
  while (remaining !== end - start) {
    const k = splitPoint(end - start);
    if (remaining <= k) {
      nodes.push(range(start + k, end));
      end = start + k;
    } else {
      nodes.push(range(start, start + k));
      start += k;
      remaining -= k;
      complete = false;
    }
  }
  if (!complete) nodes.push(range(start, end));
  return nodes.reverse();
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(
  index: bigint,
  size: bigint,
  leaf: Hash,
  proof: ReadonlyArray<Hash>,
  root: Hash,
): boolean {
  if (index < 0n || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      [fn, sn] = skipRightEdge(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalHashes(r, root);
}

/** RFC 9162 §2.1.4.2, with size1 == size2 taking an empty proof and equal roots; size1 == 0 is refused. */
export function verifyConsistency(
  size1: bigint,
  size2: bigint,
  root1: Hash,
  root2: Hash,
  proof: ReadonlyArray<Hash>,
): boolean {
  if (size1 <= 0n || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1n;
  let sn = size2 - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  const first = path[0];
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      [fn, sn] = skipRightEdge(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return equalHashes(fr, root1) && equalHashes(sr, root2) && sn === 0n;
}

/** Step 4.b.2 of both RFC 9162 verifiers: right-shift both until LSB(fn) is set or fn is 0. */
function skipRightEdge(fn: bigint, sn: bigint): [bigint, bigint] {
  let f = fn;
  let s = sn;
  while ((f & 1n) === 0n && f !== 0n) {
    f >>= 1n;
    s >>= 1n;
  }
  return [f, s];
}

/** A RangeHasher over leaf hashes held in memory: for tests, bundles and small trees. */
export function memoryRangeHasher(leaves: ReadonlyArray<Hash>): RangeHasher {
  const hashRange = (start: bigint, end: bigint): Hash => {
    if (end - start === 1n) {
      const leaf = leaves[Number(start)];
      if (leaf === undefined) throw new RangeError(`no leaf ${start}`);
      return leaf;
    }
    const k = splitPoint(end - start);
    return nodeHash(hashRange(start, start + k), hashRange(start + k, end));
  };
  return (start, end) => {
    if (start < 0n || end > BigInt(leaves.length) || start >= end) {
      throw new RangeError(`no range [${start}, ${end}) in ${leaves.length} leaves`);
    }
    return hashRange(start, end);
  };
}

/** MTH of a list of leaf hashes. */
export function rootOf(leaves: ReadonlyArray<Hash>): Hash {
  return leaves.length === 0 ? EMPTY_ROOT : memoryRangeHasher(leaves)(0n, BigInt(leaves.length));
}

export function equalHashes(a: Hash, b: Hash): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** Every hash a verifier accepts is exactly 32 bytes, so an empty leaf with an empty root cannot "verify". */
function isHash(value: Hash): boolean {
  return value.length === HASH_BYTES;
}

function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}

/** A complete subtree: the 2^level leaves starting at index << level. */
export interface Subtree {
  readonly level: number;
  readonly index: bigint;
}

/** The complete subtrees, left to right and largest first, that make up the leaves [start, end). */
export function subtreesOf(start: bigint, end: bigint): Subtree[] {
  const found: Subtree[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    while (at % (1n << BigInt(level + 1)) === 0n && at + (1n << BigInt(level + 1)) <= end) level += 1;
    found.push({ level, index: at >> BigInt(level) });
    at += 1n << BigInt(level);
  }
  return found;
}

/**
 * MTH of a range the RFC recursion visits (its start a multiple of a power of two at least its length), from the
 * hashes of its complete subtrees in order: each is the left child of the fold of those after it.
 */
export function foldSubtrees(hashes: ReadonlyArray<Hash>): Hash {
  let root = hashes.at(-1);
  if (root === undefined) return EMPTY_ROOT;
  for (let i = hashes.length - 2; i >= 0; i -= 1) {
    const left = hashes[i];
    if (left !== undefined) root = nodeHash(left, root);
  }
  return root;
}

/** The ranges a proof reads, found by running it over placeholder hashes. */
export function rangesRead(prove: (range: RangeHasher) => unknown): Array<readonly [bigint, bigint]> {
  const ranges: Array<readonly [bigint, bigint]> = [];
  const placeholder = new Uint8Array(HASH_BYTES);
  prove((start, end) => {
    ranges.push([start, end]);
    return placeholder;
  });
  return ranges;
}

export function toHex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}

export function fromHex(hex: string): Hash {
  const bytes = Buffer.from(hex, 'hex');
  // Buffer stops at the first character that is not hex, so a short result means a bad string.
  if (bytes.length * 2 !== hex.length) throw new TypeError('not a hex string');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
