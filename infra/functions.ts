import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSUME_ROLE_ACTION, SCANNER_IAM_ACTIONS } from '@vigil/collect';
import { databaseUrl } from './database.ts';
import { vpc } from './network.ts';
import { notifyQueue, scanQueue } from './queues.ts';
import { settings } from './settings.ts';

/**
 * The per-cluster roles the scanner assumes are all named `vigil-scanner` (deploy/aws/trust-policy.json
 * trusts the scanner's role by name, with the cluster's external id); nothing else may be assumed.
 */
export const SCANNER_ROLE_RESOURCE = 'arn:aws:iam::*:role/vigil-scanner';

/** The scan function's role name, which the clusters' trust policies name as their principal. */
export const scanRoleName = settings.production ? 'vigil-scan' : `vigil-scan-${settings.stage}`;

/** What of swagger-ui-dist the API's /docs page loads (scripts/build-functions.ts ships the same). */
export const SWAGGER_UI_FILES = [
  'package.json',
  'swagger-ui.css',
  'index.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
];

export const LAMBDA_ALIASES = { '@electric-sql/pglite': './functions/stubs/pglite.ts' };

/** What every function shares: Node 24 on Graviton, inside the VPC, bundled by SST's esbuild. */
export function base(handler: string): SstFunctionArgs {
  return {
    handler,
    runtime: 'nodejs24.x',
    architecture: 'arm64',
    vpc,
    // The AWS SDK is bundled (as SST does by default) rather than taken from the runtime, so the code runs
    // against the SDK version it was tested with.
    // PGlite (the local stack's embedded engine) is swapped for a stub that throws: the functions always
    // connect to Aurora, and the smaller bundle loads faster (scripts/build-functions.ts does the same).
    nodejs: { format: 'esm', minify: true, sourcemap: true, esbuild: { alias: LAMBDA_ALIASES } },
    logging: { retention: settings.logRetention, format: 'json' },
  };
}

/** The database, over TLS verified against the Amazon root CAs that Lambda ships but does not load. */
export const databaseEnvironment = {
  DATABASE_URL: databaseUrl,
  NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
};

export const sendScanMessages: SstPermission = { actions: ['sqs:SendMessage'], resources: [scanQueue.arn] };

export const scan = new sst.aws.Function('Scan', {
  ...base('functions/scan.handler'),
  description: 'Scans clusters from the scan queue (partial batch responses)',
  timeout: `${settings.scan.timeoutSeconds} seconds`,
  memory: `${settings.scan.memoryMb} MB`,
  environment: {
    ...databaseEnvironment,
    VIGIL_SCAN_MAX_RECEIVES: String(settings.scan.maxReceiveCount),
    VIGIL_SCAN_RESERVE_MS: String(settings.scan.reserveMs),
    VIGIL_DB_POOL_SIZE: '2',
    VIGIL_NOTIFY_QUEUE_URL: notifyQueue.url,
    ...(settings.trustedAccountIds.length > 0
      ? { VIGIL_TRUSTED_ACCOUNT_IDS: settings.trustedAccountIds.join(',') }
      : {}),
  },
  permissions: [
    // What Lambda's event source mapping needs of the consumer, on this queue only.
    {
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resources: [scanQueue.arn],
    },
    // The nudge that has the notifier fan out a finalised run's outbox rows at once.
    { actions: ['sqs:SendMessage'], resources: [notifyQueue.arn] },
    { actions: [ASSUME_ROLE_ACTION], resources: [SCANNER_ROLE_RESOURCE] },
    // Clusters in the scanner's own account are read with its own identity: the same read-only calls.
    { actions: [...SCANNER_IAM_ACTIONS], resources: ['*'] },
  ],
  transform: { role: { name: scanRoleName } },
});

export const scanSubscription = scanQueue.subscribe(scan.arn, {
  batch: {
    size: settings.scan.batchSize,
    window: `${settings.scan.batchWindowSeconds} seconds`,
    partialResponses: true,
  },
  transform: {
    // Bounds concurrent scans (and so database connections: two per instance).
    eventSourceMapping: { scalingConfig: { maximumConcurrency: settings.scan.maxConcurrency } },
  },
});

export const dispatch = new sst.aws.Function('Dispatch', {
  ...base('functions/dispatch.handler'),
  description: 'Sends one scan message per due cluster',
  timeout: '120 seconds',
  memory: '512 MB',
  environment: {
    ...databaseEnvironment,
    VIGIL_SCAN_QUEUE_URL: scanQueue.url,
    VIGIL_DISPATCH_SPREAD_SECONDS: String(settings.dispatch.spreadSeconds),
  },
  permissions: [sendScanMessages],
});

/** Deletes history older than the retention, daily (infra/scheduler.ts); needs only the database. */
export const retention = new sst.aws.Function('Retention', {
  ...base('functions/retention.handler'),
  description: 'Deletes runs, findings and deliveries older than the retention',
  timeout: '900 seconds',
  memory: '512 MB',
  environment: {
    ...databaseEnvironment,
    VIGIL_RETENTION_DAYS: String(settings.retention.days),
    VIGIL_DB_STATEMENT_TIMEOUT_MS: '300000',
  },
  permissions: [],
});

const MIGRATIONS = 'packages/db/migrations';

export const migrate = new sst.aws.Function('Migrate', {
  ...base('functions/migrate.handler'),
  description: 'Applies database migrations (a deploy step)',
  timeout: '300 seconds',
  memory: '512 MB',
  copyFiles: [{ from: MIGRATIONS, to: 'migrations' }],
  environment: { ...databaseEnvironment, VIGIL_MIGRATIONS_DIR: '/var/task/migrations' },
  permissions: [],
});

/** Changes whenever a migration is added or changed, so the deploy step runs exactly then. */
export function migrationsDigest(root = process.cwd()): string {
  const hash = createHash('sha256');
  const dir = join(root, MIGRATIONS);
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.sql')) hash.update(name).update(readFileSync(join(dir, name)));
  }
  hash.update(readFileSync(join(dir, 'meta/_journal.json')));
  return hash.digest('hex');
}

/** Migrations as a deploy step: the migrate function is invoked by the deploy, not by a cold start. */
export const runMigrations = new aws.lambda.Invocation('RunMigrations', {
  functionName: migrate.name,
  input: $jsonStringify({}),
  triggers: { migrations: migrationsDigest() },
});
