import { createRoute, type Hook, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { authorize } from '../auth/authenticate.ts';
import type { ApiEnv } from '../http/env.ts';
import {
  ApiError,
  type InvalidParam,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  problemSchema,
} from '../http/problem.ts';
import type { Scope } from '../types.ts';

/**
 * The one way routes are written. A route module is a file in `routes/` exporting a function that builds an
 * `OpenAPIHono<ApiEnv>` with `createRouter()` and registers routes made by `defineRoute(...)`; it is added to
 * `ROUTE_MODULES` in `routes/index.ts` with one line. `defineRoute` gives every operation the same
 * authentication, scope check, rate limit, security requirement and documented problem responses.
 */

/** OpenAPI tags, in the order the reference lists them. */
export const TAGS = {
  Clusters: 'Registered clusters, their posture, permissions and scans',
  Scans: 'Scan runs: status, coverage, counts, durations',
  Findings: 'Findings across the fleet with their lifecycle, and exports',
  Fleet: 'Fleet-wide summaries and compliance',
  Checks: 'The check catalog and compliance frameworks',
  Exceptions: 'Accepted risks that suppress findings',
  'API keys': 'Credentials for scripts and portals',
  Notifications: 'Subscriptions of webhooks and ticketing systems to events, and their deliveries',
  Service: 'Health and the API description',
} as const;
export type Tag = keyof typeof TAGS;

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;

const ERROR_KIND: Record<ErrorStatus, keyof typeof PROBLEM_TYPES> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  500: 'internal',
  503: 'unavailable',
};

const ERROR_DETAIL: Record<ErrorStatus, string> = {
  400: 'the query parameter limit must be an integer from 1 to 500',
  401: 'a bearer token is required',
  403: 'this operation needs the admin scope',
  404: 'cluster 6f1c2d3e-0000-4000-8000-000000000000 does not exist',
  409: 'a cluster named prod-eu already exists',
  413: 'the request body is larger than 65536 bytes',
  415: 'send the body as application/json',
  429: 'rate limit of 600 requests per minute exceeded; retry after 2 seconds',
  500: 'an unexpected error occurred; quote the requestId when reporting it',
  503: 'the database is not reachable',
};

const ERROR_DESCRIPTION: Record<ErrorStatus, string> = {
  400: 'The request does not match the schema (unknown fields included), or a cursor or limit is invalid.',
  401: 'No bearer token, or one that is unknown, revoked, expired or malformed.',
  403: 'The credential lacks the scope this operation needs.',
  404: 'The object does not exist, or the credential may not see its cluster.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is larger than the configured limit.',
  415: 'The request body is not JSON.',
  429: 'The credential exceeded its rate limit; `Retry-After` says when to try again.',
  500: 'An unexpected error; the problem carries a request id, never a stack trace.',
  503: 'A dependency is unavailable.',
};

function problemResponse(status: ErrorStatus) {
  const kind = ERROR_KIND[status];
  const response = {
    description: ERROR_DESCRIPTION[status],
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: problemSchema,
        example: {
          type: `urn:vigil:problem:${kind}`,
          title: PROBLEM_TYPES[kind].title,
          status,
          detail: ERROR_DETAIL[status],
          instance: '/v1/clusters',
          requestId: '2b0a64c2-54b8-4a4c-a6c7-6a1f4c2f2b11',
        },
      },
    },
  };
  if (status === 429) {
    return {
      ...response,
      headers: z.object({
        'retry-after': z.string().openapi({ description: 'Seconds to wait', example: '2' }),
      }),
    };
  }
  return response;
}

export interface RouteSpec<P extends string> extends Omit<RouteConfig, 'path' | 'security' | 'middleware'> {
  path: P;
  operationId: string;
  summary: string;
  tags: [Tag];
  /** The scope the credential needs; null for the few public routes (health, the API description). */
  scope: Scope | null;
  /** Error statuses this operation can answer besides the ones every operation documents. */
  errors?: readonly ErrorStatus[];
}

/** Statuses every authenticated operation may answer; 400 whenever it takes input. */
function errorStatuses(spec: RouteSpec<string>): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(spec.errors ?? []);
  if (spec.scope !== null) for (const s of [401, 403, 429] as const) statuses.add(s);
  const request = spec.request;
  if (request?.query || request?.params || request?.body) statuses.add(400);
  // The body limit runs before routing, so any request with an oversized body gets 413, even a GET.
  statuses.add(413);
  if (request?.body) statuses.add(415);
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}

/** The security requirement of a scoped operation: an API key or an OIDC token holding the scope. */
export function securityFor(scope: Scope | null): Record<string, string[]>[] {
  return scope === null ? [] : [{ apiKey: [scope] }, { oidc: [scope] }];
}

/**
 * A route definition with Vigil's conventions applied: authentication + rate limit + scope check as route
 * middleware (so they run before request validation: 401/403 come before 400), and every error status
 * documented as `application/problem+json`.
 */
export function defineRoute<const P extends string, const R extends RouteSpec<P>>(spec: R) {
  const { scope, errors: _errors, ...config } = spec;
  const errors = Object.fromEntries(errorStatuses(spec).map((status) => [status, problemResponse(status)]));
  const middleware: MiddlewareHandler<ApiEnv> =
    scope === null ? async (_c, next) => next() : authorize(scope);
  return createRoute({
    ...config,
    security: securityFor(scope),
    middleware,
    responses: { ...errors, ...config.responses },
  }) as unknown as Omit<R, 'scope' | 'errors'> & {
    middleware: MiddlewareHandler<ApiEnv>;
    getRoutingPath(): string;
  };
}

/** Request validation failures as one 400 problem naming every bad field. */
export const validationHook: Hook<unknown, ApiEnv, string, undefined> = (result) => {
  if (result.success) return undefined;
  const where = result.target === 'json' ? 'body' : result.target === 'param' ? 'path' : result.target;
  const invalidParams: InvalidParam[] = result.error.issues.slice(0, 20).flatMap((issue) => {
    const path = issue.path.map(String);
    // An unknown key is reported on its parent; name the key itself.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      name: [where, ...path, ...(key === undefined ? [] : [key])].join('.'),
      reason: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
    }));
  });
  const first = invalidParams[0];
  throw new ApiError('bad-request', first ? `${first.name}: ${first.reason}` : `the ${where} is not valid`, {
    invalidParams,
  });
};

/** A router for one route module; request validation answers 400 problems. */
export function createRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
}
