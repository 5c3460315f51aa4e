// Test support: one database per test file with the demo fleet recorded, an app over it, and keys.
import type { Database, Engine } from '@vigil/db';
import { openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import { afterAll, beforeAll } from 'vitest';
import { type ApiApp, createApp } from '../app.ts';
import type { NotificationService } from '../routes/subscriptions.ts';
import type { ApiConfig, Logger } from '../types.ts';
import { type CheckedResponse, contractClient } from './contract.ts';
import { type DemoFleet, FLEET_NOW, inProcessScanRequester, issueTestKey, seedDemoFleet } from './seed.ts';

export const TEST_CONFIG: ApiConfig = {
  corsOrigins: [],
  maxBodyBytes: 16 * 1024,
  rateLimit: { requestsPerMinute: 100_000 },
  // Tests change the fleet and read it back at once, on a clock that stands still.
  fleetCacheSeconds: 0,
};

/** Captures log lines so tests can check what is (and is not) logged. */
export function memoryLogger(): Logger & {
  lines: { level: string; event: string; fields: Record<string, unknown> }[];
} {
  const lines: { level: string; event: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, event, fields });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestApi {
  handle: TestDatabase;
  app: ApiApp;
  fleet: DemoFleet;
  logger: ReturnType<typeof memoryLogger>;
  requested: string[];
  keys: { admin: string; read: string; scan: string; prodOnlyAdmin: string };
  call: ReturnType<typeof contractClient>;
  clock: { now: Date };
}

/**
 * Before the file's tests: a fresh migrated database on `engine`, the demo fleet audited and recorded,
 * keys for every scope (and an admin key limited to `env=prod` clusters), and the app with the contract
 * client. Returns a getter.
 */
export function useTestApi(
  engine: Engine = 'pglite',
  config: Partial<ApiConfig> = {},
  /** The notification subscription service (test/notify/api-notifications.ts); absent: those routes answer 503. */
  options: { notifications?: (db: Database) => Promise<NotificationService> } = {},
): () => TestApi {
  let api: TestApi | undefined;
  beforeAll(async () => {
    const handle = await openTestDatabase(engine);
    const db = handle.db;
    const fleet = await seedDemoFleet(db);
    const clock = { now: FLEET_NOW };
    const now = () => clock.now;
    const logger = memoryLogger();
    const scans = inProcessScanRequester(db, now);
    const notifications = options.notifications ? await options.notifications(db) : undefined;
    const app = createApp({
      db,
      scans,
      config: { ...TEST_CONFIG, ...config },
      now,
      logger,
      ...(notifications ? { notifications } : {}),
    });
    const keys = {
      admin: (await issueTestKey(db, ['admin'])).token,
      read: (await issueTestKey(db, ['read'])).token,
      scan: (await issueTestKey(db, ['scan'])).token,
      prodOnlyAdmin: (
        await issueTestKey(db, ['admin'], { clusterSelector: { matchLabels: { env: 'prod' } } })
      ).token,
    };
    api = { handle, app, fleet, logger, requested: scans.requested, keys, call: contractClient(app), clock };
  });
  afterAll(async () => {
    await api?.handle.dispose();
  });
  return () => {
    if (!api) throw new Error('the test API is not ready yet (use it inside a test or hook)');
    return api;
  };
}

/** The `items` of a list response. */
export function itemsOf<T = Record<string, unknown>>(response: CheckedResponse): T[] {
  return (response.body as { items: T[] }).items;
}
