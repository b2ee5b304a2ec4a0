import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { sha256 } from './merkle.js';

/**
 * C2SP signed notes (signed-note v1.0.0) with Ed25519 keys, in the formats of Go's `x/mod/sumdb/note`. Parsing is
 * a little stricter than Go's: no DEL or C1 control characters, and base64 in its canonical spelling only.
 * @module
 */

/** Every rejection of a key, a note or a checkpoint. Messages never include private key material. */
export class NoteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NoteError';
  }
}

export interface NoteSigner {
  readonly name: string;
  /** uint32 */
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
  /** The verifier key text that checks this signer's signatures. */
  readonly verifierKey: string;
}

export interface NoteVerifier {
  readonly name: string;
  /** uint32 */
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
  readonly verifierKey: string;
}

export interface NoteKeyPair {
  /** `PRIVATE+KEY+<name>+<key ID>+<key>`; secret. */
  readonly signerKey: string;
  /** `<name>+<key ID>+<key>`; public. */
  readonly verifierKey: string;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the four key ID bytes. */
  readonly signature: Uint8Array;
}

export interface ParsedNote {
  /** The signed text, ending in a newline. */
  readonly text: string;
  readonly signatures: ReadonlyArray<NoteSignature>;
}

export interface OpenedNote {
  readonly text: string;
  /** The verifier keys whose signatures verified, each once, in note order. */
  readonly verifiedBy: ReadonlyArray<string>;
}

/** The signed-note spec asks verifiers to accept at least 16 and to set some cap; 100 matches `x/mod/sumdb/note`. */
export const MAX_NOTE_SIGNATURES = 100;

const ED25519 = 0x01;
const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const KEY_ID_BYTES = 4;
const SIGNATURE_PREFIX = '\u2014 ';
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
// PKCS #8 wrapping of a bare 32-byte Ed25519 seed (RFC 8410 §7).
const PKCS8_ED25519_PREFIX = Uint8Array.from(Buffer.from('302e020100300506032b657004220420', 'hex'));

const INVALID_NAME_CHARACTER = /[\p{White_Space}\p{Cc}\p{Cs}+]/u;
const INVALID_TEXT_CHARACTER = /(?!\n)\p{Cc}|\p{Cs}/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_ID_HEX = /^[0-9a-fA-F]{8}$/;

export function isValidKeyName(name: string): boolean {
  return name !== '' && !INVALID_NAME_CHARACTER.test(name);
}

/** SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const hash = sha256(utf8(name), Uint8Array.of(0x0a, ED25519), publicKey);
  return new DataView(hash.buffer, hash.byteOffset, KEY_ID_BYTES).getUint32(0);
}

export function generateNoteKey(name: string): NoteKeyPair {
  if (!isValidKeyName(name)) throw new NoteError(invalidNameMessage('key name'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const rawPublicKey = jwkBytes(publicKey, 'x');
  const keyIdHex = formatKeyId(ed25519KeyId(name, rawPublicKey));
  const seed = jwkBytes(privateKey, 'd');
  const key = concat(Uint8Array.of(ED25519), seed);
  const signerKey = `${SIGNER_KEY_PREFIX}${name}+${keyIdHex}+${base64(key)}`;
  seed.fill(0);
  key.fill(0);
  return { signerKey, verifierKey: `${name}+${keyIdHex}+${base64(Uint8Array.of(ED25519, ...rawPublicKey))}` };
}

/** Parses `PRIVATE+KEY+<name>+<key ID>+base64(0x01 || 32-byte seed)`, as written by `generateNoteKey` and Go. */
export function parseSignerKey(text: string): NoteSigner {
  return Ed25519NoteSigner.fromKeyText(text);
}

/** Parses `<name>+<key ID>+base64(0x01 || 32-byte public key)`. */
export function parseVerifierKey(text: string): NoteVerifier {
  return Ed25519NoteVerifier.fromKeyText(text);
}

/**
 * Signs `text` with every signer.
 * @param text - the note text: ends in a newline, no control characters other than newline
 * @param signers - at least one, no two with the same name and key ID
 */
