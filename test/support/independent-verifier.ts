/**
 * A second, independent verifier for the tamper-evident ledger, written from RFC 6962/9162 and the C2SP
 * signed-note and tlog-checkpoint specifications on top of @noble/hashes and @noble/curves. It shares no code
 * with `src/`, so a bug in the ledger cannot be mirrored here.
 * @module
 */
import { Buffer } from 'node:buffer';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const HASH_SIZE = 32;
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const ED25519_TYPE = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;
const SIGNATURE_PREFIX = '\u2014 ';
// signed-note asks verifiers to accept at least 16 signatures and to cap the count.
const MAX_SIGNATURES = 100;
const MAX_UINT64 = (1n << 64n) - 1n;

/** RFC 6962 leaf hash: `SHA-256(0x00 || leaf)`. */
export function leafHashOf(leafBytes: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF_PREFIX, leafBytes));
}

function nodeHashOf(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOfRange(leafHashes: ReadonlyArray<Uint8Array>, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 1) {
    const only = leafHashes[start];
    if (only === undefined) throw new RangeError(`no leaf hash at ${start}`);
    return only;
  }
  const k = largestPowerOfTwoBelow(n);
  return nodeHashOf(rootOfRange(leafHashes, start, start + k), rootOfRange(leafHashes, start + k, end));
}

/**
 * MTH(D[n]) of RFC 6962 §2.1 over already hashed leaves, by the recursive definition.
 * @param leafHashes - leaf hashes in log order; not length-checked, so raw node inputs can be hashed too
 */
export function rootOfLeaves(leafHashes: ReadonlyArray<Uint8Array>): Uint8Array {
  if (leafHashes.length === 0) return sha256(new Uint8Array(0));
  return rootOfRange(leafHashes, 0, leafHashes.length);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

function isHash(value: Uint8Array): boolean {
  return value.length === HASH_SIZE;
}

function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}

function isOdd(n: bigint): boolean {
  return (n & 1n) === 1n;
}

/**
 * Inclusion proof check of RFC 9162 §2.1.3.2.
 * @param index - 0-based leaf index
 * @param size - tree size the proof and root belong to
 */
