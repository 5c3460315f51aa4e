import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { createJsonLogger as createApiLogger, createApp } from '@vigil/api';
import { parseExceptionsFile } from '@vigil/core';
import {
  type Cluster,
  closeDatabase,
  createCluster,
  createException,
  type Database,
  getClusterByName,
  latestRuns,
  listClusters,
  migrate,
  openDatabase,
  type ScanRunSummary,
  updateCluster,
} from '@vigil/db';
import { type LocalPipeline, startLocalPipeline } from '@vigil/jobs/local';
import { createJsonLogger, type Logger } from '@vigil/jobs/logger';
import {
  createSubscriptionService,
  type LocalNotifier,
  SqsNotifyQueue,
  startLocalNotifier,
} from '@vigil/jobs/notify';
import { DEFAULT_RETENTION_DAYS, type LocalRetention, startLocalRetention } from '@vigil/jobs/retention';
import { createHttpClient, openLocalEncryptor, parseAllowCidrs, systemResolver } from '@vigil/notify';
import { z } from 'zod';
import { DEMO_DIR } from './commands/demo.ts';
import type { LocalStackConfig } from './config.ts';
import { UsageError } from './errors.ts';

/** The label every bundled demo cluster carries, and the one naming it (exceptions select by it). */
export const DEMO_LABEL = 'vigil.dev/demo';
export const DEMO_CLUSTER_LABEL = 'vigil.dev/demo-cluster';

export interface LocalStackOptions extends Omit<LocalStackConfig, 'retentionDays'> {
  /** Days of history kept (default 400); older runs are pruned a minute after start and then daily. */
  retentionDays?: number;
  /** Register and scan the bundled demo fleet on the first start (default true). */
  demo?: boolean;
  /** A freshly generated admin key to store on the first start when none is configured. */
  generatedAdminKey?: () => string;
  /** Called for every pipeline log entry (the command turns some into lines for people). */
  onLog?: (entry: Record<string, unknown>) => void;
  now?: () => Date;
  /** What the scan handler is told its timeout is (default 120 s). */
  functionTimeoutMs?: number;
}

export interface LocalStack {
  url: string;
  db: Database;
  pipeline: LocalPipeline;
  notifier: LocalNotifier;
  retention: LocalRetention;
  /** True when this start created the data directory's state (and registered the demo fleet). */
  firstStart: boolean;
  /** The admin key generated and stored by this start, to be shown once; absent on later starts. */
  generatedAdminKey?: string;
  /** The demo clusters registered by this start. */
  demoClusters: Cluster[];
  /** Resolves with each demo cluster's final run once all of them are scanned (or the timeout passes). */
  waitForDemoScans(timeoutMs?: number): Promise<ScanRunSummary[]>;
  /** Stops taking requests, finishes the scans in flight, closes the database; the data stays. */
  stop(): Promise<void>;
}

const stateSchema = z.object({
  version: z.literal(1),
  initializedAt: z.string(),
  demoRegistered: z.boolean(),
});

const lockSchema = z.object({ pid: z.number().int(), url: z.string() });

const activeDataDirs = new Set<string>();

/** Where a running local stack announces itself, so a second start (or `vigil clusters`) finds it. */
export function serverFile(dataDir: string): string {
  return join(dataDir, 'server.json');
}

/** The URL of the local stack running from `dataDir`, if one is. */
export async function runningServer(dataDir: string): Promise<{ pid: number; url: string } | null> {
  const text = await readFile(serverFile(dataDir), 'utf8').catch(() => null);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) return null;
  // This process's own pid in the file is current only if this process runs a stack from there.
  if (parsed.data.pid === process.pid) return activeDataDirs.has(resolve(dataDir)) ? parsed.data : null;
  try {
    process.kill(parsed.data.pid, 0);
    return parsed.data;
  } catch {
    return null;
  }
}

