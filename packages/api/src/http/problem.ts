import { z } from '@hono/zod-openapi';

/**
 * Errors as RFC 9457 problem details (`application/problem+json`). `type` names the problem class with a
 * URN, so clients can switch on it without the API promising a documentation URL. Never carries a stack.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'The credential may not do this' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;
export type ProblemKind = keyof typeof PROBLEM_TYPES;

export const invalidParamSchema = z
  .object({
    /** Where: `query.limit`, `body.source.arn`, `path.clusterId`. */
    name: z.string(),
    reason: z.string(),
  })
  .openapi('InvalidParam');

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:vigil:problem:not-found' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    /** The request path; with `requestId` enough to find the server log line. */
    instance: z.string().optional(),
    requestId: z.string().optional(),
    /** 400 only: each field that failed validation. */
    invalidParams: z.array(invalidParamSchema).optional(),
  })
  .openapi('Problem', {
    description: 'RFC 9457 problem details.',
    example: {
      type: 'urn:vigil:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'cluster 6f1c2d3e-0000-4000-8000-000000000000 does not exist',
      instance: '/v1/clusters/6f1c2d3e-0000-4000-8000-000000000000',
      requestId: '2b0a64c2-54b8-4a4c-a6c7-6a1f4c2f2b11',
    },
  });
export type Problem = z.infer<typeof problemSchema>;
export type InvalidParam = z.infer<typeof invalidParamSchema>;

/** An error the API answers with a problem document; thrown from anywhere in a request. */
export class ApiError extends Error {
  readonly kind: ProblemKind;
  readonly status: number;
  readonly invalidParams: InvalidParam[] | undefined;
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;
  constructor(
    kind: ProblemKind,
    detail: string,
    options: { invalidParams?: InvalidParam[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.status = PROBLEM_TYPES[kind].status;
    this.invalidParams = options.invalidParams;
    this.headers = options.headers ?? {};
  }
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError('not-found', `${what} ${id} does not exist`);
}

export function badRequest(detail: string, invalidParams?: InvalidParam[]): ApiError {
  return new ApiError('bad-request', detail, invalidParams ? { invalidParams } : {});
}

/** The problem document of an error (no stack, no cause: those stay in the server log). */
export function problemOf(error: ApiError, instance: string, requestId: string | undefined): Problem {
  return {
    type: `urn:vigil:problem:${error.kind}`,
    title: PROBLEM_TYPES[error.kind].title,
    status: error.status,
    detail: error.message,
    instance,
    ...(requestId ? { requestId } : {}),
    ...(error.invalidParams ? { invalidParams: error.invalidParams } : {}),
  };
}

export function problemResponse(error: ApiError, instance: string, requestId: string | undefined): Response {
  return new Response(JSON.stringify(problemOf(error, instance, requestId)), {
    status: error.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...error.headers },
  });
}
