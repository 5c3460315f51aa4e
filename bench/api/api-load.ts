/**
 * The REST API under load on real Postgres: 1,000 clusters, 1,000,000 findings and as many lifecycles
 * (bench/db's fixture), the API on @hono/node-server on loopback, and autocannon in a second process with 50
 * connections for ~10 s per route. Reports p50 / p99 latency and req/s per route, and throughput as a ratio
 * to a bare Hono route on the same server that returns a static JSON body of the same size (what the
 * framework and the network cost without the API's work). Targets: findings list p99 <= 50 ms, fleet
 * summary p99 <= 100 ms.
 *
 *   node bench/api/api-load.ts [--clusters 1000] [--per-cluster 1000] [--duration 10] [--connections 50]
 *     [--keep-db NAME]
 *
 * `--keep-db NAME` keeps the fixture in database NAME on the test server between runs: built (migrated and
 * populated) when it does not exist, migrated and reused otherwise, never dropped (drop it with `dropdb NAME`).
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp, silentLogger } from '@vigil/api';
import { closeDatabase } from '@vigil/db';
import { openTestDatabase } from '@vigil/db/testing';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { populate } from '../db/queries.ts';
import { cpuMs } from '../db/server-cpu.ts';
import { formatBytes, formatMs, machine, markdownTable } from '../lib/stats.ts';
import { keptDatabase, readKey } from './fixture.ts';
import type { LoadRequest, LoadResult } from './load-child.ts';

interface Options {
  clusters: number;
  perCluster: number;
  duration: number;
  connections: number;
  keepDb?: string;
}

function parse(argv: readonly string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    const n = i === -1 ? fallback : Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const keep = argv.indexOf('--keep-db');
  const keepDb = keep === -1 ? undefined : argv[keep + 1];
  if (keepDb !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(keepDb)) {
    throw new Error('--keep-db must be a lower-case database name');
  }
  return {
    clusters: value('clusters', 1000),
    perCluster: value('per-cluster', 1000),
    duration: value('duration', 10),
    connections: value('connections', 50),
    ...(keepDb ? { keepDb } : {}),
  };
}

function load(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'load-child.ts'), JSON.stringify(request)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult);
    });
  });
}

interface Target {
  name: string;
  path: string;
  token?: string;
  /** The static route whose req/s this one is compared with. */
  baseline?: string;
  p99LimitMs?: number;
}

