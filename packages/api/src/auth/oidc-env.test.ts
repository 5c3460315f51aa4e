import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { oidcEnvShape, oidcFromEnv, oidcToEnv } from './oidc-env.ts';

const parse = (env: Record<string, string>) => z.object(oidcEnvShape).parse(env);
const issuer = { VIGIL_OIDC_ISSUER: 'https://login.example.com/realms/ops', VIGIL_OIDC_AUDIENCE: 'vigil' };

describe('oidcFromEnv', () => {
  it('reads no OIDC configuration from no variables, and the whole one from all of them', () => {
    expect(oidcFromEnv(parse({}))).toEqual({ oidc: undefined });
    expect(
      oidcFromEnv(
        parse({
          ...issuer,
          VIGIL_OIDC_JWKS_URL: 'https://login.example.com/jwks',
          VIGIL_OIDC_SCOPE_CLAIM: 'groups',
          VIGIL_OIDC_SCOPE_MAP: '{"platform-security":["admin"]}',
        }),
      ),
    ).toEqual({
      oidc: {
        issuer: issuer.VIGIL_OIDC_ISSUER,
        audience: 'vigil',
        jwksUrl: 'https://login.example.com/jwks',
        scopeClaim: 'groups',
        scopeMap: { 'platform-security': ['admin'] },
      },
    });
  });

  it('names what is inconsistent: issuer without audience, extras without an issuer', () => {
    expect(oidcFromEnv(parse({ VIGIL_OIDC_ISSUER: issuer.VIGIL_OIDC_ISSUER }))).toEqual({
      problem: 'VIGIL_OIDC_ISSUER and VIGIL_OIDC_AUDIENCE are set together',
    });
    expect(
      oidcFromEnv(parse({ VIGIL_OIDC_SCOPE_CLAIM: 'groups', VIGIL_OIDC_SCOPE_MAP: '{"a":["read"]}' })),
    ).toEqual({
      problem: 'VIGIL_OIDC_SCOPE_CLAIM, VIGIL_OIDC_SCOPE_MAP need VIGIL_OIDC_ISSUER and VIGIL_OIDC_AUDIENCE',
    });
  });

  it('refuses an issuer that is not an http(s) URL and a scope map it cannot read, without echoing it', () => {
    expect(() => parse({ ...issuer, VIGIL_OIDC_ISSUER: 'javascript:alert(1)' })).toThrow();
    const result = z
      .object(oidcEnvShape)
      .safeParse({ ...issuer, VIGIL_OIDC_SCOPE_MAP: '{"secret":["root"]}' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('secret');
  });

  it('round-trips through oidcToEnv, the variables a deployment sets', () => {
    const env = {
      ...issuer,
      VIGIL_OIDC_SCOPE_CLAIM: 'groups',
      VIGIL_OIDC_SCOPE_MAP: '{"auditors":["read"]}',
    };
    const read = oidcFromEnv(parse(env));
    expect('oidc' in read && oidcToEnv(read.oidc)).toEqual(env);
    expect(oidcToEnv(undefined)).toEqual({});
  });
});
