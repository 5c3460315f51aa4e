/**
 * The API benches' shared parts: bench/db's fixture in a Postgres database kept between runs, and API keys.
 */
import { generateApiKey } from '@vigil/api';
import { closeDatabase, createApiKey, type Database, migrate, openDatabase } from '@vigil/db';
import { TEST_SERVER_URL } from '@vigil/db/testing';
import pg from 'pg';
import { populate } from '../db/queries.ts';

async function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  try {
    return await admin.query(text, values);
  } finally {
    await admin.end();
  }
}

/**
 * Database `name` on the test server with `clusters` × `perCluster` findings: created and populated when it
 * does not exist (dropped again if that fails, so a half-built fixture is never reused), migrated either way.
 */
export async function keptDatabase(
  name: string,
  size: { clusters: number; perCluster: number },
): Promise<{ db: Database; fresh: boolean }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('the kept database needs a lower-case name');
  const { rowCount } = await adminQuery('select 1 from pg_database where datname = $1', [name]);
  const fresh = !rowCount;
  if (fresh) await adminQuery(`create database "${name}"`);
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 16 });
  try {
    await migrate(db);
    if (fresh) await populate(db, size);
  } catch (error) {
    await closeDatabase(db);
    if (fresh) await adminQuery(`drop database if exists "${name}" with (force)`);
    throw error;
  }
  return { db, fresh };
}

/** A new read key named `name`, optionally limited to clusters matching a label selector; its bearer token. */
export async function readKey(
  db: Database,
  name: string,
  clusterSelector?: { matchLabels: Record<string, string> },
): Promise<string> {
  const key = generateApiKey();
  await createApiKey(db, {
    keyId: key.keyId,
    secretHash: key.secretHash,
    name,
    scopes: ['read'],
    clusterSelector: clusterSelector ?? null,
    createdBy: 'bench',
  });
  return key.token;
}

export async function dropKeptDatabase(name: string): Promise<void> {
  await adminQuery(`drop database if exists "${name}" with (force)`);
}
