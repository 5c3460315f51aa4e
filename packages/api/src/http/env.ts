import type { Database } from '@vigil/db';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import type { Authenticator } from '../auth/authenticate.ts';
import type { Principal } from '../auth/principal.ts';
import type { NotificationService } from '../routes/subscriptions.ts';
import type { ApiConfig, Logger, ScanRequester } from '../types.ts';
import type { ClusterDirectory } from './cluster-directory.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ClusterRbac } from './rbac-cache.ts';

/** What every request handler reaches through `c.var.services`. */
export interface Services {
  db: Database;
  scans: ScanRequester;
  /** Saving and testing notification subscriptions; absent: those routes answer 503. */
  notifications?: NotificationService;
  config: ApiConfig;
  now: () => Date;
  logger: Logger;
  auth: Authenticator;
  rateLimiter: RateLimiter;
  /** Live cluster names, cached for a few seconds (fleet lists and exports). */
  clusterDirectory: () => Promise<ClusterDirectory>;
  /** The RBAC index of a cluster's latest complete snapshot (cached briefly); null when none is stored. */
  rbacOf: (clusterId: string) => Promise<ClusterRbac | null>;
  /**
   * Fleet-wide aggregates (summary, compliance) computed at most once per `fleetCacheSeconds` per cluster set
   * and parameters; concurrent requests share one computation.
   */
  fleetMemo: <T>(key: string, compute: () => Promise<T>) => Promise<T>;
  /** The OpenAPI document, built once on first use. */
  describe: () => OpenAPIObject;
}

/** The Hono environment of the whole app: route modules use it as `OpenAPIHono<ApiEnv>`. */
export interface ApiEnv {
  Variables: {
    services: Services;
    requestId: string;
    /** Set by the authentication middleware on every `/v1` route. */
    principal: Principal;
    /** Per request memo of the clusters the principal may see (see `visibleClusterIds`). */
    visibleClusters: Promise<readonly string[] | null> | undefined;
  };
}
