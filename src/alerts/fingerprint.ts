/**
 * Alertmanager's alert fingerprint (`model.LabelSet.Fingerprint`): 64-bit FNV-1a over the labels sorted by name,
 * each name and value followed by a 0xFF byte, printed as 16 lowercase hex digits.
 * @module
 */

export type Labels = Readonly<Record<string, string>>;

const SEPARATOR = 0xff;
const TWO_TO_32 = 2 ** 32;
const encoder = new TextEncoder();
/** Code units at or above this sort differently in UTF-16 and in UTF-8. */
const SURROGATE_OR_ABOVE = /[\uD800-\uFFFF]/;

/**
 * The hash runs on the state's two 32-bit halves: the 64-bit prime is 2^40 + 0x1b3, so multiplying by it is
 * `h × 0x1b3 + (h << 40)`, which keeps every intermediate exact in a double. The BigInt version is several times slower.
 */
class Fnv64 {
  hi = 0xcbf29ce4;
  lo = 0x84222325;

  byte(value: number): void {
    const lo = (this.lo ^ value) >>> 0;
    const product = lo * 0x1b3;
    const carry = Math.floor(product / TWO_TO_32);
    this.lo = product >>> 0;
    this.hi = (Math.imul(this.hi, 0x1b3) + (lo << 8) + carry) >>> 0;
  }

  text(value: string): void {
    for (let index = 0; index < value.length; index += 1) {
      const code = value.charCodeAt(index);
      if (code >= 0x80) {
        for (const byte of encoder.encode(value.slice(index))) this.byte(byte);
        return;
      }
      this.byte(code);
    }
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

export function fingerprintOf(labels: Labels): string {
  const names = Object.keys(labels);
  // Go sorts names by their bytes; UTF-16 order agrees unless a name holds a surrogate or a code unit above it.
  if (names.some((name) => SURROGATE_OR_ABOVE.test(name))) names.sort(compareUtf8);
  else names.sort();
  const hash = new Fnv64();
  for (const name of names) {
    hash.text(name);
    hash.byte(SEPARATOR);
    hash.text(labels[name] ?? '');
    hash.byte(SEPARATOR);
  }
  return hash.hex();
}

function compareUtf8(a: string, b: string): number {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
