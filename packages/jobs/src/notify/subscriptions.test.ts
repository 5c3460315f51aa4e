import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  completeDelivery,
  type Database,
  getDelivery,
  getSubscription,
  getSubscriptionSecrets,
} from '@vigil/db';
import { openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import {
  addressPolicy,
  createHttpClient,
  DestinationRefusedError,
  type Encryptor,
  type HttpClient,
  InvalidSubscriptionError,
  openLocalEncryptor,
  parseAllowCidrs,
  type Resolver,
} from '@vigil/notify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GenericReceiver, startGenericReceiver } from '../../../../test/notify/receivers.ts';
import { insertScanFailedDelivery, memoryQueue } from '../../../../test/notify/support.ts';
import { createSubscriptionService, type SubscriptionService } from './subscriptions.ts';

describe('the subscription service', () => {
  let database: TestDatabase;
  let db: Database;
  let encryptor: Encryptor;
  let http: HttpClient;
  let receiver: GenericReceiver;
  let keyDir: string;
  let service: SubscriptionService;
  const queue = memoryQueue();
  // Names resolve to public addresses except `*.internal`, which resolve to private ones.
  const resolver: Resolver = async (name) =>
    name.endsWith('.internal')
      ? [{ address: '10.0.0.8', family: 4 }]
      : [{ address: '93.184.216.34', family: 4 }];

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    db = database.db;
    keyDir = await mkdtemp(join(tmpdir(), 'vigil-service-'));
    encryptor = await openLocalEncryptor(join(keyDir, 'secrets.key'));
    const policy = parseAllowCidrs('127.0.0.0/8');
    http = createHttpClient({ policy, timeoutMs: 1_000 });
    receiver = await startGenericReceiver();
    service = createSubscriptionService({ db, encryptor, http, policy, resolver, queue });
  });
  afterAll(async () => {
    http?.close();
    await receiver?.close();
    await database?.dispose();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('shows a generic subscription its whsec_ secret once and stores it only sealed', async () => {
    const { subscription, signingSecret } = await service.create({
      name: 'hooks',
      format: 'generic',
      url: 'https://hooks.example.com/vigil#ignored',
      eventTypes: ['finding.opened', 'finding.opened'],
    });
    expect(signingSecret).toMatch(/^whsec_/);
    expect(subscription).toMatchObject({
      url: 'https://hooks.example.com/vigil',
      host: 'hooks.example.com',
      eventTypes: ['finding.opened'],
    });
    expect(JSON.stringify(await getSubscription(db, subscription.id))).not.toContain(signingSecret!.slice(6));
    const sealed = await getSubscriptionSecrets(db, subscription.id);
    expect(sealed).toMatch(/^v1\.local\./);
    expect(sealed).not.toContain(signingSecret!.slice(6, 20));
  });

  it('refuses destinations that are not public http(s), when saving and when changing the URL', async () => {
    const create = (url: string) =>
      service.create({ name: 'x', format: 'generic', url, eventTypes: ['scan.failed'] });
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9fea9fe/',
      'https://jira.internal/',
      'ftp://files.example.com/',
      'https://u:p@hooks.example.com/',
    ]) {
      await expect(create(url)).rejects.toBeInstanceOf(DestinationRefusedError);
    }
    const { subscription } = await create('https://hooks.example.com/ok');
    await expect(
      service.update(subscription.id, { url: 'http://[::ffff:10.0.0.1]/' }),
    ).rejects.toBeInstanceOf(DestinationRefusedError);
    expect((await getSubscription(db, subscription.id))?.url).toBe('https://hooks.example.com/ok');
  });

  it('opens private ticketing hosts only through the operator allow-list', async () => {
    const strict = createSubscriptionService({ db, encryptor, http, policy: addressPolicy(), resolver });
    const opened = createSubscriptionService({
      db,
      encryptor,
      http,
      policy: parseAllowCidrs('10.0.0.0/24'),
      resolver,
    });
    const input = {
      name: 'jira',
      format: 'jira' as const,
      url: 'https://jira.internal',
      eventTypes: ['finding.opened'],
      config: { projectKey: 'OPS' },
      credentials: { email: 'bot@example.com', apiToken: 'tok' },
    };
    await expect(strict.create(input)).rejects.toBeInstanceOf(DestinationRefusedError);
    await expect(opened.create(input)).resolves.toMatchObject({ signingSecret: null });
  });

  it('validates format options and credentials without echoing credential values', async () => {
    const jira = (config: unknown, credentials: unknown) =>
      service.create({
        name: 'jira',
        format: 'jira',
        url: 'https://acme.atlassian.net',
        eventTypes: ['finding.opened'],
        config: config as Record<string, unknown>,
        credentials: credentials as Record<string, unknown>,
      });
    await expect(jira({ projectKey: 'OPS' }, undefined)).rejects.toThrow(
      'credentials: jira subscriptions need credentials',
    );
    await expect(jira({ projectKey: 'ops key' }, { email: 'a@b.co', apiToken: 't' })).rejects.toThrow(
      /^config\.projectKey: /,
    );
    await expect(
      jira({ projectKey: 'OPS', extra: 1 }, { email: 'a@b.co', apiToken: 't' }),
    ).rejects.toBeInstanceOf(InvalidSubscriptionError);
    const error = await service
      .create({
        name: 'pd',
        format: 'pagerduty',
        eventTypes: ['finding.opened'],
        credentials: { routingKey: 'hunter2-not-a-routing-key' },
      })
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(InvalidSubscriptionError);
    expect((error as Error).message).not.toContain('hunter2');
    await expect(
      service.create({
        name: 'g',
        format: 'generic',
        url: 'https://h.example/',
        eventTypes: ['scan.failed'],
        credentials: { token: 'x' },
      }),
    ).rejects.toThrow('credentials: generic subscriptions take no credentials');
    await expect(
      service.create({
        name: 'pd',
        format: 'pagerduty',
        eventTypes: ['compliance.digest'],
        credentials: { routingKey: 'a'.repeat(32) },
      }),
    ).rejects.toThrow('eventTypes: pagerduty subscriptions cannot receive compliance.digest');
  });

  it('defaults PagerDuty to the Events API v2 endpoint and hides a Slack webhook URL', async () => {
    const pd = await service.create({
      name: 'pd',
      format: 'pagerduty',
      eventTypes: ['finding.opened'],
      credentials: { routingKey: 'a'.repeat(32) },
    });
    expect(pd.subscription).toMatchObject({
      url: 'https://events.pagerduty.com/v2/enqueue',
      host: 'events.pagerduty.com',
    });
    const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';
    const slack = await service.create({
      name: 'slack',
      format: 'slack',
      url: slackUrl,
      eventTypes: ['finding.opened'],
    });
    expect(slack.subscription).toMatchObject({
      url: 'https://hooks.slack.com/…',
      host: 'hooks.slack.com',
      hasSecrets: true,
    });
    expect(JSON.stringify(await db.execute('select * from notification_subscriptions'))).not.toContain(
      'XXXXSECRETXXXX',
    );
  });

  it('sends a test delivery and reports status and timing, never the body that came back', async () => {
    const { subscription, signingSecret } = await service.create({
      name: 't',
      format: 'generic',
      url: `${receiver.url}/t`,
      eventTypes: ['scan.failed'],
    });
    receiver.script = [
      { status: 500, body: 'stack trace with internal-secret-value' },
      { status: 202, body: 'accepted: internal-secret-value' },
    ];
    const failed = await service.sendTest(subscription.id);
    expect(failed).toEqual({
      ok: false,
      statusCode: 500,
      durationMs: expect.any(Number),
      error: 'deliver: HTTP 500',
    });
    const ok = await service.sendTest(subscription.id);
    expect(ok).toMatchObject({ ok: true, statusCode: 202, error: null });
    expect(JSON.stringify([failed, ok])).not.toContain('internal-secret-value');
    const last = receiver.received.at(-1)!;
    expect(
      new Webhook(signingSecret!).verify(last.body, last.headers as Record<string, string>),
    ).toMatchObject({
      type: 'finding.opened',
      data: { clusterName: 'vigil-test', test: true },
    });
    expect(await service.sendTest(crypto.randomUUID())).toBeNull();
  });

  it('redelivers a failed delivery with its webhook id and queues it at once', async () => {
    const { subscription } = await service.create({
      name: 'r',
      format: 'generic',
      url: 'https://redeliver.example/',
      eventTypes: ['scan.failed'],
    });
    const id = await insertScanFailedDelivery(db, subscription, { at: new Date() });
    await completeDelivery(db, id, {
      status: 'failed',
      at: new Date(),
      error: 'deliver: HTTP 500; gave up after 12 attempts',
    });
    const before = await getDelivery(db, id);
    const again = await service.redeliver(id);
    expect(again).toMatchObject({ status: 'pending', webhookId: before!.webhookId, firstAttemptAt: null });
    expect(queue.sent.map((m) => JSON.parse(m.body).deliveryId)).toContain(id);
    await service.update(subscription.id, { enabled: false });
    await expect(service.redeliver(id)).rejects.toThrow(/enable the subscription/);
    expect(await service.redeliver(crypto.randomUUID())).toBeNull();
  });

  it('rotates only generic signing secrets and replaces credentials on update', async () => {
    const { subscription } = await service.create({
      name: 'snow',
      format: 'servicenow',
      url: 'https://acme.service-now.com',
      eventTypes: ['finding.opened'],
      credentials: { username: 'u', password: 'old-password' },
    });
    await expect(service.rotateSecret(subscription.id)).rejects.toThrow(/only generic subscriptions/);
    await service.update(subscription.id, { credentials: { username: 'u', password: 'new-password' } });
    const sealed = (await getSubscriptionSecrets(db, subscription.id))!;
    expect(await encryptor.decrypt(sealed, `subscription:${subscription.id}`)).toContain('new-password');
    expect(await service.update(crypto.randomUUID(), { name: 'x' })).toBeNull();
    expect(await service.remove(subscription.id)).toBe(true);
    expect(await getSubscription(db, subscription.id)).toBeNull();
  });
});
