import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp, silentLogger } from '@vigil/api';
import { openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNotificationService } from '../../../../test/notify/api-notifications.ts';
import { type GenericReceiver, startGenericReceiver } from '../../../../test/notify/receivers.ts';
import { runVigil } from '../testing.ts';

// `vigil subscriptions` against a Postgres database (no Vigil running: the command uses the database and the
// secrets key file itself), and through a running API.
let handle: TestDatabase;
let receiver: GenericReceiver;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  handle = await openTestDatabase('postgres');
  receiver = await startGenericReceiver();
  dir = await mkdtemp(join(tmpdir(), 'vigil-cli-subs-'));
  env = {
    DATABASE_URL: handle.url!,
    VIGIL_DATA_DIR: join(dir, 'data'),
    VIGIL_SECRETS_KEY_FILE: join(dir, 'secrets.key'),
    VIGIL_WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8',
  };
});
afterAll(async () => {
  await receiver?.close();
  await handle?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('vigil subscriptions', () => {
  it('adds a generic subscription, prints its secret once, sends a signed test, lists and removes it', async () => {
    const added = await runVigil(
      [
        'subscriptions',
        'add',
        'hooks',
        '--format',
        'generic',
        '--url',
        `${receiver.url}/in`,
        '--event',
        'finding.opened',
        '--event',
        'scan.failed',
        '--min-severity',
        'high',
        '--cluster-selector',
        'env=prod',
      ],
      { env },
    );
    expect(added.code, added.stderr).toBe(0);
    const secret = /^(whsec_\S+)$/m.exec(added.stdout)?.[1];
    expect(secret).toBeDefined();

    const list = await runVigil(['subscriptions', 'list'], { env });
    expect(list.stdout).toMatch(
      /^hooks {2}generic {2}http:\/\/127\.0\.0\.1:\d+\/in {2}\[finding\.opened, scan\.failed\] {2}enabled/m,
    );
    expect(list.stdout).not.toContain(secret!.slice(6));

    receiver.script = [{ status: 202 }];
    // The signature's timestamp comes from the command's clock; the reference library checks it against now.
    const test = await runVigil(['subscriptions', 'test', 'hooks'], { env, now: new Date().toISOString() });
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^Delivered: HTTP 202 in \d+ ms\.$/m);
    const sent = receiver.received.at(-1)!;
    expect(new Webhook(secret!).verify(sent.body, sent.headers as Record<string, string>)).toMatchObject({
      type: 'finding.opened',
    });

    receiver.script = [{ status: 500, body: 'secret internal detail' }];
    const failing = await runVigil(['subscriptions', 'test', 'hooks'], { env });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^Not delivered: deliver: HTTP 500/);
    expect(failing.stdout).not.toContain('secret internal detail');

    const rotated = await runVigil(['subscriptions', 'rotate-secret', 'hooks', '--overlap', '60'], { env });
    expect(rotated.stdout).toMatch(/^whsec_/m);
    expect((await runVigil(['subscriptions', 'deliveries', 'hooks'], { env })).stdout).toBe(
      'No deliveries.\n',
    );
    expect((await runVigil(['subscriptions', 'remove', 'hooks'], { env })).code).toBe(0);
    expect((await runVigil(['subscriptions', 'list', '--output', 'json'], { env })).stdout.trim()).toBe('[]');
  });

  it('reads credentials from a file, stores them sealed, and refuses destinations the guard refuses', async () => {
    const tokenFile = join(dir, 'pd.key');
    await writeFile(tokenFile, `${'a'.repeat(32)}\n`);
    const pd = await runVigil(
      [
        'subscriptions',
        'add',
        'oncall',
        '--format',
        'pagerduty',
        '--url',
        'http://127.0.0.1:9/v2/enqueue',
        '--event',
        'finding.opened',
        '--credential',
        `routingKey=@${tokenFile}`,
      ],
      { env },
    );
    expect(pd.code, pd.stderr).toBe(0);
    expect(JSON.stringify(await handle.db.execute('select * from notification_subscriptions'))).not.toContain(
      'a'.repeat(32),
    );

    const refused = await runVigil(
      [
        'subscriptions',
        'add',
        'meta',
        '--format',
        'generic',
        '--url',
        'http://169.254.169.254/',
        '--event',
        'scan.failed',
      ],
      { env },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/169\.254\.169\.254, a linkLocal address/);
    const noEvent = await runVigil(
      ['subscriptions', 'add', 'x', '--format', 'generic', '--url', 'https://h.example/'],
      { env },
    );
    expect(noEvent.code).toBe(2);
    expect(noEvent.stderr).toMatch(/name at least one --event/);
  });

  it('goes through the API of a running Vigil when VIGIL_API_URL is set', async () => {
    const created = await runVigil(['keys', 'create', '--scope', 'admin', '--name', 'subscriptions test'], {
      env,
    });
    const token = created.stdout.trim();
    const app = createApp({
      db: handle.db,
      scans: { requestScan: async () => ({ runId: 'unused', slot: 'unused' }) },
      notifications: await testNotificationService(handle.db),
      config: { corsOrigins: [], maxBodyBytes: 65_536, rateLimit: { requestsPerMinute: 1000 } },
      logger: silentLogger,
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const apiEnv = {
        ...env,
        VIGIL_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        VIGIL_API_KEY: token,
      };
      const added = await runVigil(
        [
          'subscriptions',
          'add',
          'via-api',
          '--format',
          'slack',
          '--url',
          'https://hooks.slack.test/services/T1/B1/SECRETPATH',
          '--event',
          'finding.opened',
        ],
        { env: apiEnv },
      );
      expect(added.code, added.stderr).toBe(0);
      const list = await runVigil(['subscriptions', 'list'], { env: apiEnv });
      expect(list.stdout).toMatch(/^via-api {2}slack {2}https:\/\/hooks\.slack\.test\/… /m);
      expect(list.stdout).not.toContain('SECRETPATH');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
