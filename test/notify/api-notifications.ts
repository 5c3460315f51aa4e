import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDeliveries, type Database } from '@vigil/db';
import {
  type AttemptReport,
  attemptDelivery,
  createSubscriptionService,
  memoryLogger,
  type SubscriptionService,
} from '@vigil/jobs';
import { createHttpClient, openLocalEncryptor, parseAllowCidrs, type Resolver } from '@vigil/notify';
import { memoryQueue } from './support.ts';

/**
 * The real subscription service for API tests (which may not import the notifier themselves): a local key
 * file in a temporary directory, and a resolver that answers loopback for every name with loopback
 * allow-listed, so saved destinations pass the guard and test deliveries fail fast (nothing listens on
 * 127.0.0.1:443) instead of reaching the internet.
 */
export async function testNotificationService(db: Database): Promise<SubscriptionService> {
  return (await testNotifications(db)).service;
}

export interface TestNotifications {
  service: SubscriptionService;
  /**
   * Claims one due delivery and makes one attempt with the real notifier (`attemptDelivery`), sharing the
   * service's key file and guarded HTTP client, at `at` (the notifier's clock; default now).
   */
  attempt(deliveryId: string, at?: Date): Promise<AttemptReport>;
}

/** The subscription service of `testNotificationService`, plus the delivery attempt of the notifier. */
export async function testNotifications(db: Database): Promise<TestNotifications> {
  const encryptor = await openLocalEncryptor(
    join(mkdtempSync(join(tmpdir(), 'vigil-api-notify-')), 'secrets.key'),
  );
  const policy = parseAllowCidrs('127.0.0.0/8');
  const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
  const http = createHttpClient({ policy, resolver, timeoutMs: 1_000 });
  const service = createSubscriptionService({ db, encryptor, http, policy, resolver });
  return {
    service,
    async attempt(deliveryId, at = new Date()) {
      const { claimed } = await claimDeliveries(db, [deliveryId], { now: at, leaseSeconds: 45 });
      if (claimed.length !== 1) throw new Error(`delivery ${deliveryId} is not due at ${at.toISOString()}`);
      return attemptDelivery(
        {
          db,
          queue: memoryQueue(),
          encryptor,
          http,
          logger: memoryLogger(),
          now: () => at,
          random: () => 0.5,
        },
        claimed[0]!,
      );
    },
  };
}

/** How long an endpoint may fail before the notifier disables it (re-exported for API tests). */
export { RETRY_WINDOW_SECONDS } from '@vigil/notify';
