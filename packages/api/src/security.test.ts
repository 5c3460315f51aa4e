import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { listFindings, schema } from '@vigil/db';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { RequestBodyObject } from 'openapi3-ts/oas31';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.ts';
import { formatApiKey, generateApiKey } from './auth/api-keys.ts';
import { memoryLogger, TEST_CONFIG, useTestApi } from './testing/api-fixture.ts';
import { schemaValues } from './testing/arbitrary.ts';
import {
  apiDocument,
  type CheckedResponse,
  contractClient,
  type Operation,
  operations,
} from './testing/contract.ts';
import { inProcessScanRequester, issueTestKey } from './testing/seed.ts';

// Spy on the comparison the authenticator must use (RELIABILITY 22: constant-time compare of hashes).
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const api = useTestApi('pglite');
const OPS = operations();
const V1 = OPS.filter((o) => o.path.startsWith('/v1/'));

/**
 * Hand-written valid bodies (the tests below check these are accepted). Operations without an entry get a
 * body generated from their schema in the document: structurally valid, which is all the strictness and
 * authentication tests need.
 */
const VALID_BODIES: Record<string, () => unknown> = {
  registerCluster: () => ({
    name: `sec-${Math.random().toString(36).slice(2, 10)}`,
    source: { type: 'kubeconfig', context: 'sec' },
    labels: { env: 'prod' },
  }),
  updateCluster: () => ({ enabled: true }),
  createException: () => ({ checks: ['cluster-admin'], reason: 'accepted for the security test' }),
  createApiKey: () => ({ name: 'security test', scopes: ['read'] }),
};

interface Target {
  clusterId: string;
  scanId: string;
  fingerprint: string;
}

let visible: Target;
let hidden: Target;
let exceptionId: string;
let apiKeyId: string;

beforeAll(async () => {
  const { fleet, handle, call, keys } = api();
  const fingerprintOf = async (clusterId: string) =>
    (await listFindings(handle.db, { clusterIds: [clusterId], limit: 1 })).items[0]!.fingerprint;
  visible = {
    clusterId: fleet.prodEu.id,
    scanId: fleet.prodEuRuns[1].runId,
    fingerprint: await fingerprintOf(fleet.prodEu.id),
  };
  hidden = {
    clusterId: fleet.staging.id,
    scanId: fleet.stagingRun.runId,
    fingerprint: await fingerprintOf(fleet.staging.id),
  };
  exceptionId = (
    (await call('post', '/v1/exceptions', { token: keys.admin, body: VALID_BODIES.createException!() }))
      .body as { id: string }
  ).id;
  apiKeyId = (await issueTestKey(handle.db, ['read'])).id;
});

/** A concrete request for an operation: path parameters filled from `target`, required query, a valid body. */
function requestFor(
  op: Operation,
  target: Target,
): { path: string; query: Record<string, string>; body?: unknown } {
  const values: Record<string, string> = {
    clusterId: target.clusterId,
    scanId: target.scanId,
    fingerprint: target.fingerprint,
    exceptionId,
    apiKeyId,
    checkId: 'cluster-admin',
  };
  // Ids of objects these tests do not create (e.g. another area's): a well-formed id that names nothing.
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? NO_SUCH_ID);
  const query: Record<string, string> = {};
  if (op.operation.operationId === 'whoCan') Object.assign(query, { verb: 'get', resource: 'pods' });
  const bodyFor = VALID_BODIES[op.operation.operationId!];
  if (bodyFor) return { path, query, body: bodyFor() };
  if (!op.operation.requestBody) return { path, query };
  return { path, query, body: generatedBody(op) };
}

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

function generatedBody(op: Operation): unknown {
  const schema = (op.operation.requestBody as RequestBodyObject).content['application/json']!.schema!;
  return fc.sample(schemaValues(apiDocument(), schema), { numRuns: 1, seed: 42 })[0];
}

