/** Shared by the pipeline benches: a throwaway Postgres database and option parsing. */
import { randomBytes } from 'node:crypto';
import { closeDatabase, type Database, migrate, openDatabase } from '@vigil/db';
import pg from 'pg';

export const BENCH_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated Postgres database on the test server; `drop` closes and removes it. */
export async function benchDatabase(
  poolSize = 8,
): Promise<{ db: Database; url: string; drop(): Promise<void> }> {
  const name = `vigil_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BENCH_SERVER_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async drop() {
      await closeDatabase(db);
      const again = new pg.Client({ connectionString: BENCH_SERVER_URL });
      await again.connect();
      await again.query(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  };
}

export function numberOption(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number`);
  return value;
}

export function stringOption<T extends string>(
  argv: string[],
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const i = argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = argv[i + 1] as T;
  if (!allowed.includes(value)) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return value;
}
