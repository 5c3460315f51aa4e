import { VigilError } from '@vigil/core';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ApiEnv } from './env.ts';
import { ApiError, type ProblemKind, problemResponse } from './problem.ts';

const BY_STATUS: Record<number, ProblemKind> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  503: 'unavailable',
};

/** Store and domain error codes (`VigilError.code`) the API answers as client errors. */
const BY_CODE: Record<string, ProblemKind> = {
  NOT_FOUND: 'not-found',
  CONFLICT: 'conflict',
  INVALID_INPUT: 'bad-request',
  INVALID_CURSOR: 'bad-request',
  INVALID_LIMIT: 'bad-request',
  INVALID_TRANSITION: 'conflict',
};

/** Any thrown value as the ApiError the client sees; unexpected ones become a bare 500. */
export function toApiError(error: unknown, maxBodyBytes: number): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const kind = BY_STATUS[error.status];
    if (kind === 'payload-too-large') {
      return new ApiError(kind, `the request body is larger than ${maxBodyBytes} bytes`);
    }
    if (kind) return new ApiError(kind, error.message || 'the request was refused', { cause: error });
  }
  if (error instanceof VigilError) {
    const kind = BY_CODE[error.code];
    if (kind) return new ApiError(kind, error.message, { cause: error });
    if (error.code === 'DB_CONFIG') {
      return new ApiError('unavailable', 'the database is not available', { cause: error });
    }
  }
  return new ApiError('internal', 'an unexpected error occurred; quote the requestId when reporting it', {
    cause: error,
  });
}

/** `app.onError`: a problem document; the cause (with its stack) goes to the log for 5xx only. */
export function handleError(error: Error, c: Context<ApiEnv>): Response {
  const services = c.get('services');
  const apiError = toApiError(error, services?.config.maxBodyBytes ?? 0);
  const requestId = c.get('requestId');
  if (apiError.status >= 500) {
    const cause = apiError.cause ?? error;
    services?.logger.error('request.failed', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: apiError.status,
      error:
        cause instanceof Error
          ? { name: cause.name, message: cause.message, stack: cause.stack }
          : String(cause),
    });
  }
  return problemResponse(apiError, c.req.path, requestId);
}
