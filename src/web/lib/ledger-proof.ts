/**
 * Checks, in the browser, that a ledger entry is in the log an auditor trusts: the leaf bytes hash into the root of a
 * checkpoint by an RFC 9162 inclusion proof, and the checkpoint is a C2SP signed note whose Ed25519 signature
 * verifies under a verifier key the auditor supplies. Only Web Crypto is used, so the server's word is not needed:
 * it supplies bytes, and this code decides. Runs in Node too (its global Web Crypto), where the tests run it.
 * @module
 */

export interface ProofStep {
  readonly label: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ProofInput {
  /** Base64 of the exact leaf bytes, as the API gives them. */
  readonly leafBase64: string;
  readonly index: bigint;
  /** The signed note of the checkpoint, as the API gives it. */
  readonly note: string;
  /** Hex hashes, leaf to root. */
  readonly proof: ReadonlyArray<string>;
  /** `<name>+<key ID>+<key>`: the key the auditor trusts. */
  readonly verifierKey: string;
  /** The log the auditor means; by default the key's name, as sre-agent names its key after its origin. */
  readonly origin?: string;
  /** What the person asked for, an index or an event id: the leaf must be that entry and not another. */
  readonly lookup?: string;
}

export interface ProofResult {
  readonly ok: boolean;
  readonly steps: ReadonlyArray<ProofStep>;
  /** The event as the leaf bytes say, whatever the server's JSON said. */
  readonly leafText: string | undefined;
  readonly checkpoint: { readonly origin: string; readonly size: bigint; readonly rootHex: string } | undefined;
}

const ED25519_ALGORITHM = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';

export function bytesFromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesFromHex(text: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new Error(`not hexadecimal: ${text.slice(0, 16)}`);
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function concat(...parts: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 9162 §2.1.1: leaves are hashed with a 0x00 prefix, interior nodes with 0x01. */
export async function leafHashOf(leaf: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(0), leaf));
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(1), left, right));
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or undefined when the proof cannot fit the tree. */
export async function rootFromInclusionProof(
  index: bigint,
  size: bigint,
  leafHash: Uint8Array,
  proof: ReadonlyArray<Uint8Array>,
): Promise<Uint8Array | undefined> {
  if (index < 0n || index >= size) return undefined;
  let fn = index;
  let sn = size - 1n;
  let root = leafHash;
  for (const sibling of proof) {
    if (sn === 0n) return undefined;
    if ((fn & 1n) === 1n || fn === sn) {
      root = await nodeHash(sibling, root);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      root = await nodeHash(root, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? root : undefined;
}

interface ParsedNote {
  readonly body: string;
  readonly signatures: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }>;
}

/** A signed note is its text, a blank line, then `— <name> <base64>` lines (C2SP signed-note). */
export function parseSignedNote(note: string): ParsedNote | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return undefined;
  const body = note.slice(0, split + 1);
  const signatures: Array<{ name: string; bytes: Uint8Array }> = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return undefined;
    const [name, base64] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || base64 === undefined) return undefined;
    try {
      signatures.push({ name, bytes: bytesFromBase64(base64) });
    } catch {
      return undefined;
    }
  }
  return { body, signatures };
}

/** C2SP tlog-checkpoint: origin, decimal size and base64 root hash, one per line. */
export function parseCheckpointBody(
  body: string,
): { readonly origin: string; readonly size: bigint; readonly root: Uint8Array } | undefined {
  const [origin, sizeText, rootText] = body.split('\n');
  if (origin === undefined || sizeText === undefined || rootText === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeText)) return undefined;
  try {
    const root = bytesFromBase64(rootText);
    return root.length === 32 ? { origin, size: BigInt(sizeText), root } : undefined;
  } catch {
    return undefined;
  }
}

