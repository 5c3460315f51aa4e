import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCluster, getClusterByName } from './clusters/repository.ts';
import { closeDatabase, engineOf, openDatabase } from './database.ts';
import { migrate } from './migrate.ts';
import { openTestDatabase } from './testing/index.ts';

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('keeps the embedded database in its data directory across restarts', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-pglite-'));
    temps.push(root);
    const dataDir = join(root, 'nested', 'data');
    const first = await openDatabase({ dataDir });
    expect(engineOf(first)).toBe('pglite');
    await migrate(first);
    await createCluster(first, { name: 'kept', source: { type: 'kubeconfig', context: 'kind-kept' } });
    await closeDatabase(first);
    await closeDatabase(first);

    const second = await openDatabase({ dataDir });
    try {
      expect(await migrate(second)).toEqual([]);
      expect((await getClusterByName(second, 'kept'))?.source).toEqual({
        type: 'kubeconfig',
        context: 'kind-kept',
      });
    } finally {
      await closeDatabase(second);
    }
  });

  it('selects node-postgres for a postgres:// URL', async () => {
    const handle = await openTestDatabase('postgres', { migrate: false });
    try {
      expect(engineOf(handle.db)).toBe('postgres');
    } finally {
      await handle.dispose();
    }
  });

  it('refuses a URL that is not postgres://', async () => {
    await expect(openDatabase({ url: 'mysql://root@localhost/x' })).rejects.toMatchObject({
      code: 'DB_CONFIG',
      message: expect.stringContaining('postgres://'),
    });
    await expect(openDatabase({ url: 'not a url' })).rejects.toMatchObject({ code: 'DB_CONFIG' });
  });

  it('names the server but never the password when it cannot connect', async () => {
    const error = await openDatabase({ url: 'postgres://vigil:s3cret-pass@127.0.0.1:1/vigil' }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'DB_CONFIG' });
    expect(error.message).toContain('127.0.0.1:1/vigil');
    expect(error.message).not.toContain('s3cret-pass');
  });
});
