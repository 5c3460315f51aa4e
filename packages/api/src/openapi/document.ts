import { OpenAPIHono } from '@hono/zod-openapi';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import type { ApiEnv } from '../http/env.ts';
import { mountRoutes } from '../routes/index.ts';
import { TAGS } from '../routes/route-kit.ts';
import { API_VERSION } from './version.ts';

export { API_VERSION } from './version.ts';

const DESCRIPTION = `Vigil audits a fleet of Kubernetes clusters for who can do what (RBAC), who is mapped in from
outside (EKS access entries, aws-auth, OIDC) and how the control plane protects data. This API serves
portals, scripts and compliance reports.

**Authentication.** Every \`/v1\` operation takes a bearer token: a Vigil API key (\`vgl_...\`, created with
\`vigil keys create\` or \`POST /v1/api-keys\`) or, when configured, an OIDC access token whose claims map to
scopes. Scopes: \`read\` < \`scan\` (trigger scans) < \`admin\` (register clusters, exceptions, keys). A key
may be limited to clusters matching a label selector: other clusters' objects then answer 404 and never
appear in lists.

**Errors** are \`application/problem+json\` (RFC 9457). **Lists** are keyset-paginated: pass \`nextCursor\`
back as \`cursor\`; \`limit\` is 1-500 (default 50). **Request bodies** are strict: unknown fields are
refused with 400. **Rate limits** are per credential; 429 carries \`Retry-After\`.`;

let cached: OpenAPIObject | undefined;

/**
 * zod-to-openapi writes a nullable reference as `allOf: [{ $ref }, { type: [T, 'null'] }]`, which JSON
 * Schema reads as "the referenced schema AND (T or null)": null never validates. This rewrites it as
 * `anyOf: [{ $ref }, { type: 'null' }]`, keeping annotations such as `description`.
 */
export function fixNullableRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fixNullableRefs);
  if (!node || typeof node !== 'object') return node;
  const object = Object.fromEntries(
    Object.entries(node as Record<string, unknown>).map(([key, value]) => [key, fixNullableRefs(value)]),
  );
  const { allOf, ...rest } = object as { allOf?: unknown };
  if (Array.isArray(allOf) && allOf.length === 2) {
    const ref = allOf.find((part) => typeof (part as { $ref?: unknown }).$ref === 'string');
    const nullable = allOf.find((part) => {
      const keys = Object.keys(part as object);
      const type = (part as { type?: unknown }).type;
      return keys.length === 1 && Array.isArray(type) && type.includes('null');
    });
    if (ref && nullable) return { ...rest, anyOf: [ref, { type: 'null' }] };
  }
  return object;
}

/** The OpenAPI 3.1 document of every route (committed as openapi/openapi.json by scripts/gen-openapi.ts). */
export function openApiDocument(): OpenAPIObject {
  if (cached) return structuredClone(cached);
  const app = new OpenAPIHono<ApiEnv>();
  mountRoutes(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'vgl_<key id>_<secret>',
    description: 'A Vigil API key as a bearer token. The security requirement lists the scope needed.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'oidc', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An OIDC access token from the configured issuer (when the deployment enables OIDC); its scope claim ' +
      'maps to Vigil scopes.',
  });
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Vigil API',
      version: API_VERSION,
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    // Relative: the API is served where the document is (http://localhost:8787 for `npm start`).
    servers: [{ url: '/', description: 'The host that serves this document' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  }) as OpenAPIObject;
  // Webhooks are keyed by event type; the registry writes them as paths (`/finding.opened`).
  if (document.webhooks) {
    document.webhooks = Object.fromEntries(
      Object.entries(document.webhooks).map(([name, item]) => [name.replace(/^\//, ''), item]),
    );
  }
  cached = fixNullableRefs(document) as OpenAPIObject;
  return structuredClone(cached);
}
