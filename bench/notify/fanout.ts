/**
 * 10,000 events to 5 endpoints, one of them slow (2 s per response): the whole notification path for real —
 * outbox rows, fan-out to deliveries, the notify queue on the local SQS server, the notify handler behind a
 * Lambda-like poller, signed generic deliveries over loopback HTTP. Reports throughput and when each fast
 * endpoint had all its events, against a run with the four fast endpoints only: the slow one must not delay
 * the others (it is bounded by the per-host limit, and its attempts hold only that many invocations).
 *
 *   npm run bench -- notify [--events 10000] [--slow-ms 2000] [--engine postgres|pglite]
 *                          [--concurrency 16] [--per-host 4]
 *
 * The slow endpoint's own backlog (events / per-host limit × 2 s) is not waited for: the run ends when the
 * fast endpoints have everything, and reports how far the slow one got by then.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertOutboxEvents, type NewOutboxEvent } from '@vigil/db';
import { createTestCluster, openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import {
  createSubscriptionService,
  type NotifyDeps,
  SqsNotifyQueue,
  silentLogger,
  startLocalNotifier,
  startLocalSqs,
} from '@vigil/jobs';
import { createHttpClient, openLocalEncryptor, parseAllowCidrs, systemResolver } from '@vigil/notify';
import { formatMs, machine, markdownTable } from '../lib/stats.ts';

interface Options {
  events: number;
  slowMs: number;
  engine: 'postgres' | 'pglite';
  concurrency: number;
  perHost: number;
  batch: number;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i === -1) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
    return Math.round(n);
  };
  const i = argv.indexOf('--engine');
  const engine = i === -1 ? 'postgres' : argv[i + 1];
  if (engine !== 'postgres' && engine !== 'pglite') throw new Error('--engine is postgres or pglite');
  return {
    events: value('events', 10_000),
    slowMs: value('slow-ms', 2_000),
    engine,
    concurrency: value('concurrency', 16),
    perHost: value('per-host', 4),
    batch: Math.min(10, value('batch', 10)),
  };
}

interface Endpoint {
  name: string;
  url: string;
  slow: boolean;
  /** Arrival times (ms since the run started) of distinct webhook ids. */
  arrivals: number[];
  seen: Set<string>;
  close(): Promise<void>;
}

