import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSUME_ROLE_ACTION, SCANNER_IAM_ACTIONS } from '@vigil/collect';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDeploy, recordedFunction, resetFakeDeploy } from './testing/deploy.ts';

// sst.config.ts and infra/ evaluated with SST's globals replaced by recording fakes: what would be
// deployed, read back and checked (RELIABILITY 5 among it).

const ROOT = join(import.meta.dirname, '..');

const deploy = fakeDeploy;
const fn = recordedFunction;
const seconds = (duration: string) => {
  const [amount, unit] = duration.split(' ');
  return Number(amount) * (unit?.startsWith('minute') ? 60 : unit?.startsWith('hour') ? 3_600 : 1);
};

afterEach(resetFakeDeploy);

describe('sst.config.ts', () => {
  it('names the app and keeps production resources on removal', async () => {
    const { config } = await deploy();
    expect(config.app({ stage: 'production' })).toMatchObject({
      name: 'vigil',
      home: 'aws',
      removal: 'retain',
      protect: true,
    });
    expect(config.app({ stage: 'dev' })).toMatchObject({ removal: 'remove', protect: false });
  });

  it('returns the endpoints, queues and role name an operator needs, and no secret', async () => {
    const { outputs } = await deploy();
    expect(outputs).toEqual({
      api: '<Api.url>',
      scanQueue: '<ScanQueue.url>',
      scanDeadLetterQueue: '<ScanDeadLetterQueue.url>',
      notifyQueue: '<NotifyQueue.url>',
      notifyDeadLetterQueue: '<NotifyDeadLetterQueue.url>',
      databaseHost: '<Database.host>',
      migrateFunction: '<Migrate.name>',
      scanRoleName: 'vigil-scan',
      alarmTopic: '<AlarmTopic.arn>',
    });
    expect(JSON.stringify(outputs)).not.toMatch(/password/i);
  });
});

