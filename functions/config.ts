import { oidcEnvShape, oidcFromEnv } from '@vigil/api/oidc-env';
import { z } from 'zod';

// The one place the Lambda functions read their environment. infra/functions.ts sets these variables; each
// function parses only what it uses, so a missing variable fails that function's first invocation with a
// message naming the variable, never its value (DATABASE_URL carries a password).

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const list = (item: z.ZodString) =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1'));

const database = {
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL'),
  /** Connections per function instance; the event source mapping's maximum concurrency bounds instances. */
  VIGIL_DB_POOL_SIZE: int(1, 20, 2),
  VIGIL_DB_STATEMENT_TIMEOUT_MS: int(1_000, 900_000, 60_000),
};
const scanQueue = { VIGIL_SCAN_QUEUE_URL: z.url({ protocol: /^https?$/ }) };

const notifyQueue = { VIGIL_NOTIFY_QUEUE_URL: z.url({ protocol: /^https?$/ }) };

const scanSchema = z.object({
  ...database,
  /** Where the scanner nudges the notifier after finalising a run (optional: the sweep delivers anyway). */
  VIGIL_NOTIFY_QUEUE_URL: notifyQueue.VIGIL_NOTIFY_QUEUE_URL.optional(),
  /** The scan queue's maxReceiveCount (infra/queues.ts): the delivery on which a failure becomes final. */
  VIGIL_SCAN_MAX_RECEIVES: int(1, 1_000, 5),
  /** Milliseconds of the invocation kept for the audit and the recording transaction. */
  VIGIL_SCAN_RESERVE_MS: int(1_000, 600_000, 20_000),
  VIGIL_TRUSTED_ACCOUNT_IDS: list(z.string().regex(/^\d{12}$/, 'must be 12-digit AWS account ids')),
  VIGIL_SAVE_SNAPSHOTS: flag(true),
});

const dispatchSchema = z.object({
  ...database,
  ...scanQueue,
  VIGIL_DISPATCH_SPREAD_SECONDS: int(0, 900, 0),
});

const apiSchema = z.object({
  ...database,
  ...scanQueue,
  VIGIL_CORS_ORIGINS: list(
    z.string().regex(/^https?:\/\/[^\s/]+$/, 'must be origins like https://portal.example.com'),
  ),
  VIGIL_MAX_BODY_BYTES: int(1_024, 10 * 1024 * 1024, 1024 * 1024),
  VIGIL_RATE_LIMIT_PER_MINUTE: int(1, 100_000, 600),
  VIGIL_BOOTSTRAP_ADMIN_KEY: z.string().min(1).optional(),
  ...oidcEnvShape,
  /** With the KMS key and the notify queue, the API serves the notification routes (else they answer 503). */
  VIGIL_NOTIFY_QUEUE_URL: z.url({ protocol: /^https?$/ }).optional(),
  VIGIL_NOTIFY_KMS_KEY_ID: z.string().min(1).optional(),
  VIGIL_WEBHOOK_ALLOW_CIDRS: z.string().optional(),
});

const notifySchema = z.object({
  ...database,
  ...notifyQueue,
  /** The KMS key that seals webhook secrets and ticketing credentials. */
  VIGIL_NOTIFY_KMS_KEY_ID: z.string().min(1),
  /** Private ranges webhook destinations may use (CIDRs, comma-separated); everything non-public otherwise refused. */
  VIGIL_WEBHOOK_ALLOW_CIDRS: z.string().optional(),
});

const retentionSchema = z.object({
  ...database,
  /** Days of history kept (at least 7; default 400). */
  VIGIL_RETENTION_DAYS: int(7, 36_500, 400),
});

const migrateSchema = z.object({
  ...database,
  /** Where the bundled migrations are (infra copies them next to the function). */
  VIGIL_MIGRATIONS_DIR: z.string().min(1).optional(),
});

