/**
 * The OIDC settings as operators write them, `VIGIL_OIDC_*` environment variables, read the same way by the
 * deploy settings (infra/), the Lambda's configuration (functions/) and the local stack (`vigil serve`).
 * Imports nothing but zod and types, so infra/ can use it without loading the app.
 */
import { z } from 'zod';
import type { OidcConfig, Scope } from '../types.ts';

export type { OidcConfig };

export const SCOPE_MAP_FORMAT =
  'must be a JSON object mapping a claim value to a list of scopes among read, scan and admin, e.g. {"platform-security":["admin"],"auditors":["read"]}';

const scopeMapSchema = z.record(
  z.string().min(1),
  z.array(z.enum(['read', 'scan', 'admin'] as const satisfies readonly Scope[])).min(1),
);

/** JSON text checked entry by entry; a problem is reported as the expected format, never echoing the value. */
export const scopeMapJson = z.string().transform((text, ctx): Record<string, Scope[]> => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not JSON; ${SCOPE_MAP_FORMAT}` });
    return z.NEVER;
  }
  const result = scopeMapSchema.safeParse(value);
  if (!result.success) {
    ctx.addIssue({ code: 'custom', message: SCOPE_MAP_FORMAT });
    return z.NEVER;
  }
  return result.data;
});

const httpUrl = z.url({ protocol: /^https?$/ });

/** The variables, to spread into an environment schema. */
export const oidcEnvShape = {
  /** The issuer whose tokens are accepted next to the API keys (with VIGIL_OIDC_AUDIENCE). */
  VIGIL_OIDC_ISSUER: httpUrl.optional(),
  VIGIL_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** Absent: read from the issuer's discovery document. */
  VIGIL_OIDC_JWKS_URL: httpUrl.optional(),
  /** The claim carrying scopes or groups (default `scope`). */
  VIGIL_OIDC_SCOPE_CLAIM: z.string().min(1).optional(),
  /** Claim value -> scopes, e.g. {"platform-security":["admin"],"auditors":["read"]}. */
  VIGIL_OIDC_SCOPE_MAP: scopeMapJson.optional(),
};

export type OidcEnv = z.infer<z.ZodObject<typeof oidcEnvShape>>;

const EXTRAS = ['VIGIL_OIDC_JWKS_URL', 'VIGIL_OIDC_SCOPE_CLAIM', 'VIGIL_OIDC_SCOPE_MAP'] as const;

/**
 * The OIDC configuration the parsed variables describe (none without an issuer), or what is wrong with them:
 * issuer and audience go together, and the other variables mean nothing without them.
 */
export function oidcFromEnv(vars: OidcEnv): { oidc: OidcConfig | undefined } | { problem: string } {
  const { VIGIL_OIDC_ISSUER: issuer, VIGIL_OIDC_AUDIENCE: audience } = vars;
  if ((issuer === undefined) !== (audience === undefined)) {
    return { problem: 'VIGIL_OIDC_ISSUER and VIGIL_OIDC_AUDIENCE are set together' };
  }
  if (issuer === undefined || audience === undefined) {
    const extras = EXTRAS.filter((name) => vars[name] !== undefined);
    if (extras.length > 0) {
      return { problem: `${extras.join(', ')} need VIGIL_OIDC_ISSUER and VIGIL_OIDC_AUDIENCE` };
    }
    return { oidc: undefined };
  }
  return {
    oidc: {
      issuer,
      audience,
      ...(vars.VIGIL_OIDC_JWKS_URL ? { jwksUrl: vars.VIGIL_OIDC_JWKS_URL } : {}),
      ...(vars.VIGIL_OIDC_SCOPE_CLAIM ? { scopeClaim: vars.VIGIL_OIDC_SCOPE_CLAIM } : {}),
      ...(vars.VIGIL_OIDC_SCOPE_MAP ? { scopeMap: vars.VIGIL_OIDC_SCOPE_MAP } : {}),
    },
  };
}

/** The variables that describe `oidc` (what a deployment sets for the API function): oidcFromEnv's inverse. */
export function oidcToEnv(oidc: OidcConfig | undefined): Record<string, string> {
  if (!oidc) return {};
  return {
    VIGIL_OIDC_ISSUER: oidc.issuer,
    VIGIL_OIDC_AUDIENCE: oidc.audience,
    ...(oidc.jwksUrl ? { VIGIL_OIDC_JWKS_URL: oidc.jwksUrl } : {}),
    ...(oidc.scopeClaim ? { VIGIL_OIDC_SCOPE_CLAIM: oidc.scopeClaim } : {}),
    ...(oidc.scopeMap ? { VIGIL_OIDC_SCOPE_MAP: JSON.stringify(oidc.scopeMap) } : {}),
  };
}
