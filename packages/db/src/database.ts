import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations, Logger } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { DatabaseConfigError } from './errors.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;

/**
 * The handle every repository takes: either engine, or a transaction on it (a transaction is a
 * `PgDatabase` too, so repositories compose inside a caller's transaction).
 */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type Engine = 'pglite' | 'postgres';

export const DEFAULT_DATA_DIR = '.vigil/data';

export interface OpenDatabaseOptions {
  /** `postgres://` or `postgresql://` selects node-postgres (RDS / Aurora); absent selects embedded PGlite. */
  url?: string;
  /** PGlite data directory (default `.vigil/data`); `memory://` keeps the database in memory. */
  dataDir?: string;
  /** PGlite only: start from a dump (`dumpDatabase`) instead of an empty cluster, e.g. a demo fixture. */
  loadDataDir?: Blob;
  /** Most pooled connections (node-postgres only); a Lambda needs 1-2. */
  poolSize?: number;
  /** Per-statement timeout (node-postgres only), so a stuck query fails instead of hanging a scan. */
  statementTimeoutMs?: number;
  /** Receives every statement with its parameters (benchmarks use it to EXPLAIN what repositories run). */
  logger?: Logger;
}

interface Handle {
  engine: Engine;
  close(): Promise<void>;
  /** node-postgres only: the pool, for work that needs one session (migration lock). */
  pool?: pg.Pool;
  pglite?: PGlite;
}

const handles = new WeakMap<object, Handle>();

/** Opens the embedded or the server database. The caller passes configuration in; nothing reads env here. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url !== undefined) return openPostgres(options.url, options);
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  if (!dataDir.includes('://')) await mkdir(dataDir, { recursive: true });
  let client: PGlite;
  try {
    client = await PGlite.create({
      dataDir,
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (error) {
    throw new DatabaseConfigError(
      `cannot open the embedded database in ${dataDir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const db = drizzlePglite({ client, schema, ...(options.logger ? { logger: options.logger } : {}) });
  let closed = false;
  handles.set(db, {
    engine: 'pglite',
    pglite: client,
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  });
  return db as unknown as Database;
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseConfigError('DATABASE_URL is not a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseConfigError(`DATABASE_URL must start with postgres:// (got ${parsed.protocol}//)`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // Hot reads run as named prepared statements (prepared.ts). Plan them for their values every time, as
    // unnamed statements are: a generic plan, which Postgres may otherwise settle on after five runs, ignores
    // how many rows a value picks (one cluster of a thousand, a rare state) and can scan far more. A startup
    // parameter, so no query runs before the first; `options` in DATABASE_URL replaces it.
    options: '-c plan_cache_mode=force_custom_plan',
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener Node would exit.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    // The URL may hold a password: name only the host and database.
    throw new DatabaseConfigError(
      `cannot connect to Postgres at ${parsed.host}${parsed.pathname}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const db = drizzlePg({ client: pool, schema, ...(options.logger ? { logger: options.logger } : {}) });
  let closed = false;
  handles.set(db, {
    engine: 'postgres',
    pool,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  });
  return db as unknown as Database;
}

function handleOf(db: Database): Handle {
  const handle = handles.get(db);
  if (!handle) throw new DatabaseConfigError('not a database opened by openDatabase (a transaction?)');
  return handle;
}

/** Which engine a database opened by `openDatabase` runs on. */
export function engineOf(db: Database): Engine {
  return handleOf(db).engine;
}

/** @internal The node-postgres pool behind a database, for session-bound work such as the migration lock. */
export function poolOf(db: Database): pg.Pool | undefined {
  return handleOf(db).pool;
}

/** An uncompressed tar image of an embedded database, for `openDatabase({ loadDataDir })`. */
export async function dumpDatabase(db: Database): Promise<Blob> {
  const handle = handleOf(db);
  if (!handle.pglite) throw new DatabaseConfigError('only the embedded database can be dumped');
  return handle.pglite.dumpDataDir('none');
}

/** Closes the pool or the embedded engine; closing twice is harmless. */
export async function closeDatabase(db: Database): Promise<void> {
  await handleOf(db).close();
}
