/**
 * The coded errors of sre-agent. Each code is listed in docs/errors.md and never reused once retired.
 * @module
 */

export type ErrorCode =
  | 'SRE_INPUT_INVALID'
  | 'SRE_AUTHENTICATION_REQUIRED'
  | 'SRE_NOT_ALLOWED'
  | 'SRE_NOT_FOUND'
  | 'SRE_CONFLICT'
  | 'SRE_UNAVAILABLE'
  | 'SRE_CATALOGUE_INVALID'
  | 'SRE_CONFIG_INVALID'
  | 'SRE_PAYLOAD_TOO_LARGE'
  | 'SRE_UNSUPPORTED_MEDIA_TYPE';

/** One located problem in a request body, a query string or a file. */
export interface ProblemDetail {
  readonly path: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface BaseErrorOptions {
  readonly cause?: unknown;
  readonly details?: ReadonlyArray<ProblemDetail>;
}

export abstract class BaseError extends Error {
  abstract readonly code: ErrorCode;
  readonly details: ReadonlyArray<ProblemDetail>;

  constructor(message: string, options: BaseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? [];
  }
}

/** The caller sent something malformed or out of range. */
export class InputError extends BaseError {
  readonly code = 'SRE_INPUT_INVALID';
}

/** No credentials, or credentials that are not valid. */
export class AuthenticationError extends BaseError {
  readonly code = 'SRE_AUTHENTICATION_REQUIRED';
}

/** The principal is known but may not do this. */
export class NotAllowedError extends BaseError {
  readonly code = 'SRE_NOT_ALLOWED';
}

export class NotFoundError extends BaseError {
  readonly code = 'SRE_NOT_FOUND';
}

/** The request clashes with the current state (a duplicate name, a revoked token). */
export class ConflictError extends BaseError {
  readonly code = 'SRE_CONFLICT';
}

/** A dependency (the store, telemetry) cannot be reached. */
export class UnavailableError extends BaseError {
  readonly code = 'SRE_UNAVAILABLE';
}

/** The catalogue failed validation; `details` holds every located problem. */
export class CatalogueInvalidError extends BaseError {
  readonly code = 'SRE_CATALOGUE_INVALID';
}

/** The configuration failed validation; `details` holds every problem. */
export class ConfigInvalidError extends BaseError {
  readonly code = 'SRE_CONFIG_INVALID';
}

/** The request body is larger than the configured limit. */
export class PayloadTooLargeError extends BaseError {
  readonly code = 'SRE_PAYLOAD_TOO_LARGE';
}

/** The request body is in a format the route does not take. */
export class UnsupportedMediaTypeError extends BaseError {
  readonly code = 'SRE_UNSUPPORTED_MEDIA_TYPE';
}

export function isBaseError(value: unknown): value is BaseError {
  return value instanceof BaseError;
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