interface VerifierKey {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** `<name>+<8 hex key ID>+<base64 of 0x01 and the 32-byte Ed25519 key>`, with the key ID checked against the key. */
export async function parseVerifierKey(text: string): Promise<VerifierKey | undefined> {
  // The key's base64 may itself contain '+': split at the first two only, as Go's note package does.
  const match = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(text.trim());
  if (match === null) return undefined;
  const [, name = '', idHex = '', keyBase64 = ''] = match;
  let key: Uint8Array;
  try {
    key = bytesFromBase64(keyBase64);
  } catch {
    return undefined;
  }
  if (key.length !== 33 || key[0] !== ED25519_ALGORITHM) return undefined;
  const expectedId = (await sha256(concat(new TextEncoder().encode(`${name}\n`), key))).slice(0, 4);
  if (hexOf(expectedId) !== idHex) return undefined;
  return { name, keyId: expectedId, publicKey: key.slice(1) };
}

async function signatureVerifies(key: VerifierKey, note: ParsedNote): Promise<boolean> {
  const publicKey = await crypto.subtle.importKey('raw', concat(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
  const message = concat(new TextEncoder().encode(note.body));
  for (const signature of note.signatures) {
    if (signature.name !== key.name || signature.bytes.length !== 68) continue;
    if (hexOf(signature.bytes.slice(0, 4)) !== hexOf(key.keyId)) continue;
    if (await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, concat(signature.bytes.slice(4)), message))
      return true;
  }
  return false;
}

/** Why the leaf is not the entry asked for, or undefined when it is. */
function identityProblem(leafText: string, index: bigint, lookup: string | undefined): string | undefined {
  let leaf: unknown;
  try {
    leaf = JSON.parse(leafText);
  } catch {
    return 'the leaf is not JSON';
  }
  if (typeof leaf !== 'object' || leaf === null) return 'the leaf is not an event';
  const seq = 'seq' in leaf ? leaf.seq : undefined;
  const id = 'id' in leaf ? leaf.id : undefined;
  if (seq !== index.toString()) return `the leaf says it is entry ${String(seq)}, not entry ${index}`;
  if (lookup === undefined) return undefined;
  const wanted = lookup.trim();
  if (/^[0-9]+$/.test(wanted))
    return wanted === seq ? undefined : `entry ${wanted} was asked for, the leaf is entry ${seq}`;
  return wanted === id ? undefined : `event ${wanted} was asked for, the leaf is event ${String(id)}`;
}

/** Every check in order; the first failure stops the rest, since they depend on it. */
export async function verifyInclusion(input: ProofInput): Promise<ProofResult> {
  const steps: ProofStep[] = [];
  const fail = (label: string, detail: string, extra: Partial<ProofResult> = {}): ProofResult => {
    steps.push({ label, ok: false, detail });
    return { ok: false, steps, leafText: undefined, checkpoint: undefined, ...extra };
  };

  const key = await parseVerifierKey(input.verifierKey);
  if (key === undefined) {
    return fail('Verifier key', 'not a valid Ed25519 verifier key of the form <name>+<key ID>+<key>');
  }
  steps.push({ label: 'Verifier key', ok: true, detail: `${key.name}, key ID ${hexOf(key.keyId)}` });

  const note = parseSignedNote(input.note);
  const body = note === undefined ? undefined : parseCheckpointBody(note.body);
  if (note === undefined || body === undefined) return fail('Checkpoint', 'the checkpoint is not a signed note');
  const checkpoint = { origin: body.origin, size: body.size, rootHex: hexOf(body.root) };
  const origin = input.origin ?? key.name;
  if (body.origin !== origin) {
    return fail('Checkpoint origin', `the checkpoint is of log ${body.origin}, not ${origin}`, { checkpoint });
  }
  if (!(await signatureVerifies(key, note))) {
    return fail('Checkpoint signature', `no signature by ${key.name} verifies over the checkpoint`, { checkpoint });
  }
  steps.push({
    label: 'Checkpoint signature',
    ok: true,
    detail: `Ed25519 signature by ${key.name} verifies: tree of ${body.size} entries, root ${checkpoint.rootHex}`,
  });

  let leaf: Uint8Array;
  try {
    leaf = bytesFromBase64(input.leafBase64);
  } catch {
    return fail('Leaf', 'the leaf is not base64', { checkpoint });
  }
  const leafText = new TextDecoder('utf-8', { fatal: false }).decode(leaf);
  const identity = identityProblem(leafText, input.index, input.lookup);
  if (identity !== undefined) return fail('Entry', identity, { checkpoint, leafText });
  steps.push({
    label: 'Entry',
    ok: true,
    detail: `the leaf is entry ${input.index}${input.lookup === undefined ? '' : `, the one asked for (${input.lookup})`}`,
  });
  const leafHash = await leafHashOf(leaf);
  steps.push({
    label: 'Leaf hash',
    ok: true,
    detail: `SHA-256(0x00 ‖ ${leaf.length} leaf bytes) = ${hexOf(leafHash)}`,
  });

  let proof: Uint8Array[];
  try {
    proof = input.proof.map(bytesFromHex);
  } catch {
    return fail('Inclusion proof', 'the proof is not a list of hexadecimal hashes', { checkpoint, leafText });
  }
  if (proof.some((hash) => hash.length !== 32)) {
    return fail('Inclusion proof', 'every hash in a proof is 32 bytes (SHA-256)', { checkpoint, leafText });
  }
  const root = await rootFromInclusionProof(input.index, body.size, leafHash, proof);
  if (root === undefined) {
    return fail(
      'Inclusion proof',
      `${proof.length} hashes cannot place entry ${input.index} in a tree of ${body.size}`,
      {
        checkpoint,
        leafText,
      },
    );
  }
  if (hexOf(root) !== checkpoint.rootHex) {
    return fail('Inclusion proof', `the proof leads to root ${hexOf(root)}, not the signed root`, {
      checkpoint,
      leafText,
    });
  }
  steps.push({
    label: 'Inclusion proof',
    ok: true,
    detail: `${proof.length} hashes lead from entry ${input.index} to the signed root`,
  });
  return { ok: true, steps, leafText, checkpoint };
}
