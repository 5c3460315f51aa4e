import type { OidcConfig } from '@vigil/api';
import { oidcEnvShape, oidcFromEnv } from '@vigil/api/oidc-env';
import { z } from 'zod';
import { UsageError } from './errors.ts';

// The one module that reads the CLI's environment (commands get it as `io.env`). Messages name the variable,
// never its value: DATABASE_URL carries a password, VIGIL_BOOTSTRAP_ADMIN_KEY is a credential.

type Env = Readonly<Record<string, string | undefined>>;

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  );

const localStackEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  VIGIL_DATA_DIR: z.string().min(1).default('.vigil'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
    .optional(),
  VIGIL_BOOTSTRAP_ADMIN_KEY: z.string().min(1).optional(),
  VIGIL_CORS_ORIGINS: csv.pipe(
    z.array(z.string().regex(/^https?:\/\/[^\s/]+$/, 'must be origins like http://localhost:3000')),
  ),
  /** How often the local dispatcher looks for due clusters. */
  VIGIL_DISPATCH_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** `file` (default): JSON logs to <data dir>/vigil.log; `stderr`: JSON logs on stderr as well. */
  VIGIL_LOG: z.enum(['file', 'stderr']).default('file'),
  VIGIL_TRUSTED_ACCOUNT_IDS: csv.pipe(
    z.array(z.string().regex(/^\d{12}$/, 'must be 12-digit AWS account ids')),
  ),
  /** Private ranges webhook destinations may use (CIDRs); everything non-public is refused otherwise. */
  VIGIL_WEBHOOK_ALLOW_CIDRS: z.string().optional(),
  /** The key that seals notification credentials (default <data dir>/secrets.key, created on first use). */
  VIGIL_SECRETS_KEY_FILE: z.string().min(1).optional(),
  /** Days of history kept; the local stack prunes older runs daily (at least 7). */
  VIGIL_RETENTION_DAYS: z.coerce.number().int().min(7).max(36_500).default(400),
  /** OIDC bearer tokens accepted next to the API keys. */
  ...oidcEnvShape,
});

export interface LocalStackConfig {
  port: number;
  dataDir: string;
  databaseUrl?: string;
  bootstrapAdminKey?: string;
  corsOrigins: string[];
  dispatchIntervalMs: number;
  logToStderr: boolean;
  trustedAccountIds: string[];
  webhookAllowCidrs?: string;
  secretsKeyFile: string;
  retentionDays: number;
  /** OIDC tokens the app accepts next to its API keys. */
  oidc?: OidcConfig;
}

/** The local stack's settings (`vigil serve`, `npm start`). */
export function localStackConfig(env: Env): LocalStackConfig {
  const parsed = localStackEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new UsageError(`invalid environment: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  const oidc = oidcFromEnv(vars);
  if ('problem' in oidc) throw new UsageError(`invalid environment: ${oidc.problem}`);
  return {
    port: vars.PORT,
    dataDir: vars.VIGIL_DATA_DIR,
    ...(vars.DATABASE_URL ? { databaseUrl: vars.DATABASE_URL } : {}),
    ...(vars.VIGIL_BOOTSTRAP_ADMIN_KEY ? { bootstrapAdminKey: vars.VIGIL_BOOTSTRAP_ADMIN_KEY } : {}),
    corsOrigins: vars.VIGIL_CORS_ORIGINS,
    dispatchIntervalMs: vars.VIGIL_DISPATCH_INTERVAL_SECONDS * 1000,
    logToStderr: vars.VIGIL_LOG === 'stderr',
    trustedAccountIds: vars.VIGIL_TRUSTED_ACCOUNT_IDS,
    ...(vars.VIGIL_WEBHOOK_ALLOW_CIDRS ? { webhookAllowCidrs: vars.VIGIL_WEBHOOK_ALLOW_CIDRS } : {}),
    secretsKeyFile: vars.VIGIL_SECRETS_KEY_FILE ?? `${vars.VIGIL_DATA_DIR}/secrets.key`,
    retentionDays: vars.VIGIL_RETENTION_DAYS,
    ...(oidc.oidc ? { oidc: oidc.oidc } : {}),
  };
}

const clientEnv = z.object({
  VIGIL_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  VIGIL_API_KEY: z.string().min(1).optional(),
});

/** Where `vigil clusters` sends its requests when a server is running (or named). */
export function apiClientConfig(env: Env): { url?: string; apiKey?: string } {
  const parsed = clientEnv.safeParse(env);
  if (!parsed.success) {
    throw new UsageError(
      `invalid environment: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return {
    ...(parsed.data.VIGIL_API_URL ? { url: parsed.data.VIGIL_API_URL } : {}),
    ...(parsed.data.VIGIL_API_KEY ? { apiKey: parsed.data.VIGIL_API_KEY } : {}),
  };
}

const databaseEnv = z.object({
  VIGIL_DATA_DIR: z.string().min(1).default('.vigil'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')
    .optional(),
});

/**
 * Where the store is (`vigil migrate`, `vigil keys`): DATABASE_URL when set, else the embedded database in
 * <VIGIL_DATA_DIR>/data, the one the local stack uses.
 */
export function databaseConfig(env: Env): { databaseUrl?: string; dataDir: string } {
  const parsed = databaseEnv.safeParse(env);
  if (!parsed.success) {
    throw new UsageError(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    dataDir: parsed.data.VIGIL_DATA_DIR,
    ...(parsed.data.DATABASE_URL ? { databaseUrl: parsed.data.DATABASE_URL } : {}),
  };
}
