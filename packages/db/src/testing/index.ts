// Test support for packages that build on @vigil/db (import from '@vigil/db/testing' in tests only).
import { afterAll, beforeAll } from 'vitest';
import type { Database, Engine } from '../database.ts';
import { openTestDatabase, type TestDatabase } from './databases.ts';

export * from './databases.ts';
export * from './factories.ts';

/**
 * Opens a fresh database on `engine` once for the enclosing describe block and drops it afterwards.
 * Returns a getter: `const db = useTestDatabase(engine); ... db()`.
 */
export function useTestDatabase(engine: Engine): () => Database {
  let handle: TestDatabase | undefined;
  beforeAll(async () => {
    handle = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await handle?.dispose();
  });
  return () => {
    if (!handle) throw new Error('the test database is not open yet (use it inside a test or hook)');
    return handle.db;
  };
}