const scopeOf = (op: Operation) =>
  Object.values(op.operation.security?.[0] ?? {})[0]?.[0] as string | undefined;
const isObjectRoute = (op: Operation) => /\{(clusterId|scanId)\}/.test(op.path);
/** Areas whose objects span the fleet: only credentials that see every cluster may use them. */
const FLEET_WIDE_TAGS = new Set(['Exceptions', 'API keys', 'Notifications']);
const isFleetWide = (op: Operation) => FLEET_WIDE_TAGS.has(op.operation.tags![0]!);
const isCatalog = (op: Operation) => op.operation.tags![0] === 'Checks';
const isList = (op: Operation) =>
  op.method === 'get' &&
  !op.path.includes('{') &&
  !isFleetWide(op) &&
  !isCatalog(op) &&
  op.path.startsWith('/v1/');

function expectProblem(res: CheckedResponse, status: number, where: string): void {
  expect(res.status, where).toBe(status);
  expect(res.contentType, where).toBe('application/problem+json');
  expect(res.body, where).toMatchObject({ status, type: expect.stringMatching(/^urn:vigil:problem:/) });
  expect(res.text, where).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
}

describe('object-level authorization (RELIABILITY 19)', () => {
  it('classifies every operation of the document, so a new route cannot skip these tests', () => {
    const unclassified = V1.filter(
      (op) =>
        !isObjectRoute(op) &&
        !isFleetWide(op) &&
        !isCatalog(op) &&
        !isList(op) &&
        op.operation.operationId !== 'registerCluster',
    );
    expect(unclassified.map((o) => o.operation.operationId)).toEqual([]);
    expect(V1.filter(isObjectRoute).length).toBeGreaterThanOrEqual(12);
  });

  it("answers 404 on every route for another cluster's objects, and serves them for the key's own clusters", async () => {
    const { call, keys } = api();
    for (const op of V1.filter(isObjectRoute)) {
      const where = `${op.method} ${op.path}`;
      const other = requestFor(op, hidden);
      expectProblem(
        await call(op.method, other.path, {
          token: keys.prodOnlyAdmin,
          query: other.query,
          body: other.body,
        }),
        404,
        where,
      );
      if (op.method === 'delete') continue;
      const own = requestFor(op, visible);
      const res = await call(op.method, own.path, {
        token: keys.prodOnlyAdmin,
        query: own.query,
        body: own.body,
      });
      expect(res.status, `${where} on a visible cluster`).toBeLessThan(300);
    }
  });

  it("never lists another cluster's rows, even when asked for them by id", async () => {
    const { call, keys, fleet } = api();
    // Fingerprints are not cluster-specific (the same binding in two clusters has the same one): ids are.
    const hiddenIds = [fleet.staging.id, fleet.stagingRun.runId];
    for (const op of V1.filter(isList)) {
      const where = `${op.method} ${op.path}`;
      const everything = await call('get', op.path, { token: keys.admin });
      const restricted = await call('get', op.path, { token: keys.prodOnlyAdmin });
      expect(restricted.status, where).toBe(200);
      for (const id of hiddenIds) expect(restricted.text, `${where} leaks ${id}`).not.toContain(id);
      // The same call with an unrestricted key does include the hidden cluster: the check is not vacuous.
      if (op.operation.operationId !== 'getFleetCompliance') {
        expect(
          hiddenIds.some((id) => everything.text.includes(id)),
          `${where} unrestricted`,
        ).toBe(true);
      }
      const asked = await call('get', op.path, {
        token: keys.prodOnlyAdmin,
        query: { clusterId: fleet.staging.id },
      });
      if (asked.status === 200)
        for (const id of hiddenIds) expect(asked.text, `${where}?clusterId`).not.toContain(id);
      else expect(asked.status, where).toBe(400);
    }
    const compliance = await call('get', '/v1/fleet/compliance', { token: keys.prodOnlyAdmin });
    expect((compliance.body as { clustersReporting: number }).clustersReporting).toBe(2);
  });

  it('refuses fleet-wide objects (exceptions, API keys) to a key limited to some clusters', async () => {
    const { call, keys } = api();
    for (const op of V1.filter(isFleetWide)) {
      const req = requestFor(op, visible);
      const res = await call(op.method, req.path, {
        token: keys.prodOnlyAdmin,
        query: req.query,
        body: req.body,
      });
      expectProblem(res, 403, `${op.method} ${op.path}`);
    }
  });

  it("refuses to register or relabel a cluster outside the key's selector", async () => {
    const { call, keys } = api();
    const outside = { name: 'outside', source: { type: 'kubeconfig', context: 'x' }, labels: { env: 'dev' } };
    expectProblem(
      await call('post', '/v1/clusters', { token: keys.prodOnlyAdmin, body: outside }),
      403,
      'register',
    );
    const relabel = await call('patch', `/v1/clusters/${visible.clusterId}`, {
      token: keys.prodOnlyAdmin,
      body: { labels: { env: 'dev' } },
    });
    expectProblem(relabel, 403, 'relabel');
  });
});

