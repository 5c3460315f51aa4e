import { closeDatabase, type Database, openDatabase } from '@vigil/db';
import { createJsonLogger, type Logger } from '@vigil/jobs/logger';
import type { DatabaseConfig } from './config.ts';

/**
 * What a function instance keeps between invocations: one small connection pool, opened on the first
 * invocation rather than at import (a cold start pays only for loading code), and a JSON logger on stdout,
 * which Lambda ships to CloudWatch Logs.
 */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((error: unknown) => {
      // A failed start (database unreachable) is retried by the next invocation, not cached.
      value = undefined;
      throw error;
    });
    return value;
  };
}

export function openFunctionDatabase(config: DatabaseConfig): Promise<Database> {
  return openDatabase({
    url: config.url,
    poolSize: config.poolSize,
    statementTimeoutMs: config.statementTimeoutMs,
  });
}

export function functionLogger(fn: string): Logger {
  return createJsonLogger((line) => process.stdout.write(line), { fn });
}

export { closeDatabase };
