import { z } from '@hono/zod-openapi';
import { createException, getException, listExceptions, revokeException } from '@vigil/db';
import { requireUnrestricted } from '../auth/visibility.ts';
import { toExceptionDto } from '../http/dto.ts';
import { notFound } from '../http/problem.ts';
import {
  EXAMPLE_EXCEPTION,
  exceptionSchema,
  newExceptionSchema,
  pageQuery,
  pageSchema,
  uuidSchema,
} from '../openapi/schemas.ts';
import { createRouter, defineRoute } from './route-kit.ts';

const EXAMPLE_EXCEPTION_ID = '5c6d7e8f-0000-4000-8000-000000000001';
const exceptionIdParams = z.strictObject({
  exceptionId: uuidSchema.openapi({
    param: { name: 'exceptionId', in: 'path' },
    example: EXAMPLE_EXCEPTION_ID,
  }),
});

const FLEET_WIDE =
  ' Exceptions apply across the fleet (by cluster label selector), so a credential limited to some clusters ' +
  'gets 403.';

const create = defineRoute({
  method: 'post',
  path: '/v1/exceptions',
  operationId: 'createException',
  summary: 'Accept a risk',
  description:
    'Findings the exception matches (checks, optionally a subject and a resource, on the clusters its ' +
    'selector picks) are reported as suppressed from the next scan on, until it expires or is revoked.' +
    FLEET_WIDE,
  tags: ['Exceptions'],
  scope: 'admin',
  request: { body: { required: true, content: { 'application/json': { schema: newExceptionSchema } } } },
  responses: {
    201: {
      description: 'The exception.',
      headers: z.object({
        location: z.string().openapi({ example: `/v1/exceptions/${EXAMPLE_EXCEPTION_ID}` }),
      }),
      content: { 'application/json': { schema: exceptionSchema } },
    },
  },
});

const list = defineRoute({
  method: 'get',
  path: '/v1/exceptions',
  operationId: 'listExceptions',
  summary: 'List exceptions',
  description: `Oldest first; revoked ones only with \`includeRevoked=true\`.${FLEET_WIDE}`,
  tags: ['Exceptions'],
  scope: 'read',
  request: {
    query: z.strictObject({
      includeRevoked: z
        .enum(['true', 'false'])
        .optional()
        .transform((v) => v === 'true')
        .openapi({ example: 'false' }),
      ...pageQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of exceptions.',
      content: {
        'application/json': { schema: pageSchema(exceptionSchema, 'ExceptionPage', EXAMPLE_EXCEPTION) },
      },
    },
  },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/exceptions/{exceptionId}',
  operationId: 'getException',
  summary: 'Get an exception',
  description: `Revoked ones too (a suppressed finding points at its exception).${FLEET_WIDE}`,
  tags: ['Exceptions'],
  scope: 'read',
  errors: [404],
  request: { params: exceptionIdParams },
  responses: {
    200: { description: 'The exception.', content: { 'application/json': { schema: exceptionSchema } } },
  },
});

const revoke = defineRoute({
  method: 'delete',
  path: '/v1/exceptions/{exceptionId}',
  operationId: 'deleteException',
  summary: 'Revoke an exception',
  description: `It stops applying from the next scan on and stays stored for the record.${FLEET_WIDE}`,
  tags: ['Exceptions'],
  scope: 'admin',
  errors: [404],
  request: { params: exceptionIdParams },
  responses: { 204: { description: 'Revoked.' } },
});

export function exceptionRoutes() {
  return createRouter()
    .openapi(create, async (c) => {
      requireUnrestricted(c, 'exceptions');
      const body = c.req.valid('json');
      const exception = await createException(c.var.services.db, {
        checks: body.checks,
        reason: body.reason,
        ...(body.clusterSelector ? { clusterSelector: body.clusterSelector } : {}),
        ...(body.subject ? { subject: body.subject } : {}),
        ...(body.resource ? { resource: body.resource } : {}),
        ...(body.owner ? { owner: body.owner } : {}),
        ...(body.expiresAt ? { expiresAt: new Date(body.expiresAt) } : {}),
      });
      c.header('location', `/v1/exceptions/${exception.id}`);
      return c.json(toExceptionDto(exception), 201);
    })
    .openapi(list, async (c) => {
      requireUnrestricted(c, 'exceptions');
      const q = c.req.valid('query');
      const page = await listExceptions(c.var.services.db, {
        includeRevoked: q.includeRevoked,
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({ items: page.items.map(toExceptionDto), nextCursor: page.nextCursor }, 200);
    })
    .openapi(get, async (c) => {
      requireUnrestricted(c, 'exceptions');
      const { exceptionId } = c.req.valid('param');
      const exception = await getException(c.var.services.db, exceptionId);
      if (!exception) throw notFound('exception', exceptionId);
      return c.json(toExceptionDto(exception), 200);
    })
    .openapi(revoke, async (c) => {
      requireUnrestricted(c, 'exceptions');
      const { exceptionId } = c.req.valid('param');
      if (!(await revokeException(c.var.services.db, exceptionId))) throw notFound('exception', exceptionId);
      return c.body(null, 204);
    });
}
