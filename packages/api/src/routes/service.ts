import { z } from '@hono/zod-openapi';
import { pingDatabase } from '@vigil/db';
import { ApiError } from '../http/problem.ts';
import { createRouter, defineRoute } from './route-kit.ts';

const healthSchema = z
  .object({ status: z.literal('ok'), database: z.literal('ok') })
  .openapi('Health', { example: { status: 'ok', database: 'ok' } });

const health = defineRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  summary: 'Check that the API and its database answer',
  description: 'Unauthenticated. 503 when the database does not answer within two seconds.',
  tags: ['Service'],
  scope: null,
  errors: [503],
  responses: {
    200: {
      description: 'The API and its database answer.',
      content: { 'application/json': { schema: healthSchema } },
    },
  },
});

const describe = defineRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This API described as OpenAPI 3.1',
  tags: ['Service'],
  scope: null,
  responses: {
    200: {
      description: 'The OpenAPI 3.1 document (the same as `openapi/openapi.json` in the repository).',
      content: {
        'application/json': {
          schema: z
            .object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) })
            .catchall(z.unknown())
            .openapi({ example: { openapi: '3.1.0', info: { title: 'Vigil API', version: '1.0.0' } } }),
        },
      },
    },
  },
});

export function serviceRoutes() {
  return createRouter()
    .openapi(health, async (c) => {
      const { db } = c.var.services;
      try {
        await Promise.race([
          pingDatabase(db),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref()),
        ]);
      } catch (error) {
        throw new ApiError('unavailable', 'the database does not answer', { cause: error });
      }
      return c.json({ status: 'ok' as const, database: 'ok' as const }, 200);
    })
    .openapi(describe, (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(
        c.var.services.describe() as { openapi: string; info: { title: string; version: string } },
        200,
      );
    });
}