export function checkInclusion(
  index: bigint,
  size: bigint,
  leafHash: Uint8Array,
  proof: ReadonlyArray<Uint8Array>,
  root: Uint8Array,
): boolean {
  if (index < 0n || size > MAX_UINT64 || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHashOf(p, r);
      while (!isOdd(fn) && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHashOf(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}

/**
 * Consistency proof check of RFC 9162 §2.1.4.2. Equal sizes need an empty proof and equal roots; a first size
 * of 0 is rejected as meaningless, as transparency-dev does.
 */
export function checkConsistency(
  size1: bigint,
  size2: bigint,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: ReadonlyArray<Uint8Array>,
): boolean {
  if (size1 <= 0n || size2 > MAX_UINT64 || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1n;
  let sn = size2 - 1n;
  while (isOdd(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0n) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHashOf(c, fr);
      sr = nodeHashOf(c, sr);
      while (!isOdd(fn) && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHashOf(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return equalBytes(fr, root1) && equalBytes(sr, root2) && sn === 0n;
}

// Buffer's decoder skips characters it does not know, so only canonical standard base64 is let through.
function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s+\p{Cc}]/u.test(name) && !hasLoneSurrogate(name);
}

function keyIdOf(name: string, publicKey: Uint8Array): Uint8Array {
  const digest = sha256(concatBytes(utf8ToBytes(name), utf8ToBytes('\n'), Uint8Array.of(ED25519_TYPE), publicKey));
  return digest.slice(0, KEY_ID_SIZE);
}

interface VerifierKey {
  readonly vkey: string;
  readonly name: string;
  readonly keyIdHex: string;
  readonly publicKey: Uint8Array;
}

function parseVerifierKey(vkey: string): VerifierKey {
  // Base64 may itself contain '+', so only the first two separate fields.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  const name = first < 0 ? undefined : vkey.slice(0, first);
  const keyIdHex = second < 0 ? undefined : vkey.slice(first + 1, second);
  const encoded = second < 0 ? undefined : vkey.slice(second + 1);
  if (name === undefined || keyIdHex === undefined || encoded === undefined) {
    throw new Error(`verifier key is not <name>+<key id>+<key>: ${vkey}`);
  }
  if (!isValidKeyName(name)) throw new Error(`verifier key has an invalid name: ${vkey}`);
  if (!/^[0-9a-f]{8}$/.test(keyIdHex)) throw new Error(`verifier key id is not 8 lowercase hex digits: ${vkey}`);
  const typed = decodeBase64(encoded);
  if (typed === undefined || typed.length !== 1 + ED25519_PUBLIC_KEY_SIZE || typed[0] !== ED25519_TYPE) {
    throw new Error(`verifier key is not an Ed25519 key: ${vkey}`);
  }
  const publicKey = typed.slice(1);
  if (bytesToHex(keyIdOf(name, publicKey)) !== keyIdHex) {
    throw new Error(`verifier key id does not match its name and key: ${vkey}`);
  }
  return { vkey, name, keyIdHex, publicKey };
}

function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    // RFC 8032 strict decoding rather than the laxer ZIP-215 rules noble defaults to.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Opens a C2SP signed note (signed-note v1.0.0) with Ed25519 verifier keys. Signatures from unknown
 * (name, key id) pairs are ignored; a failing signature from a known key, a malformed note, or no verified
 * signature at all throws.
 * @param note - the whole note: text, a blank line and the signature lines
 * @param vkeys - verifier keys as `<name>+<hex key id>+base64(0x01 || public key)`
 * @returns the signed text (with its final newline) and the `vkeys` entries whose signatures verified
 */
export function openSignedNote(
  note: string,
  vkeys: ReadonlyArray<string>,
): { readonly text: string; readonly verifiedKeys: string[] } {
  const keys = vkeys.map(parseVerifierKey);
  if (hasLoneSurrogate(note) || /[\p{Cc}]/u.test(note.replaceAll('\n', ''))) {
    throw new Error('note holds invalid UTF-8 or a control character other than newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new Error('note signature block is empty or unterminated');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new Error(`note has more than ${MAX_SIGNATURES} signatures`);

  const message = utf8ToBytes(text);
  const verified = new Set<VerifierKey>();
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new Error(`malformed signature line: ${line}`);
    const fields = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const [name, encoded] = fields;
    if (fields.length !== 2 || name === undefined || encoded === undefined || !isValidKeyName(name)) {
      throw new Error(`malformed signature line: ${line}`);
    }
    const payload = decodeBase64(encoded);
    if (payload === undefined || payload.length <= KEY_ID_SIZE) throw new Error(`malformed signature: ${line}`);
    const keyIdHex = bytesToHex(payload.slice(0, KEY_ID_SIZE));
    const key = keys.find((candidate) => candidate.name === name && candidate.keyIdHex === keyIdHex);
    if (key === undefined) continue;
    const signature = payload.slice(KEY_ID_SIZE);
    if (signature.length !== ED25519_SIGNATURE_SIZE || !verifyEd25519(signature, message, key.publicKey)) {
      throw new Error(`signature by ${name}+${keyIdHex} does not verify`);
    }
    verified.add(key);
  }
  if (verified.size === 0) throw new Error('no signature by a known key');
  return { text, verifiedKeys: [...verified].map((key) => key.vkey) };
}

/**
 * Parses the text of a C2SP tlog-checkpoint (origin, decimal size, base64 root, optional extension lines).
 * @param text - the signed text as returned by {@link openSignedNote}, ending in a newline
 */
export function parseCheckpointBody(text: string): {
  readonly origin: string;
  readonly size: bigint;
  readonly root: Uint8Array;
} {
  if (!text.endsWith('\n')) throw new Error('checkpoint text does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText] = lines;
  if (lines.length < 3 || origin === undefined || sizeText === undefined || rootText === undefined) {
    throw new Error('checkpoint has fewer than three lines');
  }
  if (lines.some((line) => line === '')) throw new Error('checkpoint has an empty line');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error(`checkpoint size is not canonical decimal: ${sizeText}`);
  const size = BigInt(sizeText);
  if (size > MAX_UINT64) throw new Error(`checkpoint size exceeds 64 bits: ${sizeText}`);
  const root = decodeBase64(rootText);
  if (root === undefined || !isHash(root)) throw new Error(`checkpoint root is not a base64 SHA-256 hash: ${rootText}`);
  return { origin, size, root };
}
