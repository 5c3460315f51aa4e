// @vigil/api: the REST API (Hono + OpenAPI 3.1). Entry points (functions/api, the local stack) build the
// dependencies and call createApp.
export { type ApiApp, createApp } from './app.ts';
export { generateApiKey, hashApiKey, parseApiKey, redactApiKey } from './auth/api-keys.ts';
export { ensureBootstrapAdminKey } from './auth/authenticate.ts';
export type { Principal } from './auth/principal.ts';
export { createVigilClient, type VigilClient } from './client.ts';
export type { ApiEnv } from './http/env.ts';
export { parseLabelSelector } from './http/label-selector.ts';
export { createJsonLogger, silentLogger } from './http/logger.ts';
export { API_VERSION, openApiDocument } from './openapi/document.ts';
export { createRouter, defineRoute } from './routes/route-kit.ts';
export type { ApiConfig, ApiDeps, Logger, OidcConfig, ScanRequester, Scope } from './types.ts';
export { SCOPES } from './types.ts';
