import canonicalize from 'canonicalize';

/** A JSON value as it may appear in an event: no undefined, no functions, no non-finite numbers. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue };

/**
 * RFC 8785 (JCS) canonical JSON. Throws for what JSON cannot carry exactly (undefined, non-finite numbers, bigint),
 * so a leaf never hashes a value its reader would see differently.
 */
export function canonicalJson(value: unknown): string {
  assertJson(value, '$');
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('the value has no JSON form');
  return text;
}

function assertJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which JSON cannot carry`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) assertJson(item, `${path}[${index}]`);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) assertJson(item, `${path}.${key}`);
    return;
  }
  throw new TypeError(`${path} is a ${typeof value}, which JSON cannot carry exactly`);
}
