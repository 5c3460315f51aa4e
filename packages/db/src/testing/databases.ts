import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'drizzle-orm';
import pg from 'pg';
import { closeDatabase, type Database, dumpDatabase, type Engine, openDatabase } from '../database.ts';
import { MIGRATIONS_FOLDER, migrate } from '../migrate.ts';

/** The Postgres server the test suite uses (`.ci/run` starts it). */
export const TEST_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/test';

export const TEST_ENGINES: readonly Engine[] = ['pglite', 'postgres'];

export interface TestDatabase {
  engine: Engine;
  db: Database;
  /** The database's URL (Postgres only), for tests that need a second, independent connection pool. */
  url?: string;
  dispose(): Promise<void>;
}

const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);
const PREFIX = `vigil_test_${HOST}_`;
let counter = 0;
const urls = new WeakMap<Database, string>();

/** The URL of a Postgres test database, for a test that needs a second, independent pool (a second Lambda). */
export function testDatabaseUrl(db: Database): string {
  const url = urls.get(db);
  if (!url) throw new Error('not a Postgres test database');
  return url;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops test databases left behind by test processes of this host that no longer run. */
async function dropOrphans(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like $1`,
    [`${PREFIX}%`],
  );
  for (const { datname } of rows) {
    const pid = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      await admin.query(`drop database if exists "${datname}" with (force)`).catch(() => {});
    }
  }
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a new database on the test server
 * (so test files run in parallel without seeing each other's rows). `dispose` closes and drops it.
 */
export async function openTestDatabase(
  engine: Engine,
  options: { serverUrl?: string; migrate?: boolean; poolSize?: number; logger?: Logger } = {},
): Promise<TestDatabase> {
  const logger = options.logger ? { logger: options.logger } : {};
  if (engine === 'pglite') {
    const db =
      options.migrate === false
        ? await openDatabase({ dataDir: 'memory://', ...logger })
        : await openMigratedPglite(options.logger);
    return { engine, db, dispose: () => closeDatabase(db) };
  }
  const serverUrl = options.serverUrl ?? TEST_SERVER_URL;
  const name = `${PREFIX}${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await dropOrphans(admin);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(serverUrl, name);
  const db = await openDatabase({ url, poolSize: options.poolSize ?? 4, ...logger });
  if (options.migrate !== false) await migrate(db);
  urls.set(db, url);
  return {
    engine,
    db,
    url,
    dispose: async () => {
      await closeDatabase(db);
      const drop = new pg.Client({ connectionString: serverUrl });
      await drop.connect();
      try {
        await drop.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await drop.end();
      }
    },
  };
}

/**
 * Starting PGlite runs initdb, which takes seconds; restoring a dump takes a fraction of that. The first
 * test file to need a migrated embedded database builds one and leaves its image in the temp directory,
 * keyed by the migrations and the PGlite version, for every later file (and run) to restore.
 */
async function openMigratedPglite(logger?: Logger): Promise<Database> {
  const image = join(tmpdir(), `vigil-test-pglite-${imageKey()}.tar`);
  const cached = await readFile(image).catch(() => undefined);
  if (cached) {
    try {
      return await openDatabase({
        dataDir: 'memory://',
        loadDataDir: new Blob([cached]),
        ...(logger ? { logger } : {}),
      });
    } catch {
      // A torn or foreign file: rebuild it below.
    }
  }
  const db = await openDatabase({ dataDir: 'memory://', ...(logger ? { logger } : {}) });
  await migrate(db);
  const dump = Buffer.from(await (await dumpDatabase(db)).arrayBuffer());
  const partial = `${image}.${process.pid}.${randomBytes(3).toString('hex')}`;
  await writeFile(partial, dump);
  await rename(partial, image);
  return db;
}

let key: string | undefined;
function imageKey(): string {
  if (key) return key;
  const hash = createHash('sha256');
  // The engine's version is part of the key: a dump only restores into the PGlite that wrote it.
  let dir = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  hash.update(readFileSync(join(dir, 'package.json')));
  for (const name of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (name.endsWith('.sql')) hash.update(name).update(readFileSync(join(MIGRATIONS_FOLDER, name)));
  }
  hash.update(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json')));
  key = hash.digest('hex').slice(0, 16);
  return key;
}
