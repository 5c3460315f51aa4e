import { z } from '@hono/zod-openapi';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from '@vigil/db';
import { generateApiKey } from '../auth/api-keys.ts';
import { requireUnrestricted } from '../auth/visibility.ts';
import { toApiKeyDto } from '../http/dto.ts';
import { badRequest, notFound } from '../http/problem.ts';
import {
  apiKeySchema,
  createdApiKeySchema,
  EXAMPLE_API_KEY,
  newApiKeySchema,
  pageQuery,
  pageSchema,
  uuidSchema,
} from '../openapi/schemas.ts';
import { createRouter, defineRoute } from './route-kit.ts';

const EXAMPLE_KEY_ID = '9a8b7c6d-0000-4000-8000-000000000002';
const apiKeyIdParams = z.strictObject({
  apiKeyId: uuidSchema.openapi({ param: { name: 'apiKeyId', in: 'path' }, example: EXAMPLE_KEY_ID }),
});

const ADMIN_ONLY = ' Needs the admin scope on a credential that may see every cluster.';

const create = defineRoute({
  method: 'post',
  path: '/v1/api-keys',
  operationId: 'createApiKey',
  summary: 'Create an API key',
  description: `The key is in this response only: it is stored as a hash and cannot be shown again.${ADMIN_ONLY}`,
  tags: ['API keys'],
  scope: 'admin',
  request: { body: { required: true, content: { 'application/json': { schema: newApiKeySchema } } } },
  responses: {
    201: {
      description: 'The key and its metadata.',
      headers: z.object({ location: z.string().openapi({ example: `/v1/api-keys/${EXAMPLE_KEY_ID}` }) }),
      content: { 'application/json': { schema: createdApiKeySchema } },
    },
  },
});

const list = defineRoute({
  method: 'get',
  path: '/v1/api-keys',
  operationId: 'listApiKeys',
  summary: 'List API keys',
  description: `Metadata only, never the keys. Revoked ones with \`includeRevoked=true\`.${ADMIN_ONLY}`,
  tags: ['API keys'],
  scope: 'admin',
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
      description: 'A page of keys.',
      content: { 'application/json': { schema: pageSchema(apiKeySchema, 'ApiKeyPage', EXAMPLE_API_KEY) } },
    },
  },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/api-keys/{apiKeyId}',
  operationId: 'getApiKey',
  summary: 'Get an API key',
  description: `Metadata only.${ADMIN_ONLY}`,
  tags: ['API keys'],
  scope: 'admin',
  errors: [404],
  request: { params: apiKeyIdParams },
  responses: { 200: { description: 'The key.', content: { 'application/json': { schema: apiKeySchema } } } },
});

const revoke = defineRoute({
  method: 'delete',
  path: '/v1/api-keys/{apiKeyId}',
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key',
  description: `Requests with it get 401 from now on.${ADMIN_ONLY}`,
  tags: ['API keys'],
  scope: 'admin',
  errors: [404],
  request: { params: apiKeyIdParams },
  responses: { 204: { description: 'Revoked.' } },
});

export function apiKeyRoutes() {
  return createRouter()
    .openapi(create, async (c) => {
      requireUnrestricted(c, 'API keys');
      const body = c.req.valid('json');
      const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt <= c.var.services.now()) {
        throw badRequest('body.expiresAt: must be in the future', [
          { name: 'body.expiresAt', reason: 'in the past' },
        ]);
      }
      const key = generateApiKey();
      const record = await createApiKey(c.var.services.db, {
        keyId: key.keyId,
        secretHash: key.secretHash,
        name: body.name,
        scopes: body.scopes,
        clusterSelector: body.clusterSelector ?? null,
        createdBy: c.var.principal.label,
        expiresAt,
      });
      c.header('location', `/v1/api-keys/${record.id}`);
      return c.json({ apiKey: toApiKeyDto(record), token: key.token }, 201);
    })
    .openapi(list, async (c) => {
      requireUnrestricted(c, 'API keys');
      const q = c.req.valid('query');
      const page = await listApiKeys(c.var.services.db, {
        includeRevoked: q.includeRevoked,
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({ items: page.items.map(toApiKeyDto), nextCursor: page.nextCursor }, 200);
    })
    .openapi(get, async (c) => {
      requireUnrestricted(c, 'API keys');
      const { apiKeyId } = c.req.valid('param');
      const key = await getApiKey(c.var.services.db, apiKeyId);
      if (!key) throw notFound('API key', apiKeyId);
      return c.json(toApiKeyDto(key), 200);
    })
    .openapi(revoke, async (c) => {
      requireUnrestricted(c, 'API keys');
      const { apiKeyId } = c.req.valid('param');
      const key = await getApiKey(c.var.services.db, apiKeyId);
      if (!key || !(await revokeApiKey(c.var.services.db, apiKeyId))) throw notFound('API key', apiKeyId);
      c.var.services.auth.forget(key.keyId);
      return c.body(null, 204);
    });
}