export function signNote(text: string, signers: ReadonlyArray<NoteSigner>): string {
  assertValidText(text);
  if (signers.length === 0) throw new NoteError('a note needs at least one signer');
  if (signers.length > MAX_NOTE_SIGNATURES) {
    throw new NoteError(`a note may carry at most ${MAX_NOTE_SIGNATURES} signatures, got ${signers.length} signers`);
  }
  const message = utf8(text);
  const seen = new Set<string>();
  let signatureLines = '';
  for (const signer of signers) {
    if (!isValidKeyName(signer.name)) throw new NoteError(invalidNameMessage('signer name'));
    if (!Number.isInteger(signer.keyId) || signer.keyId < 0 || signer.keyId > 0xffffffff) {
      throw new NoteError(`signer ${signer.name} has a key ID that is not a uint32`);
    }
    const identity = `${signer.name}+${formatKeyId(signer.keyId)}`;
    if (seen.has(identity)) throw new NoteError(`duplicate signer ${identity}`);
    seen.add(identity);
    const keyIdBytes = new Uint8Array(KEY_ID_BYTES);
    new DataView(keyIdBytes.buffer).setUint32(0, signer.keyId);
    signatureLines += `${SIGNATURE_PREFIX}${signer.name} ${base64(concat(keyIdBytes, signer.sign(message)))}\n`;
  }
  return `${text}\n${signatureLines}`;
}

/** Splits a note into its text and signature lines without verifying anything. */
export function parseNote(note: string): ParsedNote {
  if (INVALID_TEXT_CHARACTER.test(note)) {
    throw new NoteError('note contains a control character other than newline, or invalid UTF-16');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no blank line between its text and its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '') throw new NoteError('note has no signatures');
  if (!block.endsWith('\n')) throw new NoteError('the last signature line of the note does not end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new NoteError(`note has ${lines.length} signatures; at most ${MAX_NOTE_SIGNATURES} are accepted`);
  }
  return { text, signatures: lines.map((line, index) => parseSignatureLine(line, index + 1)) };
}

/**
 * Verifies a note against the known keys. Signatures from unknown (name, key ID) pairs are ignored; every signature
 * from a known key must verify, and at least one must.
 */
export function openNote(note: string, verifiers: ReadonlyArray<NoteVerifier>): OpenedNote {
  const known = indexVerifiers(verifiers);
  const { text, signatures } = parseNote(note);
  const message = utf8(text);
  const verifiedBy: string[] = [];
  for (const { name, keyId, signature } of signatures) {
    const identity = `${name}+${formatKeyId(keyId)}`;
    const verifier = known.get(identity);
    if (verifier === undefined) continue;
    if (!verifier.verify(message, signature)) throw new NoteError(`the signature by known key ${identity} is invalid`);
    if (!verifiedBy.includes(verifier.verifierKey)) verifiedBy.push(verifier.verifierKey);
  }
  if (verifiedBy.length === 0) throw new NoteError('note carries no signature from a known key');
  return { text, verifiedBy };
}

class Ed25519NoteSigner implements NoteSigner {
  readonly #privateKey: KeyObject;

  private constructor(
    readonly name: string,
    readonly keyId: number,
    readonly verifierKey: string,
    privateKey: KeyObject,
  ) {
    this.#privateKey = privateKey;
  }

  static fromKeyText(text: string): Ed25519NoteSigner {
    const trimmed = text.trim();
    const form = 'signer key must have the form PRIVATE+KEY+<name>+<8 hex digit key ID>+<base64 key>';
    if (!trimmed.startsWith(SIGNER_KEY_PREFIX)) throw new NoteError(form);
    const fields = splitKeyText(trimmed.slice(SIGNER_KEY_PREFIX.length));
    if (fields === undefined) throw new NoteError(form);
    const { name, keyIdHex, keyText } = fields;
    if (!isValidKeyName(name)) throw new NoteError(invalidNameMessage('signer key name'));
    if (!KEY_ID_HEX.test(keyIdHex)) throw new NoteError('signer key ID must be 8 hexadecimal digits');
    const key = decodeBase64(keyText);
    if (key === undefined) throw new NoteError('signer key is not valid base64');
    let der: Uint8Array | undefined;
    try {
      der = concat(PKCS8_ED25519_PREFIX, checkEd25519Key(key, 'signer key', 'seed'));
      const privateKey = createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' });
      const publicKey = jwkBytes(createPublicKey(privateKey), 'x');
      const keyId = ed25519KeyId(name, publicKey);
      if (keyId !== Number.parseInt(keyIdHex, 16)) {
        throw new NoteError('signer key ID does not match the key name and the key');
      }
      const verifierKey = `${name}+${formatKeyId(keyId)}+${base64(Uint8Array.of(ED25519, ...publicKey))}`;
      return new Ed25519NoteSigner(name, keyId, verifierKey, privateKey);
    } finally {
      key.fill(0);
      der?.fill(0);
    }
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(cryptoSign(null, message, this.#privateKey));
  }
}

class Ed25519NoteVerifier implements NoteVerifier {
  readonly #publicKey: KeyObject;

  private constructor(
    readonly name: string,
    readonly keyId: number,
    readonly verifierKey: string,
    publicKey: KeyObject,
  ) {
    this.#publicKey = publicKey;
  }

  static fromKeyText(text: string): Ed25519NoteVerifier {
    const trimmed = text.trim();
    const fields = splitKeyText(trimmed);
    if (fields === undefined) {
      throw new NoteError('verifier key must have the form <name>+<8 hex digit key ID>+<base64 key>');
    }
    const { name, keyIdHex, keyText } = fields;
    if (!isValidKeyName(name)) throw new NoteError(invalidNameMessage('verifier key name'));
    if (!KEY_ID_HEX.test(keyIdHex)) throw new NoteError('verifier key ID must be 8 hexadecimal digits');
    const key = decodeBase64(keyText);
    if (key === undefined) throw new NoteError('verifier key is not valid base64');
    const rawPublicKey = checkEd25519Key(key, 'verifier key', 'public key');
    const keyId = ed25519KeyId(name, rawPublicKey);
    if (keyId !== Number.parseInt(keyIdHex, 16)) {
      throw new NoteError('verifier key ID does not match the key name and the public key');
    }
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(rawPublicKey).toString('base64url') },
      format: 'jwk',
    });
    return new Ed25519NoteVerifier(name, keyId, `${name}+${formatKeyId(keyId)}+${keyText}`, publicKey);
  }

  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return signature.length === ED25519_SIGNATURE_BYTES && cryptoVerify(null, message, this.#publicKey, signature);
  }
}

