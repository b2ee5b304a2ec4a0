import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  type BaseError,
  InputError,
  isBaseError,
  NotFoundError,
  PayloadTooLargeError,
  type ProblemDetail,
  UnsupportedMediaTypeError,
} from '../errors/index.js';
import { type HttpErrorStatus, STATUS_FOR_CODE } from './http-status.js';

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly requestId: string;
    readonly details?: ReadonlyArray<ProblemDetail>;
  };
}

/** Framework errors we translate, by Fastify's code; anything else unexpected is a 500 with a generic body. */
function fromFastify(error: FastifyError): BaseError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError('the request body is larger than this server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError('send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InputError('the body is empty but the content type is application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InputError('the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InputError('the Content-Length header does not match the body');
    default:
      break;
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return new InputError('the body is not valid JSON');
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new InputError('the request is malformed');
  }
  return undefined;
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  let known: BaseError | undefined;
  if (isBaseError(error)) known = error;
  else if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'body';
    const details = error.validation.map((issue) => ({
      path: jsonPath(context, issue.instancePath),
      message: issue.message ?? 'is invalid',
    }));
    known = new InputError(
      `invalid ${context}: ${details.map((detail) => `${detail.path} ${detail.message}`).join('; ')}`,
      { details },
    );
  } else if (isFastifyError(error)) known = fromFastify(error);
  if (known === undefined) known = fromClientStatus(error);

  if (known === undefined) {
    request.log.error({ err: error, reqId: request.id }, 'request failed');
    void reply.status(500).send({
      error: {
        code: 'SRE_INTERNAL',
        message: 'internal error: see the server log for this request id',
        requestId: request.id,
      },
    } satisfies ErrorBody);
    return;
  }
  const status: HttpErrorStatus = STATUS_FOR_CODE[known.code];
  if (status >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
  const body: ErrorBody = {
    error: {
      code: known.code,
      message: known.message,
      requestId: request.id,
      ...(known.details.length > 0 ? { details: known.details } : {}),
    },
  };
  void reply.status(status).send(body);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  handleError(new NotFoundError(`no route ${request.method} ${request.url.split('?')[0] ?? ''}`), request, reply);
}

function jsonPath(context: string, instancePath: string): string {
  const segments = instancePath
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('');
  return context === 'body' ? `$${segments}` : `${context}${segments}`;
}

/**
 * Errors from plugins that carry an HTTP status of their own (the static file server's, for a path that climbs out of
 * its folder): a 404 stays a 404, any other 4xx is a malformed request. Their own messages are not passed on.
 */
function fromClientStatus(error: unknown): BaseError | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = 'statusCode' in error ? error.statusCode : 'status' in error ? error.status : undefined;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return status === 404
    ? new NotFoundError('nothing is served at this path')
    : new InputError('the request is malformed');
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && 'code' in error && typeof error.code === 'string';
}
