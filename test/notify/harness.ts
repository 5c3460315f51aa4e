import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, schema } from '@vigil/db';
import { openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import {
  createSubscriptionService,
  type LocalNotifier,
  type LocalSqs,
  memoryLogger,
  type NotifyDeps,
  type NotifySettings,
  SqsNotifyQueue,
  type SubscriptionService,
  startLocalNotifier,
  startLocalSqs,
} from '@vigil/jobs';
import {
  createHttpClient,
  type Encryptor,
  type HttpClient,
  openLocalEncryptor,
  parseAllowCidrs,
  type Resolver,
  systemResolver,
} from '@vigil/notify';
import { and, eq, lte, sql } from 'drizzle-orm';

/**
 * Everything delivery needs, for real, in one process: an embedded database, the local SQS server with the
 * notify queue, the local key file, the guarded HTTP client allowed to reach loopback receivers
 * (VIGIL_WEBHOOK_ALLOW_CIDRS=127.0.0.0/8), and the notify handler behind a Lambda-like poller.
 */
export interface NotifyHarness {
  db: Database;
  deps: NotifyDeps;
  service: SubscriptionService;
  encryptor: Encryptor;
  http: HttpClient;
  sqs: LocalSqs;
  notifier: LocalNotifier;
  logger: ReturnType<typeof memoryLogger>;
  /** Sweeps and waits until no delivery is due or in flight (scheduled retries may remain). */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startNotifyHarness(
  options: {
    settings?: Partial<NotifySettings>;
    resolver?: Resolver;
    timeoutMs?: number;
    concurrency?: number;
  } = {},
): Promise<NotifyHarness> {
  const database: TestDatabase = await openTestDatabase('pglite');
  const db = database.db;
  const keyDir = await mkdtemp(join(tmpdir(), 'vigil-notify-key-'));
  const encryptor = await openLocalEncryptor(join(keyDir, 'secrets.key'));
  const policy = parseAllowCidrs('127.0.0.0/8');
  const resolver = options.resolver ?? systemResolver();
  const http = createHttpClient({ policy, resolver, timeoutMs: options.timeoutMs ?? 5_000 });
  const sqs = await startLocalSqs([{ name: 'notify', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 }]);
  const queueUrl = sqs.queues.notify!.url;
  const logger = memoryLogger();
  const deps: NotifyDeps = {
    db,
    queue: new SqsNotifyQueue({ client: sqs.client, queueUrl }),
    encryptor,
    http,
    logger,
    ...(options.settings ? { settings: options.settings } : {}),
  };
  const service = createSubscriptionService({
    db,
    encryptor,
    http,
    policy,
    resolver,
    queue: deps.queue,
    logger,
  });
  const notifier = await startLocalNotifier({
    deps,
    client: sqs.client,
    queueUrl,
    sweepIntervalMs: 0,
    waitTimeSeconds: 0,
    concurrency: options.concurrency ?? 4,
  });
  const d = schema.notificationDeliveries;
  const busy = async () => {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(d)
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, sql`now() + interval '1 second'`)));
    return Number(row?.n ?? 0);
  };
  return {
    db,
    deps,
    service,
    encryptor,
    http,
    sqs,
    notifier,
    logger,
    async settle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      await notifier.sweepNow();
      while ((await busy()) > 0) {
        if (Date.now() > deadline) throw new Error(`deliveries still due after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
        // Deliveries that waited behind an earlier one about the same finding are queued by the sweep too.
        await notifier.sweepNow();
      }
    },
    async close() {
      await notifier.stop();
      http.close();
      await sqs.close();
      await database.dispose();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}
