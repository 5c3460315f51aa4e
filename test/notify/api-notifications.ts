import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@vigil/db';
import { createSubscriptionService, type SubscriptionService } from '@vigil/jobs';
import { createHttpClient, openLocalEncryptor, parseAllowCidrs, type Resolver } from '@vigil/notify';

/**
 * The real subscription service for API tests (which may not import the notifier themselves): a local key
 * file in a temporary directory, and a resolver that answers loopback for every name with loopback
 * allow-listed, so saved destinations pass the guard and test deliveries fail fast (nothing listens on
 * 127.0.0.1:443) instead of reaching the internet.
 */
export async function testNotificationService(db: Database): Promise<SubscriptionService> {
  const encryptor = await openLocalEncryptor(
    join(mkdtempSync(join(tmpdir(), 'vigil-api-notify-')), 'secrets.key'),
  );
  const policy = parseAllowCidrs('127.0.0.0/8');
  const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
  const http = createHttpClient({ policy, resolver, timeoutMs: 1_000 });
  return createSubscriptionService({ db, encryptor, http, policy, resolver });
}
