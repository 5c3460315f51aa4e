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
    servers: [{ url: 'http://localhost:8787', description: 'Local stack (`npm start`)' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  }) as OpenAPIObject;
  cached = document;
  return structuredClone(document);
}
