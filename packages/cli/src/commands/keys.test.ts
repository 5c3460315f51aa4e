import { createApp, silentLogger } from '@vigil/api';
import { openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil } from '../testing.ts';

// `vigil migrate` and `vigil keys` against a real Postgres database named by DATABASE_URL, as a deploy step
// runs them (the embedded database goes through the same code; opening one on disk costs seconds).
let handle: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  handle = await openTestDatabase('postgres', { migrate: false });
  env = { DATABASE_URL: handle.url! };
});
afterAll(async () => {
  await handle?.dispose();
});

function appOver() {
  return createApp({
    db: handle.db,
    scans: { requestScan: async () => ({ runId: 'unused', slot: 'unused' }) },
    // Reads the key on every request, so a revocation by the CLI (another process) shows at once.
    config: {
      corsOrigins: [],
      maxBodyBytes: 65_536,
      rateLimit: { requestsPerMinute: 1000 },
      keyCacheSeconds: 0,
    },
    logger: silentLogger,
  });
}

describe('vigil migrate', () => {
  it('applies every migration once, then reports the database up to date', async () => {
    const status = await runVigil(['migrate', '--status'], { env });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/0 applied, \d+ pending/);
    const first = await runVigil(['migrate'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/applied 0000_initial, .*api_keys/);
    expect(first.stdout).not.toContain('postgres://');
    const second = await runVigil(['migrate'], { env });
    expect(second.stdout).toMatch(/up to date/);
    expect((await runVigil(['migrate', '--status'], { env })).code).toBe(0);
  });

  it('refuses a DATABASE_URL that is not a postgres URL, naming the variable but not its value', async () => {
    const res = await runVigil(['migrate'], { env: { DATABASE_URL: 'mysql://user:hunter2@db/x' } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('DATABASE_URL');
    expect(res.stderr).not.toContain('hunter2');
  });
});

describe('vigil keys', () => {
  it('creates the first admin key, shown once, that the API accepts', async () => {
    const created = await runVigil(['keys', 'create', '--scope', 'admin', '--name', 'bootstrap'], { env });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^vgl_[0-9A-Za-z]{8}_[0-9A-Za-z]{38}$/);
    expect(created.stderr).toContain('shown only now');
    const res = await appOver().request('/v1/api-keys', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const listed = await runVigil(['keys', 'list'], { env });
    expect(listed.stdout).toContain(`vgl_${token.slice(4, 12)}_…`);
    expect(listed.stdout).not.toContain(token.slice(13));
  });

  it('creates a read key limited to clusters by label, as JSON, and revokes it by key id', async () => {
    const created = await runVigil(
      [
        'keys',
        'create',
        '--scope',
        'read',
        '--cluster-selector',
        'env=prod,team in (a,b)',
        '--format',
        'json',
      ],
      { env },
    );
    const { token, apiKey } = JSON.parse(created.stdout) as {
      token: string;
      apiKey: { keyId: string; clusterSelector: unknown; scopes: string[] };
    };
    expect(apiKey.scopes).toEqual(['read']);
    expect(apiKey.clusterSelector).toEqual({
      matchLabels: { env: 'prod' },
      matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }],
    });
    const app = appOver();
    expect(
      (await app.request('/v1/clusters', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const revoked = await runVigil(['keys', 'revoke', apiKey.keyId], { env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(
      (await app.request('/v1/clusters', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
    expect((await runVigil(['keys', 'revoke', apiKey.keyId], { env })).code).toBe(2);
    const all = JSON.parse((await runVigil(['keys', 'list', '--all', '--format', 'json'], { env })).stdout);
    expect(
      all.items.some(
        (k: { keyId: string; revokedAt: string | null }) => k.keyId === apiKey.keyId && k.revokedAt,
      ),
    ).toBe(true);
  });

  it('refuses bad usage before touching the database', async () => {
    expect((await runVigil(['keys', 'create'], { env })).stderr).toContain('--scope is required');
    expect((await runVigil(['keys', 'create', '--scope', 'root'], { env })).code).toBe(2);
    expect(
      (await runVigil(['keys', 'create', '--scope', 'read', '--cluster-selector', 'env in (a'], { env }))
        .stderr,
    ).toContain('--cluster-selector');
    expect(
      (await runVigil(['keys', 'create', '--scope', 'read', '--expires', '2020-01-01T00:00:00Z'], { env }))
        .stderr,
    ).toContain('in the past');
    expect((await runVigil(['keys', 'rotate'], { env })).code).toBe(2);
  });

  it('generates a well-formed key without storing it, for VIGIL_BOOTSTRAP_ADMIN_KEY', async () => {
    const res = await runVigil(['keys', 'generate'], { env: {} });
    expect(res.stdout.trim()).toMatch(/^vgl_[0-9A-Za-z]{8}_[0-9A-Za-z]{38}$/);
  });

  it('asks for `vigil migrate` on a database that has not been migrated', async () => {
    const fresh = await openTestDatabase('postgres', { migrate: false });
    try {
      const res = await runVigil(['keys', 'list'], { env: { DATABASE_URL: fresh.url! } });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('run `vigil migrate` first');
      expect(res.stderr).not.toMatch(/^Usage: /m);
    } finally {
      await fresh.dispose();
    }
  });
});
