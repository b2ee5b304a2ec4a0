import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/** One decision as the ledger keeps it. `seq` is the leaf index: 0 for the first event. */
export interface LedgerEvent {
  readonly seq: bigint;
  readonly id: string;
  /** ISO 8601 UTC, from the injected clock. */
  readonly time: string;
  /** Who did it: `token:ci`, `local:alice`, `system:startup`, `integration:alertmanager`. */
  readonly actor: string;
  /** Dotted and past tense: `token.created`, `catalogue.loaded`. */
  readonly type: string;
  /** What it is about: `token:<id>`, `catalogue`, `service:payments-api`. */
  readonly subject: string;
  readonly data: JsonValue;
  /** SHA-256 (hex) of the canonical JSON of data kept beside the leaf, which may be erased later. */
  readonly restrictedDigest: string | undefined;
}

/** What a caller appends; the ledger assigns seq, id and time. */
export interface NewLedgerEvent {
  readonly actor: string;
  readonly type: string;
  readonly subject: string;
  readonly data: JsonValue;
  /** Personal or secret data kept outside the leaf: the leaf commits only to its digest. */
  readonly restricted?: JsonValue | undefined;
}

export const LEAF_VERSION = 1;
const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const ACTOR_PATTERN = /^[a-z]+:\S{1,200}$/;

/** An event as JSON: seq as a decimal string, restrictedDigest only when there is one. The API shows this. */
export interface EventJson {
  readonly seq: string;
  readonly id: string;
  readonly time: string;
  readonly actor: string;
  readonly type: string;
  readonly subject: string;
  readonly data: JsonValue;
  readonly restrictedDigest?: string;
}

export function eventJsonOf(event: LedgerEvent): EventJson {
  return {
    seq: event.seq.toString(),
    id: event.id,
    time: event.time,
    actor: event.actor,
    type: event.type,
    subject: event.subject,
    data: event.data,
    ...(event.restrictedDigest === undefined ? {} : { restrictedDigest: event.restrictedDigest }),
  };
}

/** The exact bytes hashed into the tree: the RFC 8785 form of the event's JSON with the leaf version. */
export function leafTextOf(event: LedgerEvent): string {
  return canonicalJson({ v: LEAF_VERSION, ...eventJsonOf(event) });
}

export function leafBytesOf(event: LedgerEvent): Uint8Array {
  return new TextEncoder().encode(leafTextOf(event));
}

export function restrictedDigestOf(restricted: JsonValue): string {
  return createHash('sha256').update(canonicalJson(restricted), 'utf8').digest('hex');
}

/** Checks what a caller is about to append; throws TypeError naming the field. */
export function checkNewEvent(event: NewLedgerEvent): void {
  if (!TYPE_PATTERN.test(event.type)) throw new TypeError(`event type "${event.type}" is not dotted lower case`);
  if (!ACTOR_PATTERN.test(event.actor)) throw new TypeError(`event actor "${event.actor}" is not kind:name`);
  if (event.subject.length === 0 || event.subject.length > 300)
    throw new TypeError('event subject must be 1 to 300 characters');
}

export type ParsedLeaf =
  | { readonly ok: true; readonly event: LedgerEvent }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads leaf text back into an event. With `canonical` (the default) it also checks that the text is the canonical
 * form of what it says; a verifier that already hashes the exact bytes may skip that costly step.
 */
export function parseLeaf(text: string, options: { readonly canonical?: boolean } = {}): ParsedLeaf {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the leaf is not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, reason: 'the leaf is not a JSON object' };
  const fields = value as Record<string, unknown>;
  if (fields.v !== LEAF_VERSION)
    return { ok: false, reason: `the leaf version is ${String(fields.v)}, not ${LEAF_VERSION}` };
  for (const name of ['seq', 'id', 'time', 'actor', 'type', 'subject'] as const) {
    if (typeof fields[name] !== 'string') return { ok: false, reason: `the leaf field ${name} is not a string` };
  }
  if (!/^(0|[1-9][0-9]*)$/.test(String(fields.seq))) return { ok: false, reason: 'the leaf seq is not a decimal' };
  if (!('data' in fields)) return { ok: false, reason: 'the leaf has no data' };
  const digest = fields.restrictedDigest;
  if (digest !== undefined && (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest))) {
    return { ok: false, reason: 'the leaf restrictedDigest is not a SHA-256 hex digest' };
  }
  const event: LedgerEvent = {
    seq: BigInt(String(fields.seq)),
    id: String(fields.id),
    time: String(fields.time),
    actor: String(fields.actor),
    type: String(fields.type),
    subject: String(fields.subject),
    data: fields.data as JsonValue,
    restrictedDigest: digest,
  };
  const extra = Object.keys(fields).filter(
    (key) => !['v', 'seq', 'id', 'time', 'actor', 'type', 'subject', 'data', 'restrictedDigest'].includes(key),
  );
  if (extra.length > 0) return { ok: false, reason: `the leaf has unknown fields: ${extra.join(', ')}` };
  if (options.canonical !== false && leafTextOf(event) !== text) {
    return { ok: false, reason: 'the leaf is not in canonical form' };
  }
  return { ok: true, event };
}
