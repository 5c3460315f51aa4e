import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimDeliveries, type Database, getDelivery, getSubscription } from '@vigil/db';
import { openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import {
  addressPolicy,
  createHttpClient,
  type Encryptor,
  type HttpClient,
  openLocalEncryptor,
  parseAllowCidrs,
  RETRY_WINDOW_SECONDS,
  type Resolver,
  systemResolver,
} from '@vigil/notify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GenericReceiver, startGenericReceiver } from '../../../../test/notify/receivers.ts';
import { insertScanFailedDelivery, memoryQueue } from '../../../../test/notify/support.ts';
import { memoryLogger } from '../logger.ts';
import { attemptDelivery } from './deliver.ts';
import type { NotifyDeps } from './deps.ts';
import { createSubscriptionService } from './subscriptions.ts';

// Attempts run against a loopback receiver over real HTTP; the clock is the test's, so a three-day retry
// window passes in milliseconds.
describe('delivery attempts', () => {
  let database: TestDatabase;
  let db: Database;
  let encryptor: Encryptor;
  let http: HttpClient;
  let receiver: GenericReceiver;
  let keyDir: string;
  let clock: Date;
  const logger = memoryLogger();
  const allowLoopback = parseAllowCidrs('127.0.0.0/8');

  const deps = (overrides: Partial<NotifyDeps> = {}): NotifyDeps => ({
    db,
    queue: memoryQueue(),
    encryptor,
    http,
    logger,
    now: () => clock,
    random: () => 0.5,
    ...overrides,
  });
  const service = (resolver: Resolver = systemResolver()) =>
    createSubscriptionService({ db, encryptor, http, policy: allowLoopback, resolver, now: () => clock });

  async function attempt(id: string, d: NotifyDeps = deps()) {
    const { claimed } = await claimDeliveries(db, [id], { now: clock, leaseSeconds: 45 });
    expect(claimed).toHaveLength(1);
    return attemptDelivery(d, claimed[0]!);
  }

  async function genericSubscription() {
    return service().create({
      name: 'hooks',
      format: 'generic',
      url: `${receiver.url}/in`,
      eventTypes: ['scan.failed'],
    });
  }

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    db = database.db;
    keyDir = await mkdtemp(join(tmpdir(), 'vigil-deliver-'));
    encryptor = await openLocalEncryptor(join(keyDir, 'secrets.key'));
    http = createHttpClient({ policy: allowLoopback, timeoutMs: 300 });
    receiver = await startGenericReceiver();
  });
  afterAll(async () => {
    http?.close();
    await receiver?.close();
    await database?.dispose();
    await rm(keyDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clock = new Date();
    receiver.script = [];
    receiver.fallback = { status: 204 };
    receiver.received.length = 0;
  });

  const seconds = (a: Date | undefined, b: Date) => ((a?.getTime() ?? Number.NaN) - b.getTime()) / 1000;

  it('retries 5xx and 429 on the schedule, waits for Retry-After, and keeps the webhook id across attempts', async () => {
    const { subscription, signingSecret } = await genericSubscription();
    const id = await insertScanFailedDelivery(db, subscription, { at: clock });
    receiver.script = [
      { status: 503 },
      { status: 429, headers: { 'retry-after': new Date(clock.getTime() + 23_000 + 600_000).toUTCString() } },
      { status: 500 },
      { status: 200 },
    ];
    const steps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const report = await attempt(id);
      expect(report.status).toBe('retrying');
      steps.push(seconds(report.nextAttemptAt, clock));
      clock = report.nextAttemptAt!;
    }
    // 30 s, 5 min and 30 min steps jittered to 3/4 (random 0.5); the 429 asked for 10 minutes.
    expect(steps).toEqual([23, 600, 1350]);
    expect((await attempt(id)).status).toBe('succeeded');

    const delivery = await getDelivery(db, id);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 4,
      lastStatusCode: 200,
      lastError: null,
    });
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids)).toEqual(new Set([delivery!.webhookId]));
    // Each attempt carries its own timestamp and a signature the reference library computes the same way.
    const hook = new Webhook(signingSecret!);
    for (const request of receiver.received) {
      const timestamp = Number(request.headers['webhook-timestamp']);
      expect(request.headers['webhook-signature']).toBe(
        hook.sign(delivery!.webhookId, new Date(timestamp * 1000), request.body),
      );
    }
    const timestamps = receiver.received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(new Set(timestamps).size).toBe(4);
    expect(await getSubscription(db, subscription.id)).toMatchObject({ failingSince: null, enabled: true });
  });

  it('treats a redirect as a failure and never follows it', async () => {
    const { subscription } = await genericSubscription();
    const id = await insertScanFailedDelivery(db, subscription, { at: clock });
    receiver.script = [{ status: 307, headers: { location: `${receiver.url}/elsewhere` } }];
    const report = await attempt(id);
    expect(report).toMatchObject({ status: 'retrying', statusCode: 307 });
    expect(receiver.received.map((r) => r.path)).toEqual(['/in']);
    expect((await getDelivery(db, id))?.lastError).toBe('deliver: HTTP 307');
  });

  it('retries an endpoint that does not answer in time', async () => {
    const { subscription } = await genericSubscription();
    const id = await insertScanFailedDelivery(db, subscription, { at: clock });
    receiver.script = [{ status: 200, delayMs: 2_000 }];
    const report = await attempt(id);
    expect(report).toMatchObject({ status: 'retrying', statusCode: null });
    expect((await getDelivery(db, id))?.lastError).toBe('no response within 300 ms');
  });

  it('disables the subscription at once on 410 Gone, with the reason visible, and fails its pending deliveries', async () => {
    const { subscription } = await genericSubscription();
    const first = await insertScanFailedDelivery(db, subscription, { at: clock });
    const second = await insertScanFailedDelivery(db, subscription, { at: clock });
    receiver.script = [{ status: 410 }];
    const report = await attempt(first);
    expect(report.status).toBe('failed');
    expect(report.disabled).toMatch(/410 Gone/);
    expect(await getSubscription(db, subscription.id)).toMatchObject({
      enabled: false,
      disabledReason: `the endpoint answered 410 Gone at ${clock.toISOString()}`,
      lastFailureAt: clock,
      failingSince: clock,
    });
    expect(await getDelivery(db, first)).toMatchObject({ status: 'failed', lastStatusCode: 410 });
    expect(await getDelivery(db, second)).toMatchObject({ status: 'failed' });
    expect((await getDelivery(db, second))?.lastError).toMatch(
      /^the subscription was disabled: the endpoint answered 410/,
    );
  });

  it('gives up after about three days and disables an endpoint that failed all that time', async () => {
    const { subscription } = await genericSubscription();
    const started = clock;
    const id = await insertScanFailedDelivery(db, subscription, { at: clock });
    receiver.fallback = { status: 500 };
    let report = await attempt(id);
    while (report.status === 'retrying') {
      clock = report.nextAttemptAt!;
      report = await attempt(id);
    }
    expect(report.status).toBe('failed');
    const elapsed = seconds(clock, started);
    expect(elapsed).toBeLessThanOrEqual(RETRY_WINDOW_SECONDS);
    expect(elapsed).toBeGreaterThan(RETRY_WINDOW_SECONDS - 36_000);
    const delivery = await getDelivery(db, id);
    expect(delivery?.lastError).toBe(`deliver: HTTP 500; gave up after ${delivery?.attempts} attempts`);
    expect(receiver.received).toHaveLength(delivery!.attempts);
    // The endpoint failed for less than the full window when the event gave up (its first attempt started the
    // streak); the next failure after the window disables it.
    const later = await insertScanFailedDelivery(db, subscription, { at: clock });
    clock = new Date(started.getTime() + RETRY_WINDOW_SECONDS * 1000 + 1000);
    const last = await attempt(later);
    expect(last.disabled).toBe(`failing since ${started.toISOString()} (last: deliver: HTTP 500)`);
    expect(await getSubscription(db, subscription.id)).toMatchObject({
      enabled: false,
      failingSince: started,
    });
  });

  it('refuses at connect time a destination that resolved to a public address when saved and to loopback now', async () => {
    const publicThenLoopback: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];
    const port = new URL(receiver.url).port;
    const { subscription } = await service(publicThenLoopback).create({
      name: 'rebinding',
      format: 'generic',
      url: `http://hooks.rebind.test:${port}/in`,
      eventTypes: ['scan.failed'],
    });
    const id = await insertScanFailedDelivery(db, subscription, { at: clock });
    const guarded = createHttpClient({
      policy: addressPolicy(),
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const report = await attempt(id, deps({ http: guarded }));
    guarded.close();
    expect(report).toMatchObject({ status: 'retrying', statusCode: null });
    expect((await getDelivery(db, id))?.lastError).toMatch(
      /hooks\.rebind\.test resolves to 127\.0\.0\.1, a loopback address/,
    );
    expect(receiver.received).toEqual([]);
  });

  it('signs with both secrets during a rotation overlap, then with the new one only', async () => {
    const { subscription, signingSecret: oldSecret } = await genericSubscription();
    const rotated = await service().rotateSecret(subscription.id, { overlapSeconds: 3600 });
    expect(rotated?.subscription.previousSecretExpiresAt).toEqual(new Date(clock.getTime() + 3_600_000));
    const newSecret = rotated!.signingSecret;
    expect(newSecret).not.toBe(oldSecret);
    await attempt(await insertScanFailedDelivery(db, subscription, { at: clock }));
    clock = new Date(clock.getTime() + 3_601_000);
    await attempt(await insertScanFailedDelivery(db, subscription, { at: clock }));
    const [during, after] = receiver.received;
    const signatures = (r: typeof during) => String(r!.headers['webhook-signature']).split(' ');
    const expected = (secret: string, r: typeof during) =>
      new Webhook(secret).sign(
        String(r!.headers['webhook-id']),
        new Date(Number(r!.headers['webhook-timestamp']) * 1000),
        r!.body,
      );
    expect(signatures(during)).toEqual([expected(newSecret, during), expected(oldSecret!, during)]);
    expect(signatures(after)).toEqual([expected(newSecret, after)]);
  });

  it('retries, without sending anything, when the credentials cannot be opened', async () => {
    const { subscription } = await genericSubscription();
    const id = await insertScanFailedDelivery(db, subscription, { at: clock });
    const otherKey = await openLocalEncryptor(join(keyDir, 'other.key'));
    const report = await attempt(id, deps({ encryptor: otherKey }));
    expect(report.status).toBe('retrying');
    expect((await getDelivery(db, id))?.lastError).toBe(
      "cannot open the subscription's credentials (DECRYPTION_FAILED)",
    );
    expect(receiver.received).toEqual([]);
  });

  it('fails a delivery whose stored event is malformed, without retrying it', async () => {
    const { subscription } = await genericSubscription();
    const id = await insertScanFailedDelivery(db, subscription, { at: clock });
    await db.execute(
      `update notification_deliveries set payload = '{"clusterName": 5}'::jsonb where id = '${id}'`,
    );
    const report = await attempt(id);
    expect(report.status).toBe('failed');
    expect((await getDelivery(db, id))?.lastError).toMatch(/^malformed scan\.failed payload at /);
    expect(receiver.received).toEqual([]);
  });
});
