import { CommanderError } from 'commander';
import { type ErrorCode, isBaseError } from '../errors/index.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNAVAILABLE = 3;
/** An error nobody expected: a bug to report. */
export const EXIT_INTERNAL = 70;

const EXIT_FOR_CODE = {
  SRE_INPUT_INVALID: EXIT_USAGE,
  SRE_CONFIG_INVALID: EXIT_USAGE,
  SRE_AUTHENTICATION_REQUIRED: EXIT_PROBLEMS,
  SRE_NOT_ALLOWED: EXIT_PROBLEMS,
  SRE_NOT_FOUND: EXIT_PROBLEMS,
  SRE_CONFLICT: EXIT_PROBLEMS,
  SRE_CATALOGUE_INVALID: EXIT_PROBLEMS,
  SRE_PAYLOAD_TOO_LARGE: EXIT_USAGE,
  SRE_UNSUPPORTED_MEDIA_TYPE: EXIT_USAGE,
  SRE_UNAVAILABLE: EXIT_UNAVAILABLE,
} as const satisfies Readonly<Record<ErrorCode, number>>;

/** The one place where an error becomes a process exit status. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
  }
  if (isBaseError(error)) return EXIT_FOR_CODE[error.code];
  return EXIT_INTERNAL;
}
