import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { parseApiKey } from './auth/api-keys.ts';
import { createAuthenticator, ensureBootstrapAdminKey } from './auth/authenticate.ts';
import { createClusterDirectory } from './http/cluster-directory.ts';
import { mountDocsUi } from './http/docs-ui.ts';
import type { ApiEnv, Services } from './http/env.ts';
import { handleError } from './http/errors.ts';
import { createJsonLogger } from './http/logger.ts';
import { createMemo } from './http/memo.ts';
import { ApiError, problemResponse } from './http/problem.ts';
import { createRateLimiter } from './http/rate-limit.ts';
import { createRbacCache } from './http/rbac-cache.ts';
import { openApiDocument } from './openapi/document.ts';
import { type ApiSchema, mountRoutes } from './routes/index.ts';
import { validationHook } from './routes/route-kit.ts';
import type { ApiDeps } from './types.ts';

export type { ApiConfig, ApiDeps, Logger, OidcConfig, ScanRequester, Scope } from './types.ts';

/** The app type: `hc<ApiApp>` (see client.ts) gets typed calls for every route. */
export type ApiApp = OpenAPIHono<ApiEnv, ApiSchema>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The Vigil REST API as a Hono app. The same app runs on Node (`@hono/node-server`) and on Lambda
 * (`hono/aws-lambda`); nothing in it depends on which. Migrations are not applied here (a deploy step
 * does that); the bootstrap admin key, when configured, is stored in the background on creation and every
 * authenticated request waits for that to finish.
 */
export function createApp(deps: ApiDeps): ApiApp {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? createJsonLogger();
  const auth = createAuthenticator({
    db: deps.db,
    now,
    logger,
    oidc: deps.config.oidc,
    cacheMs: (deps.config.keyCacheSeconds ?? 5) * 1000,
  });
  // A malformed bootstrap key is a configuration error: refuse to start rather than run without it.
  if (deps.config.bootstrapAdminKey !== undefined && !parseApiKey(deps.config.bootstrapAdminKey)) {
    throw new Error(
      'VIGIL_BOOTSTRAP_ADMIN_KEY is not a Vigil API key (vgl_...); make one with `vigil keys generate`',
    );
  }
  const bootstrap = deps.config.bootstrapAdminKey
    ? ensureBootstrapAdminKey(deps.db, deps.config.bootstrapAdminKey, logger).then(
        () => undefined,
        (error: unknown) => logger.error('api_key.bootstrap_failed', { error: String(error) }),
      )
    : undefined;
  const services: Services = {
    db: deps.db,
    scans: deps.scans,
    ...(deps.notifications ? { notifications: deps.notifications } : {}),
    config: deps.config,
    now,
    logger,
    auth: bootstrap
      ? {
          authenticate: async (token) => {
            await bootstrap;
            return auth.authenticate(token);
          },
          forget: (keyId) => auth.forget(keyId),
        }
      : auth,
    rateLimiter: createRateLimiter({ requestsPerMinute: deps.config.rateLimit.requestsPerMinute }),
    describe: openApiDocument,
    clusterDirectory: createClusterDirectory(deps.db, now),
    rbacOf: createRbacCache(deps.db, now),
    fleetMemo: createMemo<unknown>({
      ttlMs: (deps.config.fleetCacheSeconds ?? 5) * 1000,
      now: () => now().getTime(),
    }) as Services['fleetMemo'],
  };

  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.use('*', async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    c.set('services', services);
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    c.header('x-content-type-options', 'nosniff');
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
    logger.info('request', {
      requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(c.get('principal') ? { principal: c.get('principal').label } : {}),
    });
  });
  if (deps.config.corsOrigins.length > 0) {
    app.use(
      '*',
      cors({
        origin: deps.config.corsOrigins,
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowHeaders: ['authorization', 'content-type', 'x-request-id'],
        exposeHeaders: ['x-request-id', 'retry-after'],
        maxAge: 600,
      }),
    );
  }
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.config.maxBodyBytes,
      onError: () => {
        throw new ApiError(
          'payload-too-large',
          `the request body is larger than ${deps.config.maxBodyBytes} bytes`,
        );
      },
    }),
  );
  mountRoutes(app);
  mountDocsUi(app);
  app.notFound((c) =>
    problemResponse(
      new ApiError('not-found', `no route ${c.req.method} ${c.req.path}`),
      c.req.path,
      c.get('requestId'),
    ),
  );
  app.onError(handleError);
  return app as unknown as ApiApp;
}