/** A variable that is missing or malformed; the message names variables, never their values. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function parse<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`,
  );
  throw new ConfigError(`invalid function configuration: ${problems.join('; ')}`);
}

export interface DatabaseConfig {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
}

function databaseConfig(env: {
  DATABASE_URL: string;
  VIGIL_DB_POOL_SIZE: number;
  VIGIL_DB_STATEMENT_TIMEOUT_MS: number;
}): DatabaseConfig {
  return {
    url: env.DATABASE_URL,
    poolSize: env.VIGIL_DB_POOL_SIZE,
    statementTimeoutMs: env.VIGIL_DB_STATEMENT_TIMEOUT_MS,
  };
}

export function scanConfig(env: Env = process.env) {
  const parsed = parse(scanSchema, env);
  return {
    database: databaseConfig(parsed),
    maxReceiveCount: parsed.VIGIL_SCAN_MAX_RECEIVES,
    reserveMs: parsed.VIGIL_SCAN_RESERVE_MS,
    trustedAccountIds: parsed.VIGIL_TRUSTED_ACCOUNT_IDS,
    saveSnapshots: parsed.VIGIL_SAVE_SNAPSHOTS,
    ...(parsed.VIGIL_NOTIFY_QUEUE_URL ? { notifyQueueUrl: parsed.VIGIL_NOTIFY_QUEUE_URL } : {}),
  };
}

/** The notify function and the notify sweep. */
export function notifyConfig(env: Env = process.env) {
  const parsed = parse(notifySchema, env);
  return {
    database: databaseConfig(parsed),
    notifyQueueUrl: parsed.VIGIL_NOTIFY_QUEUE_URL,
    kmsKeyId: parsed.VIGIL_NOTIFY_KMS_KEY_ID,
    ...(parsed.VIGIL_WEBHOOK_ALLOW_CIDRS ? { webhookAllowCidrs: parsed.VIGIL_WEBHOOK_ALLOW_CIDRS } : {}),
  };
}

export function dispatchConfig(env: Env = process.env) {
  const parsed = parse(dispatchSchema, env);
  return {
    database: databaseConfig(parsed),
    scanQueueUrl: parsed.VIGIL_SCAN_QUEUE_URL,
    spreadSeconds: parsed.VIGIL_DISPATCH_SPREAD_SECONDS,
  };
}

export function apiConfig(env: Env = process.env) {
  const parsed = parse(apiSchema, env);
  const oidc = oidcFromEnv(parsed);
  if ('problem' in oidc) throw new ConfigError(`invalid function configuration: ${oidc.problem}`);
  return {
    database: databaseConfig(parsed),
    scanQueueUrl: parsed.VIGIL_SCAN_QUEUE_URL,
    ...(parsed.VIGIL_NOTIFY_QUEUE_URL && parsed.VIGIL_NOTIFY_KMS_KEY_ID
      ? {
          notify: {
            notifyQueueUrl: parsed.VIGIL_NOTIFY_QUEUE_URL,
            kmsKeyId: parsed.VIGIL_NOTIFY_KMS_KEY_ID,
            ...(parsed.VIGIL_WEBHOOK_ALLOW_CIDRS
              ? { webhookAllowCidrs: parsed.VIGIL_WEBHOOK_ALLOW_CIDRS }
              : {}),
          },
        }
      : {}),
    api: {
      corsOrigins: parsed.VIGIL_CORS_ORIGINS,
      maxBodyBytes: parsed.VIGIL_MAX_BODY_BYTES,
      rateLimit: { requestsPerMinute: parsed.VIGIL_RATE_LIMIT_PER_MINUTE },
      ...(oidc.oidc ? { oidc: oidc.oidc } : {}),
      ...(parsed.VIGIL_BOOTSTRAP_ADMIN_KEY ? { bootstrapAdminKey: parsed.VIGIL_BOOTSTRAP_ADMIN_KEY } : {}),
    },
  };
}

export function retentionConfig(env: Env = process.env) {
  const parsed = parse(retentionSchema, env);
  return { database: databaseConfig(parsed), retentionDays: parsed.VIGIL_RETENTION_DAYS };
}

export function migrateConfig(env: Env = process.env) {
  const parsed = parse(migrateSchema, env);
  return {
    database: databaseConfig(parsed),
    ...(parsed.VIGIL_MIGRATIONS_DIR ? { migrationsDir: parsed.VIGIL_MIGRATIONS_DIR } : {}),
  };
}
