import type { Database } from '@vigil/db';
import type { NotificationService } from './routes/subscriptions.ts';

/** What a credential may do. `admin` includes `scan`, which includes `read`. */
export const SCOPES = ['read', 'scan', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The port the API triggers scans through. packages/jobs implements it by creating (or reusing) the queued
 * run for a manual slot and sending the scan message through the queue.
 */
export interface ScanRequester {
  requestScan(input: { clusterId: string; requestedBy: string }): Promise<{ runId: string; slot: string }>;
}

export interface OidcConfig {
  /** Expected `iss` claim, e.g. `https://login.example.com/realms/ops`. */
  issuer: string;
  /** Expected `aud` claim. */
  audience: string;
  /** JWKS location; absent: read from `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string;
  /** Claim that carries scopes (a space-separated string or an array); default `scope`. */
  scopeClaim?: string;
  /**
   * Claim value -> Vigil scopes, e.g. `{ "vigil-admins": ["admin"] }`. Without an entry, `vigil:read`...
   * grant their scope from any claim, bare `read`, `scan`, `admin` only from the `scope` claim.
   */
  scopeMap?: Record<string, Scope[]>;
  /** Accepted clock skew for `exp`/`nbf`, seconds (default 30). */
  clockToleranceSeconds?: number;
}

/** Parsed by the entry point from its environment (one validated config module); see `apiConfigFromEnv`. */
export interface ApiConfig {
  /** Origins allowed to call the API from a browser; empty = CORS off (no CORS headers at all). */
  corsOrigins: string[];
  /** Largest request body accepted; larger ones get 413. */
  maxBodyBytes: number;
  /**
   * Per credential. In-memory token buckets: on Node one process holds them all; on Lambda each instance
   * holds its own, so the fleet-wide limit is API Gateway's throttling.
   */
  rateLimit: { requestsPerMinute: number };
  oidc?: OidcConfig;
  /**
   * Seconds a stored API key is reused by this instance before it is read again (default 5; 0 reads it on
   * every request). Revoking through the API takes effect at once on the instance that revoked; on other
   * instances (other Lambdas, `vigil keys revoke`) within this time.
   */
  keyCacheSeconds?: number;
  /**
   * Seconds a fleet-wide aggregate (`/v1/fleet/summary`, `/v1/fleet/compliance`) is reused for the same
   * cluster set and parameters (default 5; 0: computed on every request). Runs are recorded minutes apart;
   * a dashboard polled by many people costs one computation per interval.
   */
  fleetCacheSeconds?: number;
  /** VIGIL_BOOTSTRAP_ADMIN_KEY: a Vigil API key (`vgl_...`) that becomes an admin key at start. */
  bootstrapAdminKey?: string;
}

/** Structured JSON logs; callers pass facts, never secrets (tokens, keys, cluster credentials). */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export interface ApiDeps {
  db: Database;
  scans: ScanRequester;
  /** The notifier's subscription service (packages/jobs `createSubscriptionService`); absent: 503. */
  notifications?: NotificationService;
  config: ApiConfig;
  now?: () => Date;
  logger?: Logger;
}