function parseSignatureLine(line: string, lineNumber: number): NoteSignature {
  const where = `signature line ${lineNumber}`;
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError(`${where} does not start with an em dash and a space`);
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw new NoteError(`${where} has no space between the key name and the signature`);
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw new NoteError(`${where}: ${invalidNameMessage('key name')}`);
  const bytes = decodeBase64(rest.slice(space + 1));
  if (bytes === undefined) throw new NoteError(`${where}: the signature is not valid standard base64`);
  if (bytes.length <= KEY_ID_BYTES) throw new NoteError(`${where}: the signature is too short`);
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, KEY_ID_BYTES).getUint32(0);
  return { name, keyId, signature: bytes.slice(KEY_ID_BYTES) };
}

function indexVerifiers(verifiers: ReadonlyArray<NoteVerifier>): Map<string, NoteVerifier> {
  const known = new Map<string, NoteVerifier>();
  for (const verifier of verifiers) {
    const identity = `${verifier.name}+${formatKeyId(verifier.keyId)}`;
    const existing = known.get(identity);
    if (existing === undefined) known.set(identity, verifier);
    else if (existing.verifierKey !== verifier.verifierKey) {
      throw new NoteError(`two different verifier keys share the name and key ID ${identity}`);
    }
  }
  return known;
}

/** `<name>+<key ID>+<key>`, split at the first two '+': names have none, but base64 may. */
function splitKeyText(text: string): { name: string; keyIdHex: string; keyText: string } | undefined {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first < 0 || second < 0) return undefined;
  return { name: text.slice(0, first), keyIdHex: text.slice(first + 1, second), keyText: text.slice(second + 1) };
}

function checkEd25519Key(key: Uint8Array, what: string, material: string): Uint8Array {
  if (key.length === 0) throw new NoteError(`${what} is empty`);
  const algorithm = key[0];
  if (algorithm !== ED25519) {
    throw new NoteError(`${what} uses algorithm 0x${hexByte(algorithm)}; only Ed25519 (0x01) is supported`);
  }
  if (key.length !== 1 + ED25519_KEY_BYTES) {
    throw new NoteError(
      `${what} must hold a ${ED25519_KEY_BYTES}-byte Ed25519 ${material}, got ${key.length - 1} bytes`,
    );
  }
  return key.subarray(1);
}

function assertValidText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('note text must end in a newline');
  if (INVALID_TEXT_CHARACTER.test(text)) {
    throw new NoteError('note text contains a control character other than newline, or invalid UTF-16');
  }
}

function invalidNameMessage(what: string): string {
  return `${what} must be non-empty and contain no white space, control characters or '+'`;
}

/** Standard base64 with padding, in its one canonical spelling (unused bits zero). */
function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const decoded = bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
  bytes.fill(0);
  return decoded;
}

function jwkBytes(key: KeyObject, field: 'd' | 'x'): Uint8Array {
  const value = key.export({ format: 'jwk' })[field];
  if (typeof value !== 'string') throw new Error(`Ed25519 JWK export lacks '${field}'`);
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function hexByte(value: number | undefined): string {
  return (value ?? 0).toString(16).padStart(2, '0');
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}

function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}