export async function main(argv: string[] = []): Promise<string> {
  const o = parse(argv);
  const m = machine();
  const populateStarted = performance.now();
  const kept = o.keepDb
    ? await keptDatabase(o.keepDb, o).then((k) => ({ ...k, dispose: () => closeDatabase(k.db) }))
    : undefined;
  const handle = kept ?? (await openTestDatabase('postgres', { poolSize: 16 }));
  let server: ReturnType<typeof serve> | undefined;
  try {
    if (!kept) await populate(handle.db, { clusters: o.clusters, perCluster: o.perCluster });
    const populateMs = performance.now() - populateStarted;
    const admin = await readKey(handle.db, 'bench');
    const prodOnly = await readKey(handle.db, 'bench', { matchLabels: { env: 'prod' } });
    const app = createApp({
      db: handle.db,
      scans: {
        requestScan: () => Promise.reject(new Error('the bench triggers no scans')),
      },
      // The limiter is measured as part of every request; its budget is set out of the way.
      config: { corsOrigins: [], maxBodyBytes: 65_536, rateLimit: { requestsPerMinute: 100_000_000 } },
      logger: silentLogger,
    });
    // The same API computing fleet aggregates on every request, to show what the cache saves.
    const uncached = createApp({
      db: handle.db,
      scans: { requestScan: () => Promise.reject(new Error('the bench triggers no scans')) },
      config: {
        corsOrigins: [],
        maxBodyBytes: 65_536,
        rateLimit: { requestsPerMinute: 100_000_000 },
        fleetCacheSeconds: 0,
      },
      logger: silentLogger,
    });
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const bodyOf = async (path: string, token: string) => {
      const res = await app.request(path, { headers: auth(token) });
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
      return res.text();
    };
    const findingsBody = await bodyOf('/v1/findings', admin);
    const fleetBody = await bodyOf('/v1/fleet/summary', admin);
    // The baseline: a bare Hono app on the same server returning JSON of the same size, already serialised.
    const bare = new Hono();
    bare.get('/static/findings', (c) => c.body(findingsBody, 200, { 'content-type': 'application/json' }));
    bare.get('/static/fleet', (c) => c.body(fleetBody, 200, { 'content-type': 'application/json' }));
    server = serve({
      fetch: (request) => {
        const url = new URL(request.url);
        if (url.pathname.startsWith('/static/')) return bare.fetch(request);
        if (url.pathname.startsWith('/uncached/')) {
          url.pathname = url.pathname.slice('/uncached'.length);
          return uncached.fetch(new Request(url, request));
        }
        return app.fetch(request);
      },
      hostname: '127.0.0.1',
      port: 0,
    });
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const targets: Target[] = [
      { name: 'static JSON (findings-sized)', path: '/static/findings' },
      {
        name: 'GET /v1/findings',
        path: '/v1/findings',
        token: admin,
        baseline: '/static/findings',
        p99LimitMs: 50,
      },
      {
        name: 'GET /v1/findings?severity=critical&checkId=check-5',
        path: '/v1/findings?severity=critical&checkId=check-5',
        token: admin,
        baseline: '/static/findings',
        p99LimitMs: 50,
      },
      {
        name: 'GET /v1/findings (key limited to env=prod)',
        path: '/v1/findings',
        token: prodOnly,
        baseline: '/static/findings',
        p99LimitMs: 50,
      },
      { name: 'static JSON (fleet-summary-sized)', path: '/static/fleet' },
      {
        name: 'GET /v1/fleet/summary',
        path: '/v1/fleet/summary',
        token: admin,
        baseline: '/static/fleet',
        p99LimitMs: 100,
      },
      {
        name: 'GET /v1/fleet/summary, computed every time (fleetCacheSeconds 0)',
        path: '/uncached/v1/fleet/summary',
        token: admin,
        baseline: '/static/fleet',
      },
    ];
    const backends = async () => {
      const rows = (await handle.db.execute(
        sql`select pid from pg_stat_activity where datname = current_database()`,
      )) as unknown as { rows: { pid: number }[] };
      return rows.rows.map((r) => Number(r.pid));
    };
    const results = new Map<string, LoadResult>();
    const rows: string[][] = [];
    let missed = 0;
    for (const target of targets) {
      const headers = target.token ? auth(target.token) : undefined;
      // Warm-up: JIT, connection pool, plan caches.
      await load({ url: base + target.path, connections: 10, duration: 2, ...(headers ? { headers } : {}) });
      const pids = await backends();
      const serverCpu = process.cpuUsage();
      const postgresCpu = cpuMs(pids);
      const result = await load({
        url: base + target.path,
        connections: o.connections,
        duration: o.duration,
        ...(headers ? { headers } : {}),
      });
      const server = process.cpuUsage(serverCpu);
      const postgres = postgresCpu === null ? null : (cpuMs(pids) ?? postgresCpu) - postgresCpu;
      // CPU per request does not stretch with other work on the machine the way latency does.
      const perRequest = {
        server: (server.user + server.system) / 1000 / result.requests,
        postgres: postgres === null ? null : postgres / result.requests,
        generator: result.cpuMs / result.requests,
      };
      results.set(target.path + (target.token ?? ''), result);
      if (!target.baseline) results.set(target.path, result);
      const baseline = target.baseline ? results.get(target.baseline) : undefined;
      const bytes = target.path.includes('fleet') ? fleetBody.length : findingsBody.length;
      const ok = target.p99LimitMs === undefined || result.p99Ms <= target.p99LimitMs;
      if (!ok || result.non2xx > 0 || result.errors > 0) missed++;
      rows.push([
        target.name,
        formatBytes(bytes),
        result.requestsPerSecond.toFixed(0),
        formatMs(result.p50Ms),
        formatMs(result.p99Ms),
        target.p99LimitMs === undefined ? '' : `<= ${target.p99LimitMs} ms: ${ok ? 'yes' : 'NO'}`,
        baseline ? (result.requestsPerSecond / baseline.requestsPerSecond).toFixed(2) : '',
        String(result.non2xx + result.errors),
        `${perRequest.server.toFixed(2)} / ${perRequest.postgres === null ? '?' : perRequest.postgres.toFixed(2)} / ${perRequest.generator.toFixed(2)}`,
        perRequest.postgres === null
          ? ''
          : ((m.cpus * 1000) / (perRequest.server + perRequest.postgres + perRequest.generator)).toFixed(0),
      ]);
    }
    if (missed > 0) process.exitCode = 1;
    return [
      `${o.clusters.toLocaleString('en')} clusters, ${(o.clusters * o.perCluster).toLocaleString('en')} findings and as ` +
        `many lifecycles on Postgres (bench/db fixture, ${kept && !kept.fresh ? `kept in ${o.keepDb} from an earlier run` : `populated in ${formatMs(populateMs)}`}). The API runs on ` +
        `@hono/node-server on 127.0.0.1 (pool of 16 connections); autocannon runs in a second process with ` +
        `${o.connections} connections for ${o.duration} s per route after a 2 s warm-up. "vs static" is req/s ` +
        'divided by the req/s of a bare Hono route on the same server returning a pre-serialised JSON body of the ' +
        'same size. Every request is authenticated (API key lookup + SHA-256 + constant-time compare) and rate-limited.',
      `Machine: ${m.cpus} × ${m.cpuModel}, ${formatBytes(m.memoryBytes)}, Node ${m.node}, load ${m.loadAverage}. ` +
        'Server, load generator and Postgres share these cores.',
      '',
      markdownTable(
        [
          'route',
          'body',
          'req/s',
          'p50',
          'p99',
          'target',
          'vs static',
          'errors',
          'CPU ms/request: API / Postgres / autocannon',
          'req/s the CPU allows on idle cores',
        ],
        rows,
      ),
      '',
      'The last column divides the cores by the CPU one request costs in all three processes: the throughput ' +
        'this machine gives when nothing else runs on it (latency at 50 connections is then about 50 / req/s).',
      ...(missed > 0 ? ['', `${missed} route(s) missed their target or had errors.`] : []),
    ].join('\n');
  } finally {
    if (server) await new Promise((resolve) => server!.close(resolve));
    await handle.dispose();
  }
}

if (import.meta.main) {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`);
}