describe('the pipeline wiring', () => {
  it('runs schedule -> dispatch -> scan queue -> scan', async () => {
    const { fake } = await deploy();
    const schedule = fake.get('sst.aws.CronV2', 'DispatchSchedule').args;
    expect(schedule).toMatchObject({
      function: '<Dispatch.arn>',
      schedule: 'cron(0 2 * * ? *)',
      timezone: 'UTC',
    });
    expect(schedule.retries).toBeGreaterThanOrEqual(1);
    expect(fn(fake, 'Dispatch')).toMatchObject({
      handler: 'functions/dispatch.handler',
      environment: { VIGIL_SCAN_QUEUE_URL: '<ScanQueue.url>' },
    });
    const subscription = fake.get('sst.aws.Queue.subscribe', 'ScanQueue').args;
    expect(subscription.subscriber).toBe('<Scan.arn>');
    expect(fn(fake, 'Scan').handler).toBe('functions/scan.handler');
    // Manual scans from the API take the same queue.
    expect(fn(fake, 'ApiHandler').environment.VIGIL_SCAN_QUEUE_URL).toBe('<ScanQueue.url>');
  });

  it('has partial batch responses on, a batch SQS can deliver, and bounded concurrency', async () => {
    const { fake } = await deploy();
    const { batch, transform } = fake.get('sst.aws.Queue.subscribe', 'ScanQueue').args as {
      batch: { size: number; partialResponses: boolean };
      transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: number } } };
    };
    expect(batch.partialResponses).toBe(true);
    expect(batch.size).toBeGreaterThanOrEqual(1);
    expect(batch.size).toBeLessThanOrEqual(10);
    expect(transform.eventSourceMapping.scalingConfig.maximumConcurrency).toBeGreaterThanOrEqual(2);
  });

  it('gives each queue a DLQ after at least 5 receives and a visibility of at least 6x its consumer timeout', async () => {
    const { fake } = await deploy();
    const scanQueue = fake.get('sst.aws.Queue', 'ScanQueue').args as {
      visibilityTimeout: string;
      dlq: { queue: string; retry: number };
    };
    expect(scanQueue.dlq.queue).toBe('<ScanDeadLetterQueue.arn>');
    expect(scanQueue.dlq.retry).toBeGreaterThanOrEqual(5);
    expect(seconds(scanQueue.visibilityTimeout)).toBeGreaterThanOrEqual(
      6 * seconds(fn(fake, 'Scan').timeout),
    );
    // The scanner knows on which delivery a failure becomes final.
    expect(Number(fn(fake, 'Scan').environment.VIGIL_SCAN_MAX_RECEIVES)).toBe(scanQueue.dlq.retry);

    const notifyQueue = fake.get('sst.aws.Queue', 'NotifyQueue').args as typeof scanQueue;
    expect(notifyQueue.dlq.queue).toBe('<NotifyDeadLetterQueue.arn>');
    expect(notifyQueue.dlq.retry).toBeGreaterThanOrEqual(5);
    expect(seconds(notifyQueue.visibilityTimeout)).toBeGreaterThanOrEqual(
      6 * seconds(fn(fake, 'Notify').timeout),
    );
  });

  it('alarms on any message in a DLQ, on old messages and on function errors', async () => {
    const { fake } = await deploy();
    const alarms = fake
      .all('aws.cloudwatch.MetricAlarm')
      .map((a) => ({ name: a.name, ...a.args }) as Record<string, unknown>);
    const on = (metric: string, dimension: string) =>
      alarms.find(
        (a) => a.metricName === metric && Object.values(a.dimensions as object).includes(dimension),
      );
    for (const dlq of ['<ScanDeadLetterQueue.name>', '<NotifyDeadLetterQueue.name>']) {
      expect(on('ApproximateNumberOfMessagesVisible', dlq)).toMatchObject({
        namespace: 'AWS/SQS',
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        alarmActions: ['<AlarmTopic.arn>'],
      });
    }
    expect(on('ApproximateAgeOfOldestMessage', '<ScanQueue.name>')).toMatchObject({ threshold: 7_200 });
    expect(on('ApproximateAgeOfOldestMessage', '<NotifyQueue.name>')).toBeDefined();
    for (const name of ['Scan', 'Dispatch', 'ApiHandler', 'Migrate', 'Notify', 'NotifySweep', 'Retention']) {
      expect(on('Errors', `<${name}.name>`)).toMatchObject({ namespace: 'AWS/Lambda', threshold: 0 });
    }
    expect(fake.all('aws.sns.TopicSubscription')).toEqual([]);
  });

  it('subscribes the alarm email given at deploy time', async () => {
    const { fake } = await deploy({ env: { VIGIL_ALARM_EMAIL: 'oncall@example.com' } });
    expect(fake.get('aws.sns.TopicSubscription', 'AlarmEmail').args).toEqual({
      topic: '<AlarmTopic.arn>',
      protocol: 'email',
      endpoint: 'oncall@example.com',
    });
  });
});