/**
 * Vigil's serverless pipeline in one process, nothing faked beyond the AWS service edges: the API app on
 * a Node HTTP server, the database (PGlite in the data directory, or Postgres with DATABASE_URL), an SQS
 * server speaking the real wire protocol, pollers that behave like Lambda's event source mappings in
 * front of the very scan and notify handlers the Lambda functions export, and the dispatcher on a timer.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // The embedded database must never be opened twice: not by another process, not by this one.
  const other = activeDataDirs.has(dataDir) ? null : await runningServer(dataDir);
  if (other || activeDataDirs.has(dataDir)) {
    const where = other ? ` (pid ${other.pid}) at ${other.url}` : ' in this process';
    throw new UsageError(`Vigil is already running from ${options.dataDir}${where}`);
  }
  activeDataDirs.add(dataDir);
  const now = options.now ?? (() => new Date());
  const logStream: WriteStream = createWriteStream(join(dataDir, 'vigil.log'), { flags: 'a', mode: 0o600 });
  const writeLog = (line: string) => {
    logStream.write(line);
    if (options.logToStderr) process.stderr.write(line);
  };
  const fileLogger = createJsonLogger(writeLog);
  const logger: Logger = {
    info: (entry) => {
      fileLogger.info(entry);
      options.onLog?.({ level: 'info', ...entry });
    },
    warn: (entry) => {
      fileLogger.warn(entry);
      options.onLog?.({ level: 'warn', ...entry });
    },
    error: (entry) => {
      fileLogger.error(entry);
      options.onLog?.({ level: 'error', ...entry });
    },
  };

  const cleanup: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    await new Promise<void>((done) => logStream.end(done));
    activeDataDirs.delete(dataDir);
  };
  try {
    const db = await openDatabase(
      options.databaseUrl ? { url: options.databaseUrl } : { dataDir: join(dataDir, 'data') },
    );
    cleanup.push(() => closeDatabase(db));
    await migrate(db);

    const statePath = join(dataDir, 'state.json');
    const stateText = await readFile(statePath, 'utf8').catch(() => null);
    const state = stateText === null ? null : (stateSchema.safeParse(JSON.parse(stateText)).data ?? null);
    const firstStart = state === null;
    const demoClusters = firstStart && (options.demo ?? true) ? await registerDemoFleet(db, logger) : [];
    if (!firstStart) await relinkDemoFleet(db, logger);

    const adminKey = options.bootstrapAdminKey ?? (firstStart ? options.generatedAdminKey?.() : undefined);

    const pipeline = await startLocalPipeline({
      db,
      logger,
      now,
      sources: { snapshotRoots: [DEMO_DIR, join(dataDir, 'snapshots')], allowKubeconfig: true },
      trustedAccountIds: options.trustedAccountIds,
      scan: { functionTimeoutMs: options.functionTimeoutMs ?? 120_000 },
      dispatch: { intervalMs: options.dispatchIntervalMs },
    });
    cleanup.push(() => pipeline.stop());

    const encryptor = await openLocalEncryptor(resolve(options.secretsKeyFile));
    const policy = parseAllowCidrs(options.webhookAllowCidrs);
    const http = createHttpClient({ policy });
    const notifyQueue = new SqsNotifyQueue({
      client: pipeline.sqs.client,
      queueUrl: pipeline.notifyQueueUrl,
    });
    const notifier = await startLocalNotifier({
      client: pipeline.sqs.client,
      queueUrl: pipeline.notifyQueueUrl,
      deps: { db, queue: notifyQueue, encryptor, http, logger, now },
    });
    cleanup.push(() => notifier.stop());
    const retention = startLocalRetention({
      db,
      logger,
      now,
      retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS,
    });
    cleanup.push(() => retention.stop());
    const notifications = createSubscriptionService({
      db,
      encryptor,
      http,
      policy,
      resolver: systemResolver(),
      queue: notifyQueue,
      logger,
      now,
    });

    const app = createApp({
      db,
      scans: pipeline.scans,
      notifications,
      now,
      logger: createApiLogger(writeLog),
      config: {
        corsOrigins: options.corsOrigins,
        maxBodyBytes: 1024 * 1024,
        rateLimit: { requestsPerMinute: 600 },
        ...(adminKey ? { bootstrapAdminKey: adminKey } : {}),
        ...(options.oidc ? { oidc: options.oidc } : {}),
      },
    });
    const server = await listen(app.fetch, options.port);
    cleanup.push(() => closeServer(server));
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;

    await writeFile(serverFile(dataDir), JSON.stringify({ pid: process.pid, url }), { mode: 0o600 });
    cleanup.push(() => rm(serverFile(dataDir), { force: true }));
    if (firstStart) {
      await writeFile(
        statePath,
        JSON.stringify({
          version: 1,
          initializedAt: now().toISOString(),
          demoRegistered: demoClusters.length > 0,
        }),
        { mode: 0o600 },
      );
    }
    logger.info({
      msg: 'local stack started',
      url,
      firstStart,
      engine: options.databaseUrl ? 'postgres' : 'pglite',
    });

    let stopping: Promise<void> | undefined;
    return {
      url,
      db,
      pipeline,
      notifier,
      retention,
      firstStart,
      ...(adminKey && !options.bootstrapAdminKey ? { generatedAdminKey: adminKey } : {}),
      demoClusters,
      waitForDemoScans: (timeoutMs = 120_000) => waitForFinalRuns(db, demoClusters, timeoutMs),
      stop() {
        stopping ??= unwind().then(() => logger.info({ msg: 'local stack stopped' }));
        return stopping;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
): Promise<ServerType> {
  return new Promise((resolveListen, reject) => {
    const server = serve({ fetch, port, hostname: '127.0.0.1' }, () => resolveListen(server));
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} is in use; set PORT to another one`, { cause: error })
          : error,
      ),
    );
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((done) => {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => done());
  });
}

/**
 * Points the registered demo clusters at this checkout's demo fleet. Their sources name the directory they were
 * registered from, and the scanner reads snapshot files only under this checkout's demo folder: after the
 * repository is moved or cloned again beside kept data (`VIGIL_DATA_DIR`, `DATABASE_URL`), every demo scan would
 * otherwise fail. Only clusters carrying the demo labels, with a snapshot source, are changed.
 */
