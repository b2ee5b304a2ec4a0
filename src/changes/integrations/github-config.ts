/**
 * The `github` section: a GitHub App that answers custom deployment protection rules with the change gate's verdict.
 * @module
 */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { parseDuration } from '../../clock/duration.js';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
// The catalogue's own rule for service names.
const SERVICE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function durationBetween(minMs: number, maxMs: number, range: string) {
  return z.string().refine(
    (text) => {
      const parsed = parseDuration(text);
      return parsed.ok && parsed.milliseconds >= minMs && parsed.milliseconds <= maxMs;
    },
    { error: `must be a duration from ${range}` },
  );
}

/** PEM text as set from an environment variable often arrives with its line breaks written as `\n`. */
function restoreLineBreaks(pem: string): string {
  return pem.includes('\n') ? pem : pem.replaceAll('\\n', '\n');
}

function isRsaPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

const GitHubGateSettingsSchema = z
  .strictObject({
    /** The App ID, or its client ID (`Iv23…`); GitHub accepts either as the JWT issuer. */
    appId: z
      .union([
        z.number().int().positive(),
        z.string().regex(/^(?:\d+|Iv[0-9A-Za-z.]+)$/, { error: 'must be the numeric App ID or the client ID' }),
      ])
      .transform((id) => String(id)),
    /** The App's private key, PEM (PKCS#1 as GitHub issues it, or PKCS#8). Set it from the environment. */
    privateKey: z
      .string()
      .transform(restoreLineBreaks)
      // The message never repeats the value: it is a secret.
      .refine(isRsaPrivateKey, { error: 'must be the App private key, an RSA key in PEM form' }),
    /** The App's webhook secret: every delivery's X-Hub-Signature-256 is checked against it. */
    webhookSecret: z.string().min(16, { error: 'must be at least 16 characters' }),
    /** The REST API base: `https://HOST/api/v3` for GitHub Enterprise Server. */
    apiUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .default(DEFAULT_GITHUB_API_URL),
    /** Which catalogue service each repository deploys, as `owner/repo: service`. */
    repositories: z.record(
      z.string().regex(REPOSITORY_PATTERN, { error: 'must be a repository written as owner/repo' }),
      z.string().regex(SERVICE_PATTERN, {
        error: 'must be a catalogue service name: lower-case letters, digits and hyphens',
      }),
    ),
    /** How often a held deployment is decided again. */
    holdRecheck: durationBetween(1_000, 3_600_000, '1s to 1h, such as 1m').default('1m'),
    /** How long a deployment may stay held before it is rejected. */
    holdTimeout: durationBetween(60_000, 30 * 86_400_000, '1m to 30d, such as 6h').default('6h'),
  })
  .superRefine((config, context) => {
    const seen = new Map<string, string>();
    for (const repository of Object.keys(config.repositories)) {
      const key = repository.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['repositories', repository],
          message: `repeats "${earlier}": GitHub repository names ignore case`,
        });
      }
      seen.set(key, repository);
    }
    const recheck = parseDuration(config.holdRecheck);
    const timeout = parseDuration(config.holdTimeout);
    if (recheck.ok && timeout.ok && recheck.milliseconds > timeout.milliseconds) {
      context.addIssue({ code: 'custom', path: ['holdRecheck'], message: 'must not be longer than holdTimeout' });
    }
  });

/** Optional as a whole: without it the GitHub integration is off. */
export const GitHubGateConfigSchema = GitHubGateSettingsSchema.optional();

export type GitHubGateConfig = z.output<typeof GitHubGateSettingsSchema>;
export type GitHubGateConfigInput = z.input<typeof GitHubGateSettingsSchema>;

/** The hold timings of a parsed configuration, in milliseconds. */
export interface HoldPolicy {
  readonly recheckMs: number;
  readonly timeoutMs: number;
}

export function holdPolicyOf(config: Pick<GitHubGateConfig, 'holdRecheck' | 'holdTimeout'>): HoldPolicy {
  return { recheckMs: millisecondsOf(config.holdRecheck), timeoutMs: millisecondsOf(config.holdTimeout) };
}

function millisecondsOf(text: string): number {
  const parsed = parseDuration(text);
  // The schema accepted it, so this is a configuration that skipped the schema.
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.milliseconds;
}
