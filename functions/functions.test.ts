import { readFileSync } from 'node:fs';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createSubscription, listDeliveries, listRuns, migrationStatus } from '@vigil/db';
import {
  createTestCluster,
  openTestDatabase,
  type TestDatabase,
  testDatabaseUrl,
  useTestDatabase,
} from '@vigil/db/testing';
import { type LocalSqs, parseScanMessage, type SqsEvent, startLocalSqs } from '@vigil/jobs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const event = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./events/${name}`, import.meta.url), 'utf8')) as T;

const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'request-1' };

// The Lambda entry points, invoked as Lambda invokes them: sample events, configuration from the
// environment, real Postgres, and the SQS client pointed at the local SQS server through AWS_ENDPOINT_URL
// (the variable the LocalStack profile uses too).
describe('Lambda functions', () => {
  const db = useTestDatabase('postgres');
  let sqs: LocalSqs;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = await startLocalSqs([{ name: 'scan', visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }]);
    queueUrl = sqs.queues.scan!.url;
  });
  afterAll(async () => {
    await sqs.close();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  function environment(extra: Record<string, string> = {}) {
    const env: Record<string, string> = {
      DATABASE_URL: testDatabaseUrl(db()),
      VIGIL_SCAN_QUEUE_URL: queueUrl,
      AWS_ENDPOINT_URL: sqs.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...extra,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  }

  async function drain() {
    const received = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    return (received.Messages ?? []).map((m) => parseScanMessage(m.Body!));
  }

  it('dispatch: sends one scan message per due cluster on a scheduler event', async () => {
    environment();
    const cluster = await createTestCluster(db(), { scheduleIntervalSeconds: 3_600 });
    const { handler } = await import('./dispatch.ts');
    const result = await handler(event('schedule.json'));
    expect(result.sent).toBe(result.due);
    expect(result.due).toBeGreaterThanOrEqual(1);
    const messages = await drain();
    expect(messages).toContainEqual(expect.objectContaining({ clusterId: cluster.id, trigger: 'schedule' }));
    await expect(handler({ spreadSeconds: 'soon' })).rejects.toThrow(/not a dispatch event/);
  });

  it('scan: answers an SQS event with a partial batch response and records the run', async () => {
    environment({ VIGIL_SCAN_MAX_RECEIVES: '3' });
    const cluster = await createTestCluster(db());
    const sample = event<SqsEvent>('scan-sqs.json');
    const good = sample.Records[0]!;
    const records = [
      // A snapshot-source cluster cannot be read in AWS: the run fails for good, the record succeeds.
      {
        ...good,
        messageId: 'm1',
        body: good.body.replace('00000000-0000-4000-8000-000000000000', cluster.id),
      },
      { ...good, messageId: 'm2', body: 'not json' },
    ];
    const { handler } = await import('./scan.ts');
    const response = await handler({ Records: records }, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    const runs = (await listRuns(db(), { clusterIds: [cluster.id] })).items;
    expect(runs[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^SOURCE_NOT_ALLOWED: /),
    });
  });

  it('scan: fails the invocation when its configuration is missing', async () => {
    vi.stubEnv('DATABASE_URL', '');
    const { handler } = await import('./scan.ts');
    await expect(handler(event<SqsEvent>('scan-sqs.json'), context)).rejects.toThrow();
  });

  it('notify: fans pending outbox rows out on a fanout message, and the sweep reports what it did', async () => {
    environment({ VIGIL_NOTIFY_QUEUE_URL: queueUrl, VIGIL_NOTIFY_KMS_KEY_ID: 'alias/vigil-notify' });
    const sample = event<SqsEvent>('scan-sqs.json').Records[0]!;
    const { handler } = await import('./notify.ts');
    const response = await handler(
      {
        Records: [
          { ...sample, messageId: 'n1', body: JSON.stringify({ v: 1, kind: 'fanout' }) },
          { ...sample, messageId: 'n2', body: '{"v":1,"kind":"deliver"}' },
        ],
      },
      context,
    );
    // The malformed one (no delivery id) is the only failure.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'n2' }] });
    const sweep = await import('./notify-sweep.ts');
    expect(await sweep.handler({})).toMatchObject({ enqueued: expect.any(Number) });
  });

  it("notify sweep: the digest schedule builds each subscription's digest once per UTC day, then sweeps", async () => {
    environment({ VIGIL_NOTIFY_QUEUE_URL: queueUrl, VIGIL_NOTIFY_KMS_KEY_ID: 'alias/vigil-notify' });
    const subscription = await createSubscription(db(), {
      format: 'generic',
      url: 'https://tickets.example/hook',
      host: 'tickets.example',
      name: 'daily digest',
      eventTypes: ['compliance.digest'],
    });
    const { handler } = await import('./notify-sweep.ts');
    const first = await handler({ source: 'vigil.notify-digest' });
    expect(first).toMatchObject({ digest: { deliveries: 1 } });
    expect(await handler({ source: 'vigil.notify-digest' })).toMatchObject({ digest: { deliveries: 0 } });
    expect(await handler({ source: 'vigil.notify-sweep' })).not.toHaveProperty('digest');
    const deliveries = (await listDeliveries(db(), { subscriptionId: subscription.id })).items;
    expect(deliveries.map((d) => d.eventType)).toEqual(['compliance.digest']);
    await expect(handler({ source: 'somebody.else' })).rejects.toThrow(/not a notify sweep event/);
  });

  it("retention: prunes history with the configured days or the event's, never below a week", async () => {
    environment({ VIGIL_RETENTION_DAYS: '90' });
    const { handler } = await import('./retention.ts');
    expect(await handler({ source: 'vigil.retention' })).toMatchObject({ retentionDays: 90, runs: 0 });
    expect(await handler({ retentionDays: 30 })).toMatchObject({ retentionDays: 30 });
    await expect(handler({ retentionDays: 1 })).rejects.toThrow(/not a retention event/);
  });

  it('retention: fails when the configured retention is shorter than a week', async () => {
    environment({ VIGIL_RETENTION_DAYS: '3' });
    const { handler } = await import('./retention.ts');
    await expect(handler({})).rejects.toThrow(/VIGIL_RETENTION_DAYS/);
  });

  describe('migrate', () => {
    let empty: TestDatabase;
    beforeAll(async () => {
      empty = await openTestDatabase('postgres', { migrate: false });
    });
    afterAll(async () => {
      await empty.dispose();
    });

    it('applies pending migrations once, and reports nothing pending afterwards', async () => {
      vi.stubEnv('DATABASE_URL', empty.url!);
      const { handler } = await import('./migrate.ts');
      const dry = await handler({ dryRun: true });
      expect(dry.applied).toEqual([]);
      expect(dry.pending.length).toBeGreaterThan(0);
      const first = await handler({});
      expect(first.applied).toEqual(dry.pending);
      expect((await handler({})).applied).toEqual([]);
      expect((await migrationStatus(empty.db)).pending).toEqual([]);
    });
  });

  it('api: serves the app behind an API Gateway HTTP API event', async () => {
    environment();
    const { handler } = await import('./api.ts');
    const response = (await handler(event('api-gateway-v2.json'), context as never)) as {
      statusCode: number;
      body: string;
      headers: Record<string, string>;
    };
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBeTruthy();
  });
});