export async function relinkDemoFleet(db: Database, logger: Logger): Promise<Cluster[]> {
  const relinked: Cluster[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClusters(db, {
      labelSelector: { matchLabels: { [DEMO_LABEL]: 'true' } },
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const cluster of page.items) {
      const name = cluster.labels[DEMO_CLUSTER_LABEL];
      if (
        cluster.source.type !== 'snapshot' ||
        name === undefined ||
        name.includes('/') ||
        name.startsWith('.')
      )
        continue;
      const dir = join(DEMO_DIR, name);
      if (cluster.source.path === dir) continue;
      if (
        !(await stat(dir)
          .then((info) => info.isDirectory())
          .catch(() => false))
      )
        continue;
      const updated = await updateCluster(db, cluster.id, { source: { type: 'snapshot', path: dir } });
      if (updated) relinked.push(updated);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (relinked.length > 0) {
    logger.info({ msg: 'demo clusters pointed at this checkout', clusters: relinked.map((c) => c.name) });
  }
  return relinked;
}

/**
 * Registers every bundled demo cluster as a `snapshot` source scanned daily, with the exceptions its
 * owners agreed on (demo/clusters/<name>/exceptions.yaml) stored for that cluster alone.
 */
export async function registerDemoFleet(db: Database, logger: Logger): Promise<Cluster[]> {
  const names = (await readdir(DEMO_DIR)).filter((name) => !name.startsWith('.')).sort();
  const registered: Cluster[] = [];
  for (const name of names) {
    const dir = join(DEMO_DIR, name);
    if (!(await stat(dir)).isDirectory()) continue;
    if (await getClusterByName(db, name)) continue;
    const cluster = await createCluster(db, {
      name,
      source: { type: 'snapshot', path: dir },
      labels: { [DEMO_LABEL]: 'true', [DEMO_CLUSTER_LABEL]: name },
      scheduleIntervalSeconds: 86_400,
    });
    const exceptionsPath = join(dir, 'exceptions.yaml');
    const text = await readFile(exceptionsPath, 'utf8').catch(() => null);
    if (text !== null) {
      const file = parseExceptionsFile({ name: exceptionsPath, text });
      for (const exception of file.exceptions) {
        await createException(db, {
          clusterSelector: { matchLabels: { [DEMO_CLUSTER_LABEL]: name } },
          checks: exception.checks,
          ...(exception.subject ? { subject: exception.subject } : {}),
          ...(exception.resource ? { resource: exception.resource } : {}),
          reason: exception.reason,
          ...(exception.owner !== undefined ? { owner: exception.owner } : {}),
          ...(exception.expires ? { expiresAt: new Date(exception.expires) } : {}),
        });
      }
    }
    registered.push(cluster);
  }
  logger.info({ msg: 'demo fleet registered', clusters: registered.map((c) => c.name) });
  return registered;
}

const FINAL = new Set(['complete', 'partial', 'failed']);

async function waitForFinalRuns(
  db: Database,
  clusters: Cluster[],
  timeoutMs: number,
): Promise<ScanRunSummary[]> {
  if (clusters.length === 0) return [];
  const ids = clusters.map((c) => c.id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await latestRuns(db, { clusterIds: ids, limit: ids.length })).items;
    const done = runs.filter((run) => FINAL.has(run.status));
    if (done.length === ids.length) return done;
    if (Date.now() > deadline) {
      throw new Error(`the demo scans did not finish within ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((wait) => setTimeout(wait, 200));
  }
}
