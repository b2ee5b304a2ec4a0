import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly problem: 'missing' | 'malformed' | 'mismatch'; readonly message: string };

const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/;

/**
 * Checks GitHub's `X-Hub-Signature-256` (`sha256=` and the hex HMAC-SHA256 of the body under the webhook secret).
 * @param rawBody - the bytes as received: a body parsed and serialised again does not match.
 * @param header - the header's value as the server gives it; more than one value is refused.
 */
export function verifyGitHubSignature(
  rawBody: Buffer | string,
  header: string | ReadonlyArray<string> | undefined,
  secret: string,
): SignatureCheck {
  const values = typeof header === 'string' ? [header] : (header ?? []);
  const value = values[0];
  if (value === undefined || value === '') {
    return { ok: false, problem: 'missing', message: 'the X-Hub-Signature-256 header is missing' };
  }
  if (values.length > 1) {
    return { ok: false, problem: 'malformed', message: 'the X-Hub-Signature-256 header is given more than once' };
  }
  const match = SIGNATURE_PATTERN.exec(value.trim().toLowerCase());
  const hex = match?.[1];
  if (hex === undefined) {
    return {
      ok: false,
      problem: 'malformed',
      message: 'the X-Hub-Signature-256 header is not sha256= and 64 hexadecimal digits',
    };
  }
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // Both are 32 bytes: the pattern fixes the length, so timingSafeEqual cannot throw.
  if (!timingSafeEqual(Buffer.from(hex, 'hex'), expected)) {
    return { ok: false, problem: 'mismatch', message: 'the X-Hub-Signature-256 signature does not match the body' };
  }
  return { ok: true };
}
