import { join, resolve } from 'node:path';
import { type Database, migrationStatus, openDatabase } from '@vigil/db';
import { databaseConfig } from './config.ts';
import { StateError } from './errors.ts';
import type { Io } from './io.ts';
import { runningServer } from './local-stack.ts';

export interface OpenedStore {
  db: Database;
  /** Where it is, for messages: a data directory, or the Postgres host and database (never credentials). */
  where: string;
}

/**
 * Opens the store the environment names (DATABASE_URL, else <VIGIL_DATA_DIR>/data). The embedded database
 * takes one process at a time: while `vigil serve` runs from the same directory, commands are refused
 * instead of corrupting it. `whileRunning` ends that message with what to do instead (default: use the API);
 * a command the API has no route for says what the running stack does in its place.
 */
export async function openStore(
  io: Io,
  whileRunning = 'stop it first, or use the API',
): Promise<OpenedStore> {
  const config = databaseConfig(io.env);
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl);
    return {
      db: await openDatabase({ url: config.databaseUrl, poolSize: 2 }),
      where: `${url.host}${url.pathname}`,
    };
  }
  const dataDir = resolve(io.cwd, config.dataDir);
  const server = await runningServer(dataDir);
  if (server) {
    throw new StateError(
      `Vigil is running from ${config.dataDir} (pid ${server.pid}, ${server.url}) and holds its embedded ` +
        `database; ${whileRunning}`,
    );
  }
  return { db: await openDatabase({ dataDir: join(dataDir, 'data') }), where: join(config.dataDir, 'data') };
}

/** Refuses to work on a database that lacks migrations (the tables would be missing or stale). */
export async function requireMigrated(store: OpenedStore): Promise<void> {
  const status = await migrationStatus(store.db);
  if (status.pending.length > 0) {
    throw new StateError(
      `the database at ${store.where} needs ${status.pending.length} migration(s); run \`vigil migrate\` first`,
    );
  }
}
