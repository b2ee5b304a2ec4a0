import { NoteError, type NoteSigner, type NoteVerifier, openNote, signNote } from './signed-note.js';

/**
 * C2SP tlog-checkpoint v1.0.0: the signed tree head of the ledger, as a signed note whose text is the origin, the
 * tree size and the RFC 6962 root hash, then optional extension lines.
 * @module
 */

export interface Checkpoint {
  readonly origin: string;
  /** uint64 */
  readonly size: bigint;
  /** RFC 6962 Merkle tree hash, 32 bytes. */
  readonly root: Uint8Array;
  readonly extensions: ReadonlyArray<string>;
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The verifier keys whose signatures verified. */
  readonly verifiedBy: ReadonlyArray<string>;
}

const MAX_TREE_SIZE = 2n ** 64n - 1n;
const ROOT_BYTES = 32;
const TREE_SIZE = /^(?:0|[1-9][0-9]{0,19})$/;
// 32 bytes are 43 base64 digits and one '='; the last digit carries two unused bits, which must be zero.
const ROOT_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const CONTROL_CHARACTER = /[\p{Cc}\p{Cs}]/u;

export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, root, extensions } = checkpoint;
  checkLine(origin, 'checkpoint origin');
  if (size < 0n || size > MAX_TREE_SIZE) throw new NoteError('checkpoint tree size must be between 0 and 2^64 - 1');
  if (root.length !== ROOT_BYTES) {
    throw new NoteError(`checkpoint root hash must be ${ROOT_BYTES} bytes, got ${root.length}`);
  }
  extensions.forEach((extension, index) => {
    checkLine(extension, `checkpoint extension line ${index + 1}`);
  });
  const rootText = Buffer.from(root.buffer, root.byteOffset, root.length).toString('base64');
  return [origin, size.toString(10), rootText, ...extensions].map((line) => `${line}\n`).join('');
}

/** Parses checkpoint note text (the part before the signatures). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new NoteError('checkpoint text must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new NoteError('checkpoint must have at least three lines: origin, tree size and root hash');
  }
  lines.forEach((line, index) => {
    checkLine(line, `checkpoint line ${index + 1}`);
  });
  const [origin = '', sizeText = '', rootText = '', ...extensions] = lines;
  if (!TREE_SIZE.test(sizeText)) {
    throw new NoteError('checkpoint tree size must be a decimal number without sign or leading zeros');
  }
  const size = BigInt(sizeText);
  if (size > MAX_TREE_SIZE) throw new NoteError('checkpoint tree size exceeds 2^64 - 1');
  if (!ROOT_BASE64.test(rootText)) {
    throw new NoteError(`checkpoint root hash must be ${ROOT_BYTES} bytes in canonical standard base64`);
  }
  const root = new Uint8Array(Buffer.from(rootText, 'base64'));
  return { origin, size, root, extensions: Object.freeze(extensions) };
}

export function signCheckpoint(checkpoint: Checkpoint, signers: ReadonlyArray<NoteSigner>): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Verifies a signed checkpoint (see `openNote` for the signature rules) and parses its text.
 * @param expectedOrigin - when given, a checkpoint for any other origin is rejected
 */
export function openCheckpoint(
  note: string,
  verifiers: ReadonlyArray<NoteVerifier>,
  expectedOrigin?: string,
): OpenedCheckpoint {
  const { text, verifiedBy } = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new NoteError(
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(expectedOrigin)}`,
    );
  }
  return { checkpoint, verifiedBy };
}

function checkLine(line: string, what: string): void {
  if (line === '') throw new NoteError(`${what} is empty`);
  if (CONTROL_CHARACTER.test(line)) {
    throw new NoteError(`${what} contains a newline, another control character or invalid UTF-16`);
  }
}
