import {
  type ApiKeyCredential,
  type Database,
  ensureApiKey,
  findApiKeyCredential,
  touchApiKey,
} from '@vigil/db';
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../http/env.ts';
import { ApiError } from '../http/problem.ts';
import type { Logger, OidcConfig, Scope } from '../types.ts';
import { API_KEY_PREFIX, parseApiKey, sameHash } from './api-keys.ts';
import { createOidcVerifier, type OidcVerifier } from './oidc.ts';
import { hasScope, type Principal } from './principal.ts';

/** Turns a bearer token into a principal, or null when the token is not (or no longer) valid. */
export interface Authenticator {
  authenticate(token: string): Promise<Principal | null>;
  /** Drops what this instance remembers about a key (after it was revoked here). */
  forget(keyId: string): void;
}

const TOUCH_INTERVAL_MS = 60_000;
const MAX_TOKEN_LENGTH = 8192;

export function createAuthenticator(deps: {
  db: Database;
  now: () => Date;
  logger: Logger;
  oidc?: OidcConfig | undefined;
  /** How long a stored key (its hash, scopes, revocation) is reused before it is read again; 0: never. */
  cacheMs?: number;
  /** Test seam for the OIDC discovery fetch. */
  fetch?: typeof fetch;
}): Authenticator {
  const cacheMs = deps.cacheMs ?? 0;
  // Key rows by key id, briefly: one database round trip less per request. Only keys that exist are kept
  // (a stream of made-up key ids cannot fill it), the hash is still compared on every request, and a key
  // revoked through this instance is dropped at once; another instance sees it within `cacheMs`.
  const credentials = new Map<string, { at: number; value: Promise<ApiKeyCredential | null> }>();
  const lookup = (keyId: string): Promise<ApiKeyCredential | null> => {
    if (cacheMs <= 0) return findApiKeyCredential(deps.db, keyId);
    const at = deps.now().getTime();
    const hit = credentials.get(keyId);
    if (hit && at - hit.at < cacheMs && at >= hit.at) return hit.value;
    const value = findApiKeyCredential(deps.db, keyId);
    if (credentials.size >= 10_000) credentials.clear();
    credentials.set(keyId, { at, value });
    value.then(
      (found) => {
        if (!found && credentials.get(keyId)?.value === value) credentials.delete(keyId);
      },
      () => credentials.delete(keyId),
    );
    return value;
  };
  const verifyJwt: OidcVerifier | undefined = deps.oidc
    ? createOidcVerifier(deps.oidc, deps.fetch)
    : undefined;
  // last_used_at is bookkeeping: written at most once a minute per key so reads stay reads.
  const touched = new Map<string, number>();
  const touch = (id: string, now: Date) => {
    const last = touched.get(id);
    if (last !== undefined && now.getTime() - last < TOUCH_INTERVAL_MS) return;
    if (touched.size > 10_000) touched.clear();
    touched.set(id, now.getTime());
    touchApiKey(deps.db, id, now).catch((error: unknown) =>
      deps.logger.warn('api_key.touch_failed', { apiKeyId: id, error: String(error) }),
    );
  };

  async function authenticateKey(token: string): Promise<Principal | null> {
    const parsed = parseApiKey(token);
    if (!parsed) return null;
    const credential = await lookup(parsed.keyId);
    if (!credential || !sameHash(parsed.secretHash, credential.secretHash)) return null;
    const { record } = credential;
    const now = deps.now();
    if (record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= now)) return null;
    touch(record.id, now);
    return {
      kind: 'api-key',
      id: record.id,
      label: `key:${record.keyId}`,
      scopes: record.scopes,
      clusterSelector: record.clusterSelector,
    };
  }

  return {
    forget(keyId) {
      credentials.delete(keyId);
    },
    async authenticate(token) {
      if (token.length > MAX_TOKEN_LENGTH) return null;
      if (token.startsWith(API_KEY_PREFIX)) return authenticateKey(token);
      if (verifyJwt && token.split('.').length === 3) return verifyJwt(token);
      return null;
    },
  };
}

const CHALLENGE = 'Bearer realm="vigil"';

/**
 * Route middleware for every scoped operation: bearer token -> principal (401), per-credential rate limit
 * (429), scope (403). Runs before request validation. The 401 detail is the same for unknown, revoked,
 * expired and mistyped keys, so a caller learns nothing about which keys exist.
 */
export function authorize(scope: Scope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const { auth, rateLimiter, now } = c.var.services;
    const header = c.req.header('authorization');
    if (header === undefined) {
      throw new ApiError('unauthorized', 'a bearer token is required', {
        headers: { 'www-authenticate': CHALLENGE },
      });
    }
    const match = /^Bearer +([^\s]+) *$/i.exec(header);
    const principal = match ? await auth.authenticate(match[1]!) : null;
    if (!principal) {
      throw new ApiError('unauthorized', 'the bearer token is not valid', {
        headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
      });
    }
    c.set('principal', principal);
    const decision = rateLimiter.take(principal.label, now().getTime());
    if (!decision.allowed) {
      throw new ApiError(
        'too-many-requests',
        `rate limit exceeded; retry after ${decision.retryAfterSeconds} seconds`,
        { headers: { 'retry-after': String(decision.retryAfterSeconds) } },
      );
    }
    if (!hasScope(principal, scope)) {
      throw new ApiError('forbidden', `this operation needs the ${scope} scope`);
    }
    await next();
  };
}

/**
 * Makes `VIGIL_BOOTSTRAP_ADMIN_KEY` an admin key: stored (as its hash) on first start, left alone after.
 * A bootstrap key that an admin revoked stays revoked: restarting with the same value does not revive it.
 */
export async function ensureBootstrapAdminKey(
  db: Database,
  token: string,
  logger: Logger,
): Promise<{ created: boolean; usable: boolean }> {
  const parsed = parseApiKey(token);
  if (!parsed) {
    throw new Error(
      'VIGIL_BOOTSTRAP_ADMIN_KEY is not a Vigil API key (vgl_...); create one with `vigil keys generate`',
    );
  }
  const { credential, created } = await ensureApiKey(db, {
    keyId: parsed.keyId,
    secretHash: parsed.secretHash,
    name: 'bootstrap admin key',
    scopes: ['admin'],
    createdBy: 'bootstrap',
  });
  if (!sameHash(parsed.secretHash, credential.secretHash)) {
    throw new Error('VIGIL_BOOTSTRAP_ADMIN_KEY has the key id of another stored key; generate a new one');
  }
  const usable = credential.record.revokedAt === null;
  if (!usable) logger.warn('api_key.bootstrap_revoked', { keyId: parsed.keyId });
  else if (created) logger.info('api_key.bootstrap_created', { keyId: parsed.keyId });
  return { created, usable };
}
