/** What a failed `fetch` was: shared by the Prometheus source and the scraper, which both report it to people. */

/** True for a TimeoutError or AbortError from an AbortSignal, by name (they are DOMExceptions, not Errors). */
export function isNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && error.name === name;
}

/** The system error code (ECONNREFUSED, ENOTFOUND) under fetch's generic "fetch failed". */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    if ('code' in current && typeof current.code === 'string' && /^[A-Z_]+$/.test(current.code)) return current.code;
    current = current.cause;
  }
  return undefined;
}