describe('notifications', () => {
  it('runs outbox -> sweep/nudge -> notify queue -> notify, with partial batch responses', async () => {
    const { fake } = await deploy();
    expect(fake.get('sst.aws.Queue.subscribe', 'NotifyQueue').args).toMatchObject({
      subscriber: '<Notify.arn>',
      batch: { partialResponses: true },
    });
    expect(fake.get('sst.aws.CronV2', 'NotifySweepSchedule').args).toMatchObject({
      function: '<NotifySweep.arn>',
      schedule: 'rate(1 minute)',
    });
    expect(fn(fake, 'Scan').environment.VIGIL_NOTIFY_QUEUE_URL).toBe('<NotifyQueue.url>');
    for (const name of ['Notify', 'NotifySweep']) {
      expect(fn(fake, name).environment).toMatchObject({
        VIGIL_NOTIFY_QUEUE_URL: '<NotifyQueue.url>',
        VIGIL_NOTIFY_KMS_KEY_ID: '<NotifyKey.arn>',
      });
    }
    expect(fake.get('aws.kms.Key', 'NotifyKey').args).toMatchObject({ enableKeyRotation: true });
  });

  it('runs the retention job daily with the configured number of days', async () => {
    const { fake } = await deploy({ env: { VIGIL_RETENTION_DAYS: '90' } });
    expect(fake.get('sst.aws.CronV2', 'RetentionSchedule').args).toMatchObject({
      function: '<Retention.arn>',
      schedule: 'cron(30 3 * * ? *)',
    });
    expect(fn(fake, 'Retention').environment).toMatchObject({ VIGIL_RETENTION_DAYS: '90' });
    resetFakeDeploy();
    expect(fn((await deploy()).fake, 'Retention').environment).toMatchObject({ VIGIL_RETENTION_DAYS: '400' });
    resetFakeDeploy();
    await expect(deploy({ env: { VIGIL_RETENTION_DAYS: '3' } })).rejects.toThrow(/VIGIL_RETENTION_DAYS/);
  });

  it('builds the daily compliance digest on its own schedule through the sweep function', async () => {
    const { fake } = await deploy();
    expect(fake.get('sst.aws.CronV2', 'NotifyDigestSchedule').args).toMatchObject({
      function: '<NotifySweep.arn>',
      schedule: 'cron(0 6 * * ? *)',
      event: { source: 'vigil.notify-digest' },
    });
  });

  it('sweeps hourly outside production so the database can pause', async () => {
    const { fake } = await deploy({ stage: 'dev' });
    expect(fake.get('sst.aws.CronV2', 'NotifySweepSchedule').args).toMatchObject({
      schedule: 'rate(1 hour)',
    });
  });

  it('lets only the notify function and the API open sealed secrets, and only with the notify key', async () => {
    const { fake } = await deploy();
    expect(fn(fake, 'Notify').permissions).toEqual([
      {
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        resources: ['<NotifyQueue.arn>'],
      },
      { actions: ['sqs:SendMessage'], resources: ['<NotifyQueue.arn>'] },
      { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: ['<NotifyKey.arn>'] },
    ]);
    expect(fn(fake, 'NotifySweep').permissions).toEqual([
      { actions: ['sqs:SendMessage'], resources: ['<NotifyQueue.arn>'] },
    ]);
    for (const name of ['Scan', 'Dispatch', 'Migrate', 'NotifySweep']) {
      const granted = JSON.stringify(fn(fake, name).permissions);
      expect(granted).not.toContain('kms:Decrypt');
      expect(granted).not.toContain('kms:GenerateDataKey');
    }
    expect(fn(fake, 'ApiHandler').environment).toMatchObject({
      VIGIL_NOTIFY_QUEUE_URL: '<NotifyQueue.url>',
      VIGIL_NOTIFY_KMS_KEY_ID: '<NotifyKey.arn>',
    });
    expect(fn(fake, 'Scan').permissions).toContainEqual({
      actions: ['sqs:SendMessage'],
      resources: ['<NotifyQueue.arn>'],
    });
  });
});