async function endpoint(name: string, delayMs: number, clock: () => number): Promise<Endpoint> {
  const arrivals: number[] = [];
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      if (!seen.has(id)) {
        seen.add(id);
        arrivals.push(clock());
      }
      const answer = () => {
        if (!res.destroyed) res.writeHead(204).end();
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    slow: delayMs > 0,
    arrivals,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface RunResult {
  withSlow: boolean;
  fanOutMs: number;
  fastFinishMs: number;
  endpoints: { name: string; slow: boolean; delivered: number; p50: number; p95: number; last: number }[];
}

async function run(options: Options, withSlow: boolean): Promise<RunResult> {
  let database: TestDatabase | undefined;
  const keyDir = await mkdtemp(join(tmpdir(), 'vigil-bench-notify-'));
  const sqs = await startLocalSqs([{ name: 'notify', visibilityTimeoutSeconds: 360, maxReceiveCount: 5 }]);
  let started = 0;
  const clock = () => performance.now() - started;
  const endpoints = await Promise.all([
    ...['fast-1', 'fast-2', 'fast-3', 'fast-4'].map((n) => endpoint(n, 0, clock)),
    ...(withSlow ? [endpoint('slow', options.slowMs, clock)] : []),
  ]);
  const policy = parseAllowCidrs('127.0.0.0/8');
  const httpClient = createHttpClient({ policy, timeoutMs: 10_000, maxSocketsPerHost: options.perHost });
  let notifier: Awaited<ReturnType<typeof startLocalNotifier>> | undefined;
  try {
    database = await openTestDatabase(options.engine, { poolSize: options.concurrency + 4 });
    const db = database.db;
    const encryptor = await openLocalEncryptor(join(keyDir, 'secrets.key'));
    const queueUrl = sqs.queues.notify!.url;
    const deps: NotifyDeps = {
      db,
      queue: new SqsNotifyQueue({ client: sqs.client, queueUrl }),
      encryptor,
      http: httpClient,
      logger: silentLogger,
      settings: { perHostLimit: options.perHost },
    };
    const service = createSubscriptionService({
      db,
      encryptor,
      http: httpClient,
      policy,
      resolver: systemResolver(),
    });
    for (const e of endpoints) {
      await service.create({ name: e.name, format: 'generic', url: e.url, eventTypes: ['finding.opened'] });
    }
    const cluster = await createTestCluster(db);
    const events: NewOutboxEvent[] = Array.from({ length: options.events }, (_, i) => ({
      type: 'finding.opened',
      clusterId: cluster.id,
      runId: null,
      dedupeKey: `bench:${i}`,
      payload: {
        clusterId: cluster.id,
        clusterName: cluster.name,
        runId: '00000000-0000-0000-0000-000000000000',
        fingerprint: i.toString(16).padStart(32, '0'),
        checkId: 'cluster-admin',
        title: 'Subjects bound to cluster-admin',
        severity: 'high',
        resource: { kind: 'ClusterRoleBinding', name: `binding-${i}` },
        subject: { kind: 'User', name: `user-${i}` },
        message: `user-${i} is bound to cluster-admin through binding-${i}`,
        controls: ['cis-eks-1.8.0:4.1.1'],
        firstSeenAt: new Date().toISOString(),
        lastSeenAt: new Date().toISOString(),
        reopenedCount: 0,
      },
    }));
    await insertOutboxEvents(db, events);

    notifier = await startLocalNotifier({
      deps,
      client: sqs.client,
      queueUrl,
      concurrency: options.concurrency,
      batchSize: options.batch,
      sweepIntervalMs: 0,
      // The local SQS server's long poll waits for a full batch (real SQS returns with the first messages);
      // short polls (it answers within 40 ms) keep the poller as prompt as Lambda's event source mapping.
      waitTimeSeconds: 0,
    });
    started = performance.now();
    await notifier.sweepNow();
    const fanOutMs = clock();
    const fast = endpoints.filter((e) => !e.slow);
    const deadline = started + 20 * 60_000;
    // Hand-offs keep each host's slots busy; the sweep (every minute in production) catches up on stragglers.
    let nextSweep = performance.now() + 5_000;
    while (fast.some((e) => e.seen.size < options.events)) {
      if (performance.now() > deadline)
        throw new Error('fast endpoints did not receive every event in 20 minutes');
      await new Promise((r) => setTimeout(r, 25));
      if (performance.now() > nextSweep) {
        await notifier.sweepNow();
        nextSweep = performance.now() + 5_000;
      }
    }
    const fastFinishMs = Math.max(...fast.map((e) => Math.max(...e.arrivals)));
    return {
      withSlow,
      fanOutMs,
      fastFinishMs,
      endpoints: endpoints.map((e) => {
        const sorted = [...e.arrivals].sort((a, b) => a - b);
        return {
          name: e.name,
          slow: e.slow,
          delivered: e.seen.size,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          last: sorted.at(-1) ?? Number.NaN,
        };
      }),
    };
  } finally {
    await notifier?.stop().catch(() => {});
    httpClient.close();
    await Promise.all(endpoints.map((e) => e.close()));
    await sqs.close();
    await database?.dispose();
    await rm(keyDir, { recursive: true, force: true });
  }
}

export async function main(argv: string[] = []): Promise<{ markdown: string; results: RunResult[] }> {
  const options = parseOptions(argv);
  const baseline = await run(options, false);
  const withSlow = await run(options, true);
  const fastDeliveries = 4 * options.events;
  const rows = [baseline, withSlow].flatMap((r) =>
    r.endpoints.map((e) => [
      r.withSlow ? 'with slow endpoint' : 'fast endpoints only',
      e.name,
      String(e.delivered),
      formatMs(e.p50),
      formatMs(e.p95),
      e.slow
        ? `(still draining: ${(e.delivered / (r.fastFinishMs / 1000) || 0).toFixed(1)}/s)`
        : formatMs(e.last),
    ]),
  );
  const m = machine();
  const slowdown = withSlow.fastFinishMs / baseline.fastFinishMs;
  const markdown = [
    `${options.events.toLocaleString('en')} \`finding.opened\` events, one generic (signed) subscription per endpoint, ` +
      `per-host limit ${options.perHost}, ${options.concurrency} concurrent invocations of up to ${options.batch} messages, ${options.engine}; ` +
      `the slow endpoint answers after ${options.slowMs} ms.`,
    '',
    markdownTable(
      ['run', 'fan-out (outbox → deliveries)', 'fast endpoints done', 'throughput to fast endpoints'],
      [baseline, withSlow].map((r) => [
        r.withSlow ? 'with slow endpoint' : 'fast endpoints only',
        formatMs(r.fanOutMs),
        formatMs(r.fastFinishMs),
        `${Math.round(fastDeliveries / (r.fastFinishMs / 1000))} deliveries/s`,
      ]),
    ),
    '',
    'Arrival time of each event at each endpoint, from the start of the fan-out:',
    '',
    markdownTable(['run', 'endpoint', 'delivered', 'p50', 'p95', 'last'], rows),
    '',
    `The four fast endpoints finished in ${(slowdown * 100).toFixed(0)}% of the time they took without the slow one.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.platform}, Node ${m.node}, load ${m.loadAverage}.`,
  ].join('\n');
  return { markdown, results: [baseline, withSlow] };
}

if (import.meta.main) {
  const { markdown } = await main(process.argv.slice(2));
  process.stdout.write(`${markdown}\n`);
}