describe('strict request bodies (RELIABILITY 20)', () => {
  const bodyOps = () => V1.filter((op) => op.operation.requestBody);

  it('refuses unknown and server-owned fields on every operation that takes a body', async () => {
    const { call, keys } = api();
    expect(bodyOps().length).toBeGreaterThanOrEqual(Object.keys(VALID_BODIES).length);
    for (const op of bodyOps()) {
      for (const field of [
        'id',
        'status',
        'createdAt',
        'updatedAt',
        'revokedAt',
        'scope',
        'keyId',
        'deletedAt',
        'surprise',
      ]) {
        const req = requestFor(op, visible);
        const body = { ...(req.body as object), [field]: 'x' };
        const res = await call(op.method, req.path, { token: keys.admin, body });
        expectProblem(res, 400, `${op.operation.operationId} with ${field}`);
        expect((res.body as { invalidParams: { name: string }[] }).invalidParams).toContainEqual(
          expect.objectContaining({ name: `body.${field}` }),
        );
      }
    }
  });

  it('refuses unknown fields nested inside a body too', async () => {
    const { call, keys } = api();
    const res = await call('post', '/v1/clusters', {
      token: keys.admin,
      body: { name: 'nested', source: { type: 'kubeconfig', context: 'x', token: 'secret-token' } },
    });
    expectProblem(res, 400, 'nested');
    expect(res.text).not.toContain('secret-token');
  });

  it('accepts the valid bodies, and refuses malformed JSON (400) and other media types (415)', async () => {
    const { call, keys } = api();
    for (const op of bodyOps()) {
      const req = requestFor(op, visible);
      if (VALID_BODIES[op.operation.operationId!]) {
        const res = await call(op.method, req.path, { token: keys.admin, body: req.body });
        expect(res.status, op.operation.operationId).toBeLessThan(300);
      }
      expectProblem(
        await call(op.method, req.path, { token: keys.admin, rawBody: '{"name": ' }),
        400,
        'malformed',
      );
      const form = await call(op.method, req.path, {
        token: keys.admin,
        rawBody: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectProblem(form, 415, 'form');
    }
  });
});

describe('pagination, body size and errors (RELIABILITY 21)', () => {
  it('refuses a limit above the maximum (or below 1) and foreign or forged cursors on every paginated operation', async () => {
    const { call, keys } = api();
    const paginated = V1.filter((op) =>
      op.operation.parameters?.some((p) => 'name' in p && p.name === 'limit'),
    );
    expect(paginated.length).toBeGreaterThanOrEqual(7);
    const clusters = await call('get', '/v1/clusters', { token: keys.admin, query: { limit: 1 } });
    const foreignCursor = (clusters.body as { nextCursor: string }).nextCursor;
    for (const op of paginated) {
      const req = requestFor(op, visible);
      const where = op.operation.operationId!;
      for (const limit of ['501', '0', '-1', '2.5', 'ten']) {
        expectProblem(
          await call('get', req.path, { token: keys.admin, query: { ...req.query, limit } }),
          400,
          `${where} limit=${limit}`,
        );
      }
      // The largest limit is accepted (objects these tests did not create may still be 404).
      const largest = await call('get', req.path, {
        token: keys.admin,
        query: { ...req.query, limit: '500' },
      });
      expect(largest.status, where).not.toBe(400);
      expect([200, 404], where).toContain(largest.status);
      // A cursor is read once the listing's parent is found: only where these tests know its id.
      if (req.path.includes(NO_SUCH_ID)) continue;
      expectProblem(
        await call('get', req.path, { token: keys.admin, query: { ...req.query, cursor: 'not-a-cursor!' } }),
        400,
        where,
      );
      if (op.operation.operationId !== 'listClusters') {
        expectProblem(
          await call('get', req.path, { token: keys.admin, query: { ...req.query, cursor: foreignCursor } }),
          400,
          `${where} foreign cursor`,
        );
      }
    }
  });

  it('answers 413 to an oversized body on every operation that can carry one', async () => {
    const { call, keys } = api();
    const big = JSON.stringify({ name: 'x'.repeat(TEST_CONFIG.maxBodyBytes) });
    for (const op of V1.filter((o) => o.method !== 'get')) {
      const req = requestFor(op, visible);
      expectProblem(
        await call(op.method, req.path, { token: keys.admin, rawBody: big }),
        413,
        `${op.method} ${op.path}`,
      );
    }
  });

  it('answers unknown query parameters with 400', async () => {
    const { call, keys } = api();
    const res = await call('get', '/v1/findings', { token: keys.read, query: { severty: 'high' } });
    expectProblem(res, 400, 'typo');
    expect((res.body as { invalidParams: { name: string }[] }).invalidParams[0]?.name).toBe('query.severty');
  });

  it('answers an unexpected failure with a bare 500 problem and keeps the cause in the log only', async () => {
    const { handle } = api();
    const logger = memoryLogger();
    const failing = createApp({
      db: handle.db,
      config: TEST_CONFIG,
      logger,
      scans: {
        requestScan: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
        },
      },
    });
    const { token } = await issueTestKey(handle.db, ['scan']);
    const res = await contractClient(failing)('post', `/v1/clusters/${visible.clusterId}/scans`, { token });
    expectProblem(res, 500, 'failure');
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain('ECONNREFUSED');
    const requestId = (res.body as { requestId: string }).requestId;
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const logged = logger.lines.find((l) => l.event === 'request.failed');
    expect(logged?.fields).toMatchObject({ requestId, status: 500 });
    expect(JSON.stringify(logged?.fields)).toContain('ECONNREFUSED');
  });
});

describe('authentication and scopes (RELIABILITY 22)', () => {
  it('answers 401 on every operation without a key or with a malformed, unknown, wrong, revoked or expired one', async () => {
    const { call, handle, clock } = api();
    const real = await issueTestKey(handle.db, ['admin']);
    const wrongSecret = formatApiKey(real.keyId, 'A'.repeat(32));
    const revoked = await issueTestKey(handle.db, ['admin']);
    await call('delete', `/v1/api-keys/${revoked.id}`, { token: real.token });
    const expired = await issueTestKey(handle.db, ['admin'], {
      expiresAt: new Date(clock.now.getTime() - 1000),
    });
    const variants: Record<string, Record<string, string>> = {
      missing: {},
      'not bearer': { authorization: `Basic ${Buffer.from(`x:${real.token}`).toString('base64')}` },
      'empty bearer': { authorization: 'Bearer ' },
      unknown: { authorization: `Bearer ${generateApiKey().token}` },
      'wrong secret': { authorization: `Bearer ${wrongSecret}` },
      'bad checksum': {
        authorization: `Bearer ${real.token.slice(0, -1)}${real.token.endsWith('a') ? 'b' : 'a'}`,
      },
      revoked: { authorization: `Bearer ${revoked.token}` },
      expired: { authorization: `Bearer ${expired.token}` },
      'unverifiable JWT': { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
    };
    for (const op of V1) {
      const req = requestFor(op, visible);
      for (const [name, headers] of Object.entries(variants)) {
        const res = await call(op.method, req.path, { headers, query: req.query, body: req.body });
        expectProblem(res, 401, `${op.operation.operationId} with ${name} key`);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="vigil"/);
      }
    }
  });

  it('answers 403 on every operation when the key lacks the scope it needs', async () => {
    const { call, keys } = api();
    const weaker: Record<string, string[]> = { admin: [keys.read, keys.scan], scan: [keys.read], read: [] };
    let checked = 0;
    for (const op of V1) {
      const req = requestFor(op, visible);
      for (const token of weaker[scopeOf(op)!]!) {
        expectProblem(
          await call(op.method, req.path, { token, query: req.query, body: req.body }),
          403,
          op.operation.operationId!,
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('stores keys only as SHA-256 hashes: no column holds the key or its secret', async () => {
    const { call, keys, handle } = api();
    const res = await call('post', '/v1/api-keys', {
      token: keys.admin,
      body: { name: 'hash check', scopes: ['read'] },
    });
    const { token, apiKey } = res.body as { token: string; apiKey: { id: string } };
    const rows = await handle.db.select().from(schema.apiKeys);
    const row = rows.find((r) => r.id === apiKey.id)!;
    expect(Buffer.from(row.secretHash).toString('hex')).toBe(
      createHash('sha256').update(token).digest('hex'),
    );
    const secret = token.slice(13);
    for (const r of rows) {
      const text = JSON.stringify({ ...r, secretHash: Buffer.from(r.secretHash).toString('base64') });
      expect(text).not.toContain(secret);
      expect(text).not.toContain(token);
    }
  });

  it('compares the presented and stored hashes with crypto.timingSafeEqual', async () => {
    const { call, keys } = api();
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    expect((await call('get', '/v1/checks', { token: keys.read })).status).toBe(200);
    expect(spy).toHaveBeenCalled();
    const [a, b] = spy.mock.calls[0]!;
    expect((a as Uint8Array).byteLength).toBe(32);
    expect((b as Uint8Array).byteLength).toBe(32);
  });

  it('sees a key revoked elsewhere within keyCacheSeconds, and one revoked through itself at once', async () => {
    const { handle, keys } = api();
    const clock = { now: new Date('2026-11-26T12:00:00Z') };
    const instance = () =>
      contractClient(
        createApp({
          db: handle.db,
          scans: inProcessScanRequester(handle.db, () => clock.now),
          config: { ...TEST_CONFIG, keyCacheSeconds: 5 },
          now: () => clock.now,
          logger: memoryLogger(),
        }),
      );
    const a = instance();
    const b = instance();
    const key = await issueTestKey(handle.db, ['read']);
    expect((await a('get', '/v1/checks', { token: key.token })).status).toBe(200);
    expect((await b('get', '/v1/checks', { token: key.token })).status).toBe(200);
    expect((await b('delete', `/v1/api-keys/${key.id}`, { token: keys.admin })).status).toBe(204);
    expectProblem(await b('get', '/v1/checks', { token: key.token }), 401, 'the revoking instance');
    expect((await a('get', '/v1/checks', { token: key.token })).status).toBe(200);
    clock.now = new Date(clock.now.getTime() + 5000);
    expectProblem(await a('get', '/v1/checks', { token: key.token }), 401, 'another instance after 5 s');
  });

  it('limits each key to its rate and answers 429 with Retry-After, without slowing other keys', async () => {
    const { handle } = api();
    const limited = contractClient(
      createApp({
        db: handle.db,
        scans: inProcessScanRequester(handle.db, () => new Date()),
        config: { ...TEST_CONFIG, rateLimit: { requestsPerMinute: 2 } },
        logger: memoryLogger(),
      }),
    );
    const a = await issueTestKey(handle.db, ['read']);
    const b = await issueTestKey(handle.db, ['read']);
    expect((await limited('get', '/v1/checks', { token: a.token })).status).toBe(200);
    expect((await limited('get', '/v1/checks', { token: a.token })).status).toBe(200);
    const refused = await limited('get', '/v1/checks', { token: a.token });
    expectProblem(refused, 429, 'third');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await limited('get', '/v1/checks', { token: b.token })).status).toBe(200);
  });

  it('sends no CORS headers unless origins are configured, and only for those origins', async () => {
    const { app, handle, keys } = api();
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: 'https://portal.example.com', 'access-control-request-method': 'GET' },
    };
    const closed = await app.request('/v1/clusters', preflight);
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
    const open = createApp({
      db: handle.db,
      scans: inProcessScanRequester(handle.db, () => new Date()),
      config: { ...TEST_CONFIG, corsOrigins: ['https://portal.example.com'] },
      logger: memoryLogger(),
    });
    const allowed = await open.request('/v1/clusters', preflight);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
    const other = await open.request('/v1/clusters', {
      ...preflight,
      headers: { ...preflight.headers, origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    const get = await open.request('/v1/clusters', {
      headers: { origin: 'https://portal.example.com', authorization: `Bearer ${keys.read}` },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
  });

  it('refuses to start with a VIGIL_BOOTSTRAP_ADMIN_KEY that is not a Vigil key, without echoing it', () => {
    const { handle } = api();
    const start = () =>
      createApp({
        db: handle.db,
        scans: inProcessScanRequester(handle.db, () => new Date()),
        config: { ...TEST_CONFIG, bootstrapAdminKey: 'hunter2-not-a-key' },
        logger: memoryLogger(),
      });
    expect(start).toThrow(/VIGIL_BOOTSTRAP_ADMIN_KEY is not a Vigil API key/);
    expect(start).not.toThrow(/hunter2/);
  });

  it('makes VIGIL_BOOTSTRAP_ADMIN_KEY an admin key at start, stores it once, and never revives it once revoked', async () => {
    const { handle, keys } = api();
    const bootstrap = generateApiKey().token;
    const start = () =>
      contractClient(
        createApp({
          db: handle.db,
          scans: inProcessScanRequester(handle.db, () => new Date()),
          config: { ...TEST_CONFIG, bootstrapAdminKey: bootstrap },
          logger: memoryLogger(),
        }),
      );
    const first = start();
    const created = await first('post', '/v1/api-keys', {
      token: bootstrap,
      body: { name: 'portal', scopes: ['read'] },
    });
    expect(created.status).toBe(201);
    const second = start();
    expect((await second('get', '/v1/api-keys', { token: bootstrap, query: { limit: 500 } })).status).toBe(
      200,
    );
    const rows = (await handle.db.select().from(schema.apiKeys)).filter(
      (r) => r.keyId === bootstrap.slice(4, 12),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ scopes: ['admin'], createdBy: 'bootstrap' });
    await second('delete', `/v1/api-keys/${rows[0]!.id}`, { token: keys.admin });
    const third = start();
    expect((await third('get', '/v1/clusters', { token: bootstrap })).status).toBe(401);
  });
});

describe('OIDC bearer tokens', () => {
  let server: Server;
  let issuer: string;
  let sign: (
    claims: Record<string, unknown>,
    options?: { audience?: string; expiresIn?: string | number },
  ) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration')
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
      else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    issuer = `http://127.0.0.1:${address.port}`;
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuer(issuer)
        .setAudience(options.audience ?? 'vigil-api')
        .setSubject('alice@example.com')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('accepts tokens from the issuer (JWKS found by discovery) and maps their scope claim to scopes', async () => {
    const { handle } = api();
    const app = createApp({
      db: handle.db,
      scans: inProcessScanRequester(handle.db, () => new Date()),
      config: {
        ...TEST_CONFIG,
        oidc: {
          issuer,
          audience: 'vigil-api',
          scopeClaim: 'groups',
          scopeMap: { 'vigil-operators': ['scan'] },
        },
      },
      logger: memoryLogger(),
    });
    const call = contractClient(app);
    const reader = await sign({ groups: ['vigil:read', 'unrelated'] });
    expect((await call('get', '/v1/clusters', { token: reader })).status).toBe(200);
    expectProblem(
      await call('post', `/v1/clusters/${visible.clusterId}/scans`, { token: reader }),
      403,
      'reader scans',
    );
    const operator = await sign({ groups: ['vigil-operators'] });
    expect((await call('post', `/v1/clusters/${visible.clusterId}/scans`, { token: operator })).status).toBe(
      202,
    );
    expectProblem(
      await call('get', '/v1/clusters', { token: await sign({ groups: ['x'] }) }),
      403,
      'no scope',
    );
    // A group that is merely called `admin` grants nothing: from a claim other than `scope`, only
    // `vigil:`-prefixed names and the scope map count.
    expectProblem(
      await call('get', '/v1/clusters', { token: await sign({ groups: ['admin', 'read'] }) }),
      403,
      'bare scope names in groups',
    );
    expectProblem(
      await call('get', '/v1/clusters', {
        token: await sign({ groups: ['vigil:read'] }, { audience: 'other' }),
      }),
      401,
      'audience',
    );
    expectProblem(
      await call('get', '/v1/clusters', { token: await sign({ groups: ['vigil:read'] }, { expiresIn: 1 }) }),
      401,
      'expired',
    );
    const tampered = `${reader.slice(0, -4)}${reader.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expectProblem(await call('get', '/v1/clusters', { token: tampered }), 401, 'tampered');
  });

  it('accepts API keys next to OIDC tokens, a scope map and a JWKS location configured', async () => {
    const { handle, keys } = api();
    const app = createApp({
      db: handle.db,
      scans: inProcessScanRequester(handle.db, () => new Date()),
      config: {
        ...TEST_CONFIG,
        oidc: {
          issuer,
          audience: 'vigil-api',
          jwksUrl: `${issuer}/jwks`,
          scopeClaim: 'groups',
          scopeMap: { 'platform-security': ['admin'], auditors: ['read'] },
        },
      },
      logger: memoryLogger(),
    });
    const call = contractClient(app);
    // The app's own keys keep working with OIDC on, each with its own scopes.
    expect((await call('get', '/v1/clusters', { token: keys.read })).status).toBe(200);
    expectProblem(
      await call('post', `/v1/clusters/${visible.clusterId}/scans`, { token: keys.read }),
      403,
      'read key scans',
    );
    expect(
      (await call('post', `/v1/clusters/${visible.clusterId}/scans`, { token: keys.admin })).status,
    ).toBe(202);
    expectProblem(await call('get', '/v1/clusters', { token: `${keys.read}x` }), 401, 'wrong key');
    // Mapped claim values grant their scopes; an admin group includes scan and read.
    const auditor = await sign({ groups: ['auditors'] });
    expect((await call('get', '/v1/clusters', { token: auditor })).status).toBe(200);
    expectProblem(
      await call('post', `/v1/clusters/${visible.clusterId}/scans`, { token: auditor }),
      403,
      'auditor scans',
    );
    const security = await sign({ groups: ['platform-security'] });
    expect((await call('post', `/v1/clusters/${visible.clusterId}/scans`, { token: security })).status).toBe(
      202,
    );
    // Claim values naming Object members are no entries of the map (no 500, no scope).
    expectProblem(
      await call('get', '/v1/clusters', { token: await sign({ groups: ['constructor', 'toString'] }) }),
      403,
      'prototype names',
    );
  });
});
