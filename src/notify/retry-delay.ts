import type { DeliveryPolicy } from './notify-config.js';

/** The longest a receiver's Retry-After is obeyed for, unless maxBackoff is longer still. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * How long to wait before the next attempt, after `attemptsMade` attempts (1 or more). Without Retry-After it is
 * exponential backoff with full jitter: uniform in [0, min(maxBackoff, initialBackoff × 2^(attemptsMade − 1))), so
 * that many failed rows do not all come back at once. A receiver's Retry-After is obeyed as given, within a ceiling.
 * @param random - uniform in [0, 1), as `Math.random`.
 */
export function retryDelay(
  attemptsMade: number,
  policy: Pick<DeliveryPolicy, 'initialBackoffMs' | 'maxBackoffMs'>,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) {
    return Math.round(Math.min(Math.max(0, retryAfterMs), Math.max(policy.maxBackoffMs, MAX_RETRY_AFTER_MS)));
  }
  // Past 2^40 the ceiling is maxBackoff anyway; stopping there keeps the arithmetic exact.
  const exponent = Math.min(Math.max(0, attemptsMade - 1), 40);
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** exponent);
  const share = Math.min(Math.max(0, random()), 1);
  return Math.min(Math.floor(share * ceiling), ceiling);
}