describe('permissions', () => {
  it('grants each function only the calls it makes, on the resources it makes them on', async () => {
    const { fake } = await deploy();
    const grants = (name: string) => fn(fake, name).permissions;
    expect(grants('Dispatch')).toEqual([{ actions: ['sqs:SendMessage'], resources: ['<ScanQueue.arn>'] }]);
    expect(grants('ApiHandler')).toEqual([
      { actions: ['sqs:SendMessage'], resources: ['<ScanQueue.arn>'] },
      { actions: ['sqs:SendMessage'], resources: ['<NotifyQueue.arn>'] },
      { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: ['<NotifyKey.arn>'] },
    ]);
    expect(grants('Migrate')).toEqual([]);
    expect(grants('Retention')).toEqual([]);
    const scan = grants('Scan');
    expect(scan).toContainEqual({
      actions: [ASSUME_ROLE_ACTION],
      resources: ['arn:aws:iam::*:role/vigil-scanner'],
    });
    expect(scan.find((p) => p.actions.some((a) => a.startsWith('sqs:')))).toEqual({
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resources: ['<ScanQueue.arn>'],
    });
    const reads = scan.find((p) => p.actions.some((a) => a.startsWith('eks:')));
    expect([...(reads?.actions ?? [])].sort()).toEqual([...SCANNER_IAM_ACTIONS].sort());
    for (const { actions } of [scan, grants('Dispatch')].flat()) {
      for (const action of actions) {
        expect(action).not.toContain('*');
        expect(action).toMatch(
          /^(sqs:(ReceiveMessage|DeleteMessage|ChangeMessageVisibility|GetQueueAttributes|SendMessage)|sts:AssumeRole|(eks|kms):(Describe|List|Get)[A-Za-z]+)$/,
        );
      }
    }
    // Links would add SST's broad grants (sqs:* on a linked queue); none is used.
    for (const f of fake.all('sst.aws.Function')) expect(f.args.link).toBeUndefined();
  });

  it('names the scan role as the shipped cluster trust policy expects', async () => {
    const trust = JSON.parse(readFileSync(join(ROOT, 'deploy/aws/trust-policy.json'), 'utf8')) as {
      Statement: { Principal: { AWS: string } }[];
    };
    const principalRole = trust.Statement[0]!.Principal.AWS.split(':role/')[1];
    const production = await deploy();
    expect(fn(production.fake, 'Scan').transform?.role?.name).toBe(principalRole);
    resetFakeDeploy();
    const dev = await deploy({ stage: 'dev' });
    expect(fn(dev.fake, 'Scan').transform?.role?.name).toBe(`${principalRole}-dev`);
  });
});

