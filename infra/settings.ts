import { type OidcConfig, oidcEnvShape, oidcFromEnv } from '@vigil/api/oidc-env';
import { z } from 'zod';

/**
 * Deploy-time settings: per-stage defaults, a few of them overridable from the environment of the
 * machine that runs `sst deploy` (the one place infra/ reads `process.env`). Production keeps a warm
 * database and longer logs; other stages let the database pause.
 */
export interface Settings {
  stage: string;
  production: boolean;
  dispatch: {
    /** EventBridge Scheduler expression; daily by default. Per-cluster intervals are honoured at this granularity. */
    schedule: string;
    timezone: string;
    /** Seconds over which one dispatcher run spreads the fleet's scans (SQS delay, at most 900). */
    spreadSeconds: number;
    /** The scheduler's retries of a failed dispatcher invocation. */
    retries: number;
  };
  scan: {
    timeoutSeconds: number;
    memoryMb: number;
    /** Messages per invocation (the event source mapping's batch size), scanned concurrently. */
    batchSize: number;
    batchWindowSeconds: number;
    /** Invocations at once; with 2 connections each this bounds the scanner's database connections. */
    maxConcurrency: number;
    /** Deliveries before a message goes to the DLQ (the last one records a still-failing scan as failed). */
    maxReceiveCount: number;
    /** Milliseconds of each invocation kept for the audit and the recording transaction. */
    reserveMs: number;
  };
  database: { minAcu: number; maxAcu: number; pauseAfter?: string };
  retention: {
    /** Days of history the daily retention job keeps (VIGIL_RETENTION_DAYS, at least 7). */
    days: number;
    schedule: string;
  };
  notify: {
    /** How often the sweep turns outbox rows into deliveries and re-queues due ones. */
    sweepSchedule: string;
    /** When each subscription's daily compliance digest is built (EventBridge Scheduler expression, UTC). */
    digestSchedule: string;
    batchSize: number;
    maxConcurrency: number;
    /** Private ranges webhook destinations may use (VIGIL_WEBHOOK_ALLOW_CIDRS). */
    webhookAllowCidrs?: string;
  };
  api: ApiAuthSettings & {
    corsOrigins: string[];
    /** A `vgl_` key the API stores as an admin key at start (the first key of a new deployment). */
    bootstrapAdminKey?: string;
  };
  alarms: {
    email?: string;
    /** The oldest scan message may wait this long (the dispatch spread plus a few scans) before alarming. */
    scanQueueMaxAgeSeconds: number;
    notifyQueueMaxAgeSeconds: number;
  };
  trustedAccountIds: string[];
  logRetention: string;
}

/**
 * Who checks the API's bearer tokens.
 * - `keys`: no OIDC issuer configured; the app accepts its own `vgl_` API keys.
 * - `keys+oidc` (an issuer configured, the default with one): the gateway lets every request through and the
 *   app accepts both its API keys and the issuer's tokens (their claims mapped to scopes).
 * - `gateway-jwt` (VIGIL_API_GATEWAY_AUTH=jwt): API Gateway's JWT authorizer rejects requests without a valid
 *   token of the issuer before they reach the app, so API keys cannot pass the gateway; /healthz stays open.
 */
export type ApiAuthSettings =
  | { auth: 'keys'; oidc?: undefined }
  | { auth: 'keys+oidc' | 'gateway-jwt'; oidc: OidcConfig };

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  );

const scheduleExpression = z
  .string()
  .regex(/^(rate|cron)\(.+\)$/, 'an EventBridge Scheduler rate(...) or cron(...) expression');

