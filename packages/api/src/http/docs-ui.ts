import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { ApiEnv } from './env.ts';
import { notFound } from './problem.ts';

/**
 * `/docs`: Swagger UI over `/openapi.json`, its assets read from the installed swagger-ui-dist package (no
 * CDN). The page loads only same-origin scripts (the initializer is a file, not inline), so the Content
 * Security Policy can forbid everything else. A bundled Lambda must ship swagger-ui-dist's files beside
 * the handler (infra copies the package), or /docs answers 404 while the API works.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Vigil API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="stylesheet" href="/docs/assets/index.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

let assetDir: string | undefined;
function swaggerUiDir(): string {
  assetDir ??= dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));
  return assetDir;
}

const cache = new Map<string, Promise<Uint8Array>>();

export function mountDocsUi(app: Hono<ApiEnv>): void {
  app.get('/docs', (c) => {
    c.header('content-security-policy', CSP);
    c.header('cache-control', 'no-cache');
    return c.html(PAGE);
  });
  app.get('/docs/init.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(INIT);
  });
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) throw notFound('asset', file);
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = readFile(join(swaggerUiDir(), file)).then((b) => new Uint8Array(b));
      cache.set(file, bytes);
      bytes.catch(() => cache.delete(file));
    }
    let body: Uint8Array;
    try {
      body = await bytes;
    } catch {
      throw notFound('asset', file);
    }
    c.header('content-type', type);
    c.header('cache-control', 'public, max-age=86400');
    return c.body(body as Uint8Array<ArrayBuffer>);
  });
}