describe('functions', () => {
  it('run Node 24 on arm64 in the VPC, reaching the database over verified TLS', async () => {
    const { fake } = await deploy();
    for (const name of ['Scan', 'Dispatch', 'ApiHandler', 'Migrate']) {
      const args = fn(fake, name);
      expect(args).toMatchObject({ runtime: 'nodejs24.x', architecture: 'arm64', vpc: '<Vpc>' });
      expect(args.environment.DATABASE_URL).toBe(
        'postgres://%3CDatabase.username%3E:%3CDatabase.password%3E@<Database.host>:5432/<Database.database>?sslmode=verify-full',
      );
      expect(args.environment.NODE_EXTRA_CA_CERTS).toBe('/var/runtime/ca-cert.pem');
    }
  });

  it('ship the migrations with the migrate function and run it as a deploy step when they change', async () => {
    const { fake } = await deploy();
    expect(fn(fake, 'Migrate').copyFiles).toEqual([{ from: 'packages/db/migrations', to: 'migrations' }]);
    const invocation = fake.get('aws.lambda.Invocation', 'RunMigrations').args as {
      functionName: string;
      input: string;
      triggers: { migrations: string };
    };
    expect(invocation).toMatchObject({ functionName: '<Migrate.name>', input: '{}' });

    const { migrationsDigest } = await import('./functions.ts');
    expect(invocation.triggers.migrations).toBe(migrationsDigest(ROOT));
    const copy = mkdtempSync(join(tmpdir(), 'vigil-migrations-'));
    try {
      cpSync(join(ROOT, 'packages/db/migrations'), join(copy, 'packages/db/migrations'), { recursive: true });
      expect(migrationsDigest(copy)).toBe(invocation.triggers.migrations);
      writeFileSync(join(copy, 'packages/db/migrations/9999_next.sql'), 'select 1;');
      expect(migrationsDigest(copy)).not.toBe(invocation.triggers.migrations);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('network, database and API', () => {
  it('uses a NAT instance rather than NAT gateways, and keeps the database in the VPC', async () => {
    const { fake } = await deploy();
    expect(fake.get('sst.aws.Vpc', 'Vpc').args).toMatchObject({ nat: 'ec2', az: 2 });
    expect(fake.get('sst.aws.Aurora', 'Database').args).toMatchObject({
      engine: 'postgres',
      vpc: '<Vpc>',
      scaling: { min: '0.5 ACU', max: '8 ACU' },
    });
  });

  it('lets the database of other stages pause when idle', async () => {
    const { fake } = await deploy({ stage: 'dev' });
    expect(fake.get('sst.aws.Aurora', 'Database').args).toMatchObject({
      scaling: { min: '0 ACU', pauseAfter: '30 minutes' },
    });
  });

  it('puts the app behind the gateway with its own keys when no OIDC issuer is configured', async () => {
    const { fake } = await deploy();
    expect(fake.all('sst.aws.ApiGatewayV2.authorizer')).toEqual([]);
    expect(fake.get('sst.aws.ApiGatewayV2.route', 'Api $default').args).toEqual({
      handler: '<ApiHandler.arn>',
    });
  });

  it('lets API keys and OIDC tokens through to the app when an issuer is configured, with all its settings', async () => {
    const scopeMap = '{"platform-security":["admin"],"auditors":["read"]}';
    const { fake } = await deploy({
      env: {
        VIGIL_OIDC_ISSUER: 'https://login.example.com/realms/ops',
        VIGIL_OIDC_AUDIENCE: 'vigil',
        VIGIL_OIDC_JWKS_URL: 'https://login.example.com/realms/ops/certs',
        VIGIL_OIDC_SCOPE_CLAIM: 'groups',
        VIGIL_OIDC_SCOPE_MAP: scopeMap,
      },
    });
    // No gateway authorizer: it would turn away every vgl_ key before the app sees it.
    expect(fake.all('sst.aws.ApiGatewayV2.authorizer')).toEqual([]);
    expect(fake.get('sst.aws.ApiGatewayV2.route', 'Api $default').args).toEqual({
      handler: '<ApiHandler.arn>',
    });
    const environment = fn(fake, 'ApiHandler').environment;
    expect(environment).toMatchObject({
      VIGIL_OIDC_ISSUER: 'https://login.example.com/realms/ops',
      VIGIL_OIDC_AUDIENCE: 'vigil',
      VIGIL_OIDC_JWKS_URL: 'https://login.example.com/realms/ops/certs',
      VIGIL_OIDC_SCOPE_CLAIM: 'groups',
    });
    expect(JSON.parse(environment.VIGIL_OIDC_SCOPE_MAP!)).toEqual(JSON.parse(scopeMap));
    for (const name of ['Scan', 'Dispatch', 'Migrate', 'Notify']) {
      expect(fn(fake, name).environment.VIGIL_OIDC_ISSUER).toBeUndefined();
    }
  });

  it('checks OIDC tokens at the gateway before the app with VIGIL_API_GATEWAY_AUTH=jwt, health left open', async () => {
    const { fake } = await deploy({
      env: {
        VIGIL_OIDC_ISSUER: 'https://login.example.com/realms/ops',
        VIGIL_OIDC_AUDIENCE: 'vigil',
        VIGIL_API_GATEWAY_AUTH: 'jwt',
      },
    });
    expect(fake.get('sst.aws.ApiGatewayV2.authorizer', 'Api oidc').args).toMatchObject({
      jwt: { issuer: 'https://login.example.com/realms/ops', audiences: ['vigil'] },
    });
    expect(fake.get('sst.aws.ApiGatewayV2.route', 'Api $default').args).toEqual({
      handler: '<ApiHandler.arn>',
      auth: { jwt: { authorizer: '<Api.authorizer.oidc.id>' } },
    });
    expect(fake.get('sst.aws.ApiGatewayV2.route', 'Api GET /healthz').args).toEqual({
      handler: '<ApiHandler.arn>',
    });
    // The app still checks the token for its scopes.
    expect(fn(fake, 'ApiHandler').environment.VIGIL_OIDC_ISSUER).toBe('https://login.example.com/realms/ops');
  });
});

describe('deploy settings', () => {
  it('hands a bootstrap admin key to the API function only, and refuses one that is not a Vigil key', async () => {
    const key = 'vgl_0123456789abcdef_0123456789abcdefghijklmnopqrstuvwx_abcdef';
    const { fake } = await deploy({ env: { VIGIL_BOOTSTRAP_ADMIN_KEY: key } });
    expect(fn(fake, 'ApiHandler').environment.VIGIL_BOOTSTRAP_ADMIN_KEY).toBe(key);
    for (const name of ['Scan', 'Dispatch', 'Migrate']) {
      expect(fn(fake, name).environment.VIGIL_BOOTSTRAP_ADMIN_KEY).toBeUndefined();
    }
    resetFakeDeploy();
    await expect(deploy({ env: { VIGIL_BOOTSTRAP_ADMIN_KEY: 'hunter2' } })).rejects.toThrow(
      /VIGIL_BOOTSTRAP_ADMIN_KEY: a Vigil API key/,
    );
  });

  it('takes another schedule and spread from the deploying environment', async () => {
    const { fake } = await deploy({
      env: { VIGIL_DISPATCH_SCHEDULE: 'rate(1 hour)', VIGIL_DISPATCH_SPREAD_SECONDS: '300' },
    });
    expect(fake.get('sst.aws.CronV2', 'DispatchSchedule').args).toMatchObject({ schedule: 'rate(1 hour)' });
    expect(fn(fake, 'Dispatch').environment.VIGIL_DISPATCH_SPREAD_SECONDS).toBe('300');
  });

  it('stops the deploy on a malformed override, naming it', async () => {
    await expect(deploy({ env: { VIGIL_DISPATCH_SCHEDULE: 'every day' } })).rejects.toThrow(
      /VIGIL_DISPATCH_SCHEDULE/,
    );
    resetFakeDeploy();
    await expect(deploy({ env: { VIGIL_OIDC_ISSUER: 'https://login.example.com' } })).rejects.toThrow(
      /together/,
    );
  });

  it('refuses OIDC settings that cannot work, naming the variable', async () => {
    const oidc = { VIGIL_OIDC_ISSUER: 'https://login.example.com', VIGIL_OIDC_AUDIENCE: 'vigil' };
    for (const bad of [
      '{"auditors":["read"]',
      '["read"]',
      '{"auditors":"read"}',
      '{"auditors":["write"]}',
      '{"auditors":[]}',
    ]) {
      resetFakeDeploy();
      await expect(deploy({ env: { ...oidc, VIGIL_OIDC_SCOPE_MAP: bad } })).rejects.toThrow(
        /VIGIL_OIDC_SCOPE_MAP: .*a JSON object mapping a claim value to a list of scopes among read, scan and admin/,
      );
    }
    resetFakeDeploy();
    await expect(deploy({ env: { VIGIL_API_GATEWAY_AUTH: 'jwt' } })).rejects.toThrow(
      /VIGIL_API_GATEWAY_AUTH=jwt needs VIGIL_OIDC_ISSUER/,
    );
    resetFakeDeploy();
    await expect(deploy({ env: { ...oidc, VIGIL_API_GATEWAY_AUTH: 'iam' } })).rejects.toThrow(
      /VIGIL_API_GATEWAY_AUTH/,
    );
    resetFakeDeploy();
    await expect(deploy({ env: { VIGIL_OIDC_SCOPE_MAP: '{"auditors":["read"]}' } })).rejects.toThrow(
      /VIGIL_OIDC_SCOPE_MAP need VIGIL_OIDC_ISSUER/,
    );
  });
});
