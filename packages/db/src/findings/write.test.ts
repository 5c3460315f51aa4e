import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing/index.ts';
import { connectionOf } from './write.ts';

// recordScan writes findings with COPY through the transaction's node-postgres connection, which drizzle
// keeps as `session.client`, not a public API. A drizzle upgrade that moves it would make every run fall
// back to the slower jsonb insert without a word; this fails instead.
describe('the COPY connection', () => {
  const postgres = useTestDatabase('postgres');
  const pglite = useTestDatabase('pglite');

  it('is the transaction client on node-postgres', async () => {
    await postgres().transaction(async (tx) => {
      const client = connectionOf(tx);
      expect(client).toBeInstanceOf(pg.Client);
      expect((await client!.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    });
  });

  it('is absent outside a transaction and on PGlite, where findings go in as jsonb', async () => {
    expect(connectionOf(postgres())).toBeUndefined();
    await pglite().transaction(async (tx) => {
      expect(connectionOf(tx)).toBeUndefined();
    });
  });
});