const envSchema = z.object({
  VIGIL_DISPATCH_SCHEDULE: scheduleExpression.optional(),
  VIGIL_DIGEST_SCHEDULE: scheduleExpression.optional(),
  VIGIL_RETENTION_DAYS: z.coerce.number().int().min(7).max(36_500).optional(),
  VIGIL_DISPATCH_TIMEZONE: z.string().min(1).optional(),
  VIGIL_DISPATCH_SPREAD_SECONDS: z.coerce.number().int().min(0).max(900).optional(),
  VIGIL_ALARM_EMAIL: z.email().optional(),
  VIGIL_WEBHOOK_ALLOW_CIDRS: z.string().min(1).optional(),
  ...oidcEnvShape,
  /** `none` (default): the app checks API keys and OIDC tokens. `jwt`: API Gateway's JWT authorizer in front. */
  VIGIL_API_GATEWAY_AUTH: z.enum(['none', 'jwt']).default('none'),
  VIGIL_CORS_ORIGINS: csv,
  VIGIL_BOOTSTRAP_ADMIN_KEY: z
    .string()
    .regex(/^vgl_\S+$/, 'a Vigil API key (vgl_...)')
    .optional(),
  VIGIL_TRUSTED_ACCOUNT_IDS: csv.pipe(z.array(z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'))),
});

/** The settings of a stage, validated; a malformed override stops the deploy with the variable's name. */
export function settingsFor(stage: string, env: Readonly<Record<string, string | undefined>>): Settings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid deploy settings: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  const oidc = oidcFromEnv(vars);
  if ('problem' in oidc) throw new Error(`invalid deploy settings: ${oidc.problem}`);
  if (vars.VIGIL_API_GATEWAY_AUTH === 'jwt' && oidc.oidc === undefined) {
    throw new Error(
      'invalid deploy settings: VIGIL_API_GATEWAY_AUTH=jwt needs VIGIL_OIDC_ISSUER and VIGIL_OIDC_AUDIENCE (the issuer whose tokens the gateway checks)',
    );
  }
  const apiAuth: ApiAuthSettings = oidc.oidc
    ? { auth: vars.VIGIL_API_GATEWAY_AUTH === 'jwt' ? 'gateway-jwt' : 'keys+oidc', oidc: oidc.oidc }
    : { auth: 'keys' };
  const production = stage === 'production';
  const timeoutSeconds = 300;
  return {
    stage,
    production,
    dispatch: {
      schedule: vars.VIGIL_DISPATCH_SCHEDULE ?? 'cron(0 2 * * ? *)',
      timezone: vars.VIGIL_DISPATCH_TIMEZONE ?? 'UTC',
      spreadSeconds: vars.VIGIL_DISPATCH_SPREAD_SECONDS ?? 900,
      retries: 2,
    },
    scan: {
      timeoutSeconds,
      memoryMb: 1024,
      batchSize: 5,
      batchWindowSeconds: 5,
      maxConcurrency: 10,
      maxReceiveCount: 5,
      reserveMs: 30_000,
    },
    database: production ? { minAcu: 0.5, maxAcu: 8 } : { minAcu: 0, maxAcu: 4, pauseAfter: '30 minutes' },
    retention: { days: vars.VIGIL_RETENTION_DAYS ?? 400, schedule: 'cron(30 3 * * ? *)' },
    notify: {
      // Outside production an hourly sweep lets the database pause; the scanner's nudge still fans out
      // each run's events at once.
      sweepSchedule: production ? 'rate(1 minute)' : 'rate(1 hour)',
      digestSchedule: vars.VIGIL_DIGEST_SCHEDULE ?? 'cron(0 6 * * ? *)',
      batchSize: 10,
      maxConcurrency: 8,
      ...(vars.VIGIL_WEBHOOK_ALLOW_CIDRS ? { webhookAllowCidrs: vars.VIGIL_WEBHOOK_ALLOW_CIDRS } : {}),
    },
    api: {
      ...apiAuth,
      corsOrigins: vars.VIGIL_CORS_ORIGINS,
      ...(vars.VIGIL_BOOTSTRAP_ADMIN_KEY ? { bootstrapAdminKey: vars.VIGIL_BOOTSTRAP_ADMIN_KEY } : {}),
    },
    alarms: {
      ...(vars.VIGIL_ALARM_EMAIL ? { email: vars.VIGIL_ALARM_EMAIL } : {}),
      scanQueueMaxAgeSeconds: 2 * 3_600,
      notifyQueueMaxAgeSeconds: 30 * 60,
    },
    trustedAccountIds: vars.VIGIL_TRUSTED_ACCOUNT_IDS,
    logRetention: production ? '3 months' : '1 week',
  };
}

// Evaluated when sst.config.ts imports infra/ inside run(), where $app is defined.
export const settings: Settings = settingsFor($app.stage, process.env);
