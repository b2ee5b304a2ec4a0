import type { ErrorCode } from '../errors/index.js';

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

/** The one place where an error code becomes an HTTP status. */
export const STATUS_FOR_CODE = {
  SRE_INPUT_INVALID: 400,
  SRE_AUTHENTICATION_REQUIRED: 401,
  SRE_NOT_ALLOWED: 403,
  SRE_NOT_FOUND: 404,
  SRE_CONFLICT: 409,
  SRE_PAYLOAD_TOO_LARGE: 413,
  SRE_UNSUPPORTED_MEDIA_TYPE: 415,
  SRE_CATALOGUE_INVALID: 422,
  SRE_CONFIG_INVALID: 500,
  SRE_UNAVAILABLE: 503,
} as const satisfies Readonly<Record<ErrorCode, HttpErrorStatus>>;
