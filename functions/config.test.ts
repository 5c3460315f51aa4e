import { describe, expect, it } from 'vitest';
import { apiConfig, ConfigError, dispatchConfig, migrateConfig, scanConfig } from './config.ts';

const URL = 'postgres://vigil:s3cr3t-password@db.internal:5432/vigil?sslmode=verify-full';

describe('function configuration', () => {
  it('reads the scan function settings with their defaults', () => {
    expect(scanConfig({ DATABASE_URL: URL })).toEqual({
      database: { url: URL, poolSize: 2, statementTimeoutMs: 60_000 },
      maxReceiveCount: 5,
      reserveMs: 20_000,
      trustedAccountIds: [],
      saveSnapshots: true,
    });
    expect(
      scanConfig({
        DATABASE_URL: URL,
        VIGIL_SCAN_MAX_RECEIVES: '8',
        VIGIL_TRUSTED_ACCOUNT_IDS: '111122223333, 444455556666',
        VIGIL_SAVE_SNAPSHOTS: 'false',
      }),
    ).toMatchObject({
      maxReceiveCount: 8,
      trustedAccountIds: ['111122223333', '444455556666'],
      saveSnapshots: false,
    });
  });

  it('names a missing or malformed variable without echoing any value', () => {
    expect(() => scanConfig({})).toThrow(ConfigError);
    expect(() => scanConfig({})).toThrow(/DATABASE_URL/);
    const leaky = 'mysql://root:hunter2@db/x';
    let message = '';
    try {
      scanConfig({ DATABASE_URL: leaky, VIGIL_TRUSTED_ACCOUNT_IDS: 'abc' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(message).toMatch(/VIGIL_TRUSTED_ACCOUNT_IDS/);
    expect(message).not.toContain('hunter2');
  });

  it('needs the queue for the functions that send scan messages', () => {
    expect(() => dispatchConfig({ DATABASE_URL: URL })).toThrow(/VIGIL_SCAN_QUEUE_URL/);
    expect(
      dispatchConfig({
        DATABASE_URL: URL,
        VIGIL_SCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/scan',
        VIGIL_DISPATCH_SPREAD_SECONDS: '600',
      }),
    ).toMatchObject({ spreadSeconds: 600 });
    expect(() =>
      dispatchConfig({
        DATABASE_URL: URL,
        VIGIL_SCAN_QUEUE_URL: 'https://q',
        VIGIL_DISPATCH_SPREAD_SECONDS: '901',
      }),
    ).toThrow(/VIGIL_DISPATCH_SPREAD_SECONDS/);
  });

  it('builds the API configuration, OIDC only when issuer and audience are both given', () => {
    const base = { DATABASE_URL: URL, VIGIL_SCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/scan' };
    expect(apiConfig(base).api).toEqual({
      corsOrigins: [],
      maxBodyBytes: 1024 * 1024,
      rateLimit: { requestsPerMinute: 600 },
    });
    expect(
      apiConfig({
        ...base,
        VIGIL_CORS_ORIGINS: 'https://portal.example.com,https://ops.example.com',
        VIGIL_OIDC_ISSUER: 'https://login.example.com/realms/ops',
        VIGIL_OIDC_AUDIENCE: 'vigil',
      }).api,
    ).toMatchObject({
      corsOrigins: ['https://portal.example.com', 'https://ops.example.com'],
      oidc: { issuer: 'https://login.example.com/realms/ops', audience: 'vigil' },
    });
    expect(() => apiConfig({ ...base, VIGIL_OIDC_ISSUER: 'https://login.example.com' })).toThrow(/AUDIENCE/);
    expect(() => apiConfig({ ...base, VIGIL_CORS_ORIGINS: 'portal.example.com' })).toThrow(
      /VIGIL_CORS_ORIGINS/,
    );
  });

  it('reads the OIDC JWKS location, scope claim and scope map for the API', () => {
    const base = {
      DATABASE_URL: URL,
      VIGIL_SCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/scan',
      VIGIL_OIDC_ISSUER: 'https://login.example.com/realms/ops',
      VIGIL_OIDC_AUDIENCE: 'vigil',
    };
    expect(apiConfig(base).api.oidc).toEqual({
      issuer: 'https://login.example.com/realms/ops',
      audience: 'vigil',
    });
    expect(
      apiConfig({
        ...base,
        VIGIL_OIDC_JWKS_URL: 'https://login.example.com/realms/ops/certs',
        VIGIL_OIDC_SCOPE_CLAIM: 'groups',
        VIGIL_OIDC_SCOPE_MAP: '{"platform-security":["admin"],"auditors":["read","scan"]}',
      }).api.oidc,
    ).toEqual({
      issuer: 'https://login.example.com/realms/ops',
      audience: 'vigil',
      jwksUrl: 'https://login.example.com/realms/ops/certs',
      scopeClaim: 'groups',
      scopeMap: { 'platform-security': ['admin'], auditors: ['read', 'scan'] },
    });
    for (const bad of [
      '{"auditors":["read"]',
      'null',
      '["read"]',
      '{"auditors":"read"}',
      '{"auditors":["write"]}',
    ]) {
      expect(() => apiConfig({ ...base, VIGIL_OIDC_SCOPE_MAP: bad })).toThrow(
        /VIGIL_OIDC_SCOPE_MAP: .*must be a JSON object mapping a claim value to a list of scopes/,
      );
    }
    let message = '';
    try {
      apiConfig({ ...base, VIGIL_OIDC_SCOPE_MAP: '{"secret-group":["root"]}' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/VIGIL_OIDC_SCOPE_MAP/);
    expect(message).not.toContain('secret-group');
  });

  it('takes the bundled migrations folder for the migrate function', () => {
    expect(migrateConfig({ DATABASE_URL: URL, VIGIL_MIGRATIONS_DIR: '/var/task/migrations' })).toMatchObject({
      migrationsDir: '/var/task/migrations',
    });
  });
});
