import { getSubscription, insertDeliveries } from '@vigil/db';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RETRY_WINDOW_SECONDS,
  type TestNotifications,
  testNotifications,
} from '../../../../test/notify/api-notifications.ts';
import { type GenericReceiver, startGenericReceiver } from '../../../../test/notify/receivers.ts';
import { insertScanFailedDelivery } from '../../../../test/notify/support.ts';
import { createApp } from '../app.ts';
import { memoryLogger, TEST_CONFIG, useTestApi } from '../testing/api-fixture.ts';
import { contractClient } from '../testing/contract.ts';
import { inProcessScanRequester } from '../testing/seed.ts';

// Every response is checked against the OpenAPI document by the contract client. The notification service is
// the real one (SSRF guard, local key file); every host name resolves to loopback, where the receiver runs.
describe('notification routes', () => {
  let notifier: TestNotifications;
  const api = useTestApi(
    'pglite',
    {},
    {
      notifications: async (db) => {
        notifier = await testNotifications(db);
        return notifier.service;
      },
    },
  );
  let receiver: GenericReceiver;
  let port: string;

  beforeAll(async () => {
    receiver = await startGenericReceiver();
    port = new URL(receiver.url).port;
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const generic = (overrides: Record<string, unknown> = {}) => ({
    name: 'portal hooks',
    format: 'generic',
    url: `http://hooks.portal.test:${port}/vigil`,
    eventTypes: ['finding.opened', 'scan.failed'],
    minSeverity: 'high',
    clusterSelector: { matchLabels: { env: 'prod' } },
    ...overrides,
  });

  it('creates a generic subscription and shows its signing secret only then', async () => {
    const { call, keys } = api();
    const created = await call('post', '/v1/subscriptions', { token: keys.admin, body: generic() });
    expect(created.status).toBe(201);
    const body = created.body as {
      subscription: { id: string; hasCredentials: boolean };
      signingSecret: string;
    };
    expect(body.signingSecret).toMatch(/^whsec_/);
    expect(body.subscription).toMatchObject({ hasCredentials: true, enabled: true, minSeverity: 'high' });
    expect(created.headers.get('location')).toBe(`/v1/subscriptions/${body.subscription.id}`);

    const read = await call('get', `/v1/subscriptions/${body.subscription.id}`, { token: keys.read });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ deliveries: { pending: 0, succeeded: 0, failed: 0 } });
    expect(read.text).not.toContain(body.signingSecret.slice(6));
    const listed = await call('get', '/v1/subscriptions', { token: keys.read, query: { format: 'generic' } });
    expect(listed.text).not.toContain(body.signingSecret.slice(6));
    expect((listed.body as { items: { id: string }[] }).items.map((s) => s.id)).toContain(
      body.subscription.id,
    );
  });

  it('refuses a destination the SSRF guard refuses, naming the field', async () => {
    const { call, keys } = api();
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9fea9fe/',
      'file:///etc/passwd',
      'https://user:pw@hooks.example/',
    ]) {
      const res = await call('post', '/v1/subscriptions', { token: keys.admin, body: generic({ url }) });
      expect(res.status, url).toBe(400);
      expect(res.body, url).toMatchObject({ invalidParams: [{ name: 'body.url' }] });
    }
  });

  it('never returns credentials, and names the bad field without echoing its value', async () => {
    const { call, keys } = api();
    const bad = await call('post', '/v1/subscriptions', {
      token: keys.admin,
      body: {
        name: 'pd',
        format: 'pagerduty',
        eventTypes: ['finding.opened'],
        credentials: { routingKey: 'hunter2' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ invalidParams: [{ name: 'body.credentials.routingKey' }] });
    expect(bad.text).not.toContain('hunter2');

    const jira = await call('post', '/v1/subscriptions', {
      token: keys.admin,
      body: {
        name: 'jira',
        format: 'jira',
        url: 'https://acme.atlassian.test',
        eventTypes: ['finding.opened', 'finding.resolved'],
        config: { projectKey: 'SEC' },
        credentials: { email: 'bot@example.com', apiToken: 'atlassian-token-value' },
      },
    });
    expect(jira.status).toBe(201);
    expect(jira.text).not.toContain('atlassian-token-value');
    expect(jira.body).toMatchObject({
      signingSecret: null,
      subscription: { config: { projectKey: 'SEC', issueType: 'Task' } },
    });
  });

  it('sends a test delivery and answers status and timing only, never the remote body', async () => {
    const { call, keys } = api();
    const created = await call('post', '/v1/subscriptions', {
      token: keys.admin,
      body: generic({ name: 'tested' }),
    });
    const { subscription, signingSecret } = created.body as {
      subscription: { id: string };
      signingSecret: string;
    };
    receiver.script = [
      { status: 503, body: 'upstream said: internal-only-detail' },
      { status: 200, body: 'internal-only-detail' },
    ];
    const failed = await call('post', `/v1/subscriptions/${subscription.id}/test`, { token: keys.admin });
    expect(failed.body).toMatchObject({ ok: false, statusCode: 503, error: 'deliver: HTTP 503' });
    const ok = await call('post', `/v1/subscriptions/${subscription.id}/test`, { token: keys.admin });
    expect(ok.body).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(failed.text + ok.text).not.toContain('internal-only-detail');
    const sent = receiver.received.at(-1)!;
    expect(
      new Webhook(signingSecret).verify(sent.body, sent.headers as Record<string, string>),
    ).toMatchObject({ type: 'finding.opened' });
  });

  it('rotates the secret, updates, lists deliveries, redelivers and deletes', async () => {
    const { call, keys, handle } = api();
    const created = await call('post', '/v1/subscriptions', {
      token: keys.admin,
      body: generic({ name: 'lifecycle' }),
    });
    const { subscription, signingSecret } = created.body as {
      subscription: { id: string; url: string };
      signingSecret: string;
    };
    const rotated = await call('post', `/v1/subscriptions/${subscription.id}/rotate-secret`, {
      token: keys.admin,
      body: { overlapSeconds: 600 },
    });
    expect(rotated.status).toBe(200);
    const next = rotated.body as { signingSecret: string; subscription: { previousSecretExpiresAt: string } };
    expect(next.signingSecret).not.toBe(signingSecret);
    expect(next.subscription.previousSecretExpiresAt).not.toBeNull();

    const patched = await call('patch', `/v1/subscriptions/${subscription.id}`, {
      token: keys.admin,
      body: { enabled: false, minSeverity: null },
    });
    expect(patched.body).toMatchObject({ enabled: false, minSeverity: null });

    await insertDeliveries(handle.db, [
      {
        subscriptionId: subscription.id,
        eventKey: 'route-test',
        webhookId: 'msg_route_test',
        eventType: 'scan.failed',
        eventTimestamp: new Date(),
        payload: { clusterName: 'prod-eu' },
        clusterId: null,
        ticketKey: null,
        host: `hooks.portal.test:${port}`,
      },
    ]);
    const page = await call('get', `/v1/subscriptions/${subscription.id}/deliveries`, {
      token: keys.read,
      query: { status: 'pending' },
    });
    const [delivery] = (
      page.body as { items: { id: string; webhookId: string; nextAttemptAt: string | null }[] }
    ).items;
    expect(delivery).toMatchObject({ webhookId: 'msg_route_test' });
    expect(delivery?.nextAttemptAt).not.toBeNull();
    const one = await call('get', `/v1/deliveries/${delivery!.id}`, { token: keys.read });
    expect(one.body).toMatchObject({ payload: { clusterName: 'prod-eu' } });

    // A disabled subscription's event is not redelivered until it is enabled again.
    const refused = await call('post', `/v1/deliveries/${delivery!.id}/redeliver`, { token: keys.admin });
    expect(refused.status).toBe(409);
    await call('patch', `/v1/subscriptions/${subscription.id}`, {
      token: keys.admin,
      body: { enabled: true },
    });
    const again = await call('post', `/v1/deliveries/${delivery!.id}/redeliver`, { token: keys.admin });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: 'pending', webhookId: 'msg_route_test' });

    expect((await call('delete', `/v1/subscriptions/${subscription.id}`, { token: keys.admin })).status).toBe(
      204,
    );
    expect((await call('get', `/v1/subscriptions/${subscription.id}`, { token: keys.read })).status).toBe(
      404,
    );
    expect((await call('delete', `/v1/subscriptions/${subscription.id}`, { token: keys.admin })).status).toBe(
      404,
    );
  });

  /** A generic subscription saved through the API, and one pending `scan.failed` delivery to it, due at `at`. */
  async function subscriptionWithDelivery(name: string, at: Date) {
    const { call, keys, handle } = api();
    const created = await call('post', '/v1/subscriptions', { token: keys.admin, body: generic({ name }) });
    expect(created.status).toBe(201);
    const { id } = (created.body as { subscription: { id: string } }).subscription;
    const stored = await getSubscription(handle.db, id);
    const deliveryId = await insertScanFailedDelivery(handle.db, stored!, { at });
    return { id, deliveryId };
  }

  async function shown(id: string) {
    const { call, keys } = api();
    const one = await call('get', `/v1/subscriptions/${id}`, { token: keys.read });
    expect(one.status).toBe(200);
    const list = await call('get', '/v1/subscriptions', { token: keys.read, query: { limit: 100 } });
    expect(list.status).toBe(200);
    const listed = (list.body as { items: { id: string }[] }).items.find((s) => s.id === id);
    return { one: one.body as Record<string, unknown>, listed };
  }

  it('shows a subscription the notifier disabled on 410 Gone as disabled, with the reason, in read and list', async () => {
    const at = new Date();
    const { id, deliveryId } = await subscriptionWithDelivery('gone', at);
    receiver.script = [{ status: 410 }];
    const report = await notifier.attempt(deliveryId, at);
    expect(report).toMatchObject({ status: 'failed', statusCode: 410 });

    const { one, listed } = await shown(id);
    const disabled = {
      id,
      enabled: false,
      disabledReason: `the endpoint answered 410 Gone at ${at.toISOString()}`,
      disabledAt: at.toISOString(),
      lastFailureAt: at.toISOString(),
      failingSince: at.toISOString(),
    };
    expect(one).toMatchObject({ ...disabled, deliveries: { pending: 0, failed: 1 } });
    expect(listed).toMatchObject(disabled);
    const { call, keys } = api();
    const deliveries = await call('get', `/v1/subscriptions/${id}/deliveries`, { token: keys.read });
    expect((deliveries.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ id: deliveryId, status: 'failed', lastStatusCode: 410 }),
    ]);
  });

  it('shows an endpoint failing for days with its failingSince, then disabled with the reason, in read and list', async () => {
    const started = new Date();
    const { id, deliveryId } = await subscriptionWithDelivery('failing', started);
    receiver.fallback = { status: 500 };
    try {
      let clock = started;
      let report = await notifier.attempt(deliveryId, clock);
      expect(report.status).toBe('retrying');
      // While it retries, the API shows the streak on a still enabled subscription.
      const failing = await shown(id);
      const streak = { id, enabled: true, disabledReason: null, failingSince: started.toISOString() };
      expect(failing.one).toMatchObject({ ...streak, lastFailureAt: started.toISOString() });
      expect(failing.listed).toMatchObject(streak);

      while (report.status === 'retrying') {
        clock = report.nextAttemptAt!;
        report = await notifier.attempt(deliveryId, clock);
      }
      expect(report.status).toBe('failed');
      // The next failure once the endpoint has failed for the whole retry window disables it.
      const after = new Date(started.getTime() + RETRY_WINDOW_SECONDS * 1000 + 1000);
      const later = await laterDelivery(id, after);
      const last = await notifier.attempt(later, after);
      expect(last.disabled).toBe(`failing since ${started.toISOString()} (last: deliver: HTTP 500)`);

      const { one, listed } = await shown(id);
      const disabled = {
        id,
        enabled: false,
        disabledReason: `failing since ${started.toISOString()} (last: deliver: HTTP 500)`,
        disabledAt: after.toISOString(),
        failingSince: started.toISOString(),
        lastFailureAt: after.toISOString(),
      };
      expect(one).toMatchObject(disabled);
      expect(listed).toMatchObject(disabled);
    } finally {
      receiver.fallback = { status: 204 };
    }
  });

  async function laterDelivery(subscriptionId: string, at: Date) {
    const { handle } = api();
    const stored = await getSubscription(handle.db, subscriptionId);
    return insertScanFailedDelivery(handle.db, stored!, { at });
  }

  it('needs admin to change and an unrestricted credential to see anything', async () => {
    const { call, keys } = api();
    expect((await call('post', '/v1/subscriptions', { token: keys.read, body: generic() })).status).toBe(403);
    expect((await call('get', '/v1/subscriptions', { token: keys.prodOnlyAdmin })).status).toBe(403);
  });

  it('answers 503 on the routes that need the notifier when the deployment has none', async () => {
    const { handle, keys } = api();
    const call = contractClient(
      createApp({
        db: handle.db,
        scans: inProcessScanRequester(handle.db, () => new Date()),
        config: TEST_CONFIG,
        logger: memoryLogger(),
      }),
    );
    const res = await call('post', '/v1/subscriptions', { token: keys.admin, body: generic() });
    expect(res.status).toBe(503);
    expect((await call('get', '/v1/subscriptions', { token: keys.read })).status).toBe(200);
  });

  it('describes every event in the document webhooks section with the Standard Webhooks headers', async () => {
    const { call } = api();
    const doc = (await call('get', '/openapi.json', {})).body as {
      webhooks: Record<string, { post: { parameters: { name: string }[]; requestBody: unknown } }>;
    };
    expect(Object.keys(doc.webhooks).sort()).toEqual([
      'compliance.control_regressed',
      'compliance.digest',
      'finding.opened',
      'finding.reopened',
      'finding.resolved',
      'scan.failed',
    ]);
    expect(doc.webhooks['finding.opened']!.post.parameters.map((p) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
  });
});
