import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { ApiError } from '../http/problem.ts';
import { type OidcConfig, SCOPES, type Scope } from '../types.ts';
import type { Principal } from './principal.ts';

/** Asymmetric algorithms only: a JWKS never holds an HMAC secret, and `none` is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Errors that mean "this token is not acceptable"; anything else (JWKS unreachable) is our problem. */
const TOKEN_ERRORS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

const discoverySchema = z.object({ jwks_uri: z.url() });

/**
 * The scopes a token's claim grants: `vigil:`-prefixed scope names, mapped values, and bare scope names
 * (`read`, `scan`, `admin`) only from the OAuth `scope` claim, which the authorization server issues for this
 * audience. From another claim such as `groups`, a group that happens to be called `admin` grants nothing
 * unless the scope map says so: group names are often created by people who should not grant Vigil admin.
 */
export function scopesFromClaims(payload: JWTPayload, config: OidcConfig): Scope[] {
  const claim = config.scopeClaim ?? 'scope';
  const bareNamesCount = claim === 'scope';
  const raw = payload[claim];
  const values =
    typeof raw === 'string'
      ? raw.split(/\s+/)
      : Array.isArray(raw)
        ? raw.filter((v): v is string => typeof v === 'string')
        : [];
  const scopes = new Set<Scope>();
  for (const value of values) {
    const prefixed = value.startsWith('vigil:');
    const bare = prefixed ? value.slice('vigil:'.length) : value;
    if ((prefixed || bareNamesCount) && (SCOPES as readonly string[]).includes(bare))
      scopes.add(bare as Scope);
    // Own entries only: a claim value such as `constructor` must not reach Object.prototype.
    if (config.scopeMap && Object.hasOwn(config.scopeMap, value)) {
      for (const mapped of config.scopeMap[value] ?? []) scopes.add(mapped);
    }
  }
  return [...scopes];
}

export type OidcVerifier = (token: string) => Promise<Principal | null>;

/**
 * Verifies OIDC access tokens (JWTs) against the issuer's JWKS: signature, `iss`, `aud`, `exp`/`nbf`.
 * The JWKS (and, without `jwksUrl`, the discovery document) is fetched on first use and cached by jose,
 * which refetches when a token names an unknown key id.
 */
export function createOidcVerifier(config: OidcConfig, fetchImpl: typeof fetch = fetch): OidcVerifier {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const resolveKeys = (): Promise<JWTVerifyGetKey> => {
    keys ??= (async () => {
      let jwksUrl = config.jwksUrl;
      if (!jwksUrl) {
        const url = `${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
        const response = await fetchImpl(url, { signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}`);
        jwksUrl = discoverySchema.parse(await response.json()).jwks_uri;
      }
      return createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000 });
    })();
    // A failed discovery is retried by the next request instead of failing every request forever.
    keys.catch(() => {
      keys = undefined;
    });
    return keys;
  };
  return async (token) => {
    let payload: JWTPayload;
    try {
      const getKey = await resolveKeys();
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ALGORITHMS,
        clockTolerance: config.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && TOKEN_ERRORS.has(code)) return null;
      throw new ApiError('unavailable', 'the identity provider cannot be reached to verify the token', {
        cause: error,
      });
    }
    const subject = String(payload.sub);
    return {
      kind: 'oidc',
      id: subject,
      label: `oidc:${subject.slice(0, 200)}`,
      scopes: scopesFromClaims(payload, config),
      clusterSelector: null,
    };
  };
}
