import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../http/env.ts';
import { accessRoutes } from './access.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { checkRoutes } from './checks.ts';
import { clusterRoutes } from './clusters.ts';
import { exceptionRoutes } from './exceptions.ts';
import { findingRoutes } from './findings.ts';
import { fleetRoutes } from './fleet.ts';
import { postureRoutes } from './posture.ts';
import { scanRoutes } from './scans.ts';
import { serviceRoutes } from './service.ts';
import { subscriptionRoutes } from './subscriptions.ts';

/**
 * Every route module, in the order the API reference lists them. Adding an area of the API is a new file
 * in this folder (see route-kit.ts) plus one line here.
 */
export const ROUTE_MODULES = [
  clusterRoutes,
  postureRoutes,
  accessRoutes,
  scanRoutes,
  findingRoutes,
  fleetRoutes,
  checkRoutes,
  exceptionRoutes,
  apiKeyRoutes,
  subscriptionRoutes,
  serviceRoutes,
] as const;

type SchemaOf<T> = T extends () => OpenAPIHono<ApiEnv, infer S> ? S : never;
type Intersect<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;

/** The typed schema of every route, for the RPC client. */
export type ApiSchema = Intersect<SchemaOf<(typeof ROUTE_MODULES)[number]>>;

/** Mounts every route module on `app` (their paths are absolute: `/v1/...`). */
export function mountRoutes(app: OpenAPIHono<ApiEnv>): void {
  for (const build of ROUTE_MODULES) app.route('/', build());
}
