import { describe, expect, it } from 'vitest';
import { localStackConfig } from './config.ts';
import { UsageError } from './errors.ts';

const ISSUER = 'https://login.example.com/realms/ops';

describe('localStackConfig', () => {
  it('reads the local stack settings with their defaults, without OIDC', () => {
    const config = localStackConfig({});
    expect(config).toMatchObject({
      port: 8787,
      dataDir: '.vigil',
      corsOrigins: [],
      dispatchIntervalMs: 60_000,
      logToStderr: false,
      secretsKeyFile: '.vigil/secrets.key',
      retentionDays: 400,
    });
    expect(config.oidc).toBeUndefined();
  });

  it('accepts OIDC tokens of an identity provider next to the API keys, claims mapped to scopes', () => {
    expect(localStackConfig({ VIGIL_OIDC_ISSUER: ISSUER, VIGIL_OIDC_AUDIENCE: 'vigil' }).oidc).toEqual({
      issuer: ISSUER,
      audience: 'vigil',
    });
    expect(
      localStackConfig({
        VIGIL_OIDC_ISSUER: ISSUER,
        VIGIL_OIDC_AUDIENCE: 'vigil',
        VIGIL_OIDC_JWKS_URL: `${ISSUER}/protocol/openid-connect/certs`,
        VIGIL_OIDC_SCOPE_CLAIM: 'groups',
        VIGIL_OIDC_SCOPE_MAP: '{"platform-security":["admin"],"auditors":["read"]}',
      }).oidc,
    ).toEqual({
      issuer: ISSUER,
      audience: 'vigil',
      jwksUrl: `${ISSUER}/protocol/openid-connect/certs`,
      scopeClaim: 'groups',
      scopeMap: { 'platform-security': ['admin'], auditors: ['read'] },
    });
  });

  it('refuses OIDC settings that cannot work, naming the variable', () => {
    const oidc = { VIGIL_OIDC_ISSUER: ISSUER, VIGIL_OIDC_AUDIENCE: 'vigil' };
    expect(() => localStackConfig({ VIGIL_OIDC_ISSUER: ISSUER })).toThrow(UsageError);
    expect(() => localStackConfig({ VIGIL_OIDC_AUDIENCE: 'vigil' })).toThrow(
      /VIGIL_OIDC_ISSUER and VIGIL_OIDC_AUDIENCE are set together/,
    );
    expect(() => localStackConfig({ VIGIL_OIDC_SCOPE_CLAIM: 'groups' })).toThrow(
      /VIGIL_OIDC_SCOPE_CLAIM need VIGIL_OIDC_ISSUER/,
    );
    expect(() => localStackConfig({ ...oidc, VIGIL_OIDC_ISSUER: 'not a url' })).toThrow(/VIGIL_OIDC_ISSUER/);
    expect(() => localStackConfig({ ...oidc, VIGIL_OIDC_JWKS_URL: 'ftp://x/jwks' })).toThrow(
      /VIGIL_OIDC_JWKS_URL/,
    );
    for (const bad of [
      '{"auditors":["read"]',
      'null',
      '["read"]',
      '{"auditors":"read"}',
      '{"auditors":["write"]}',
      '{"auditors":[]}',
    ]) {
      expect(() => localStackConfig({ ...oidc, VIGIL_OIDC_SCOPE_MAP: bad })).toThrow(
        /VIGIL_OIDC_SCOPE_MAP: .*must be a JSON object mapping a claim value to a list of scopes/,
      );
    }
  });
});
