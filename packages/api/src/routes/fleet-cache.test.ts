import { createCluster } from '@vigil/db';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/api-fixture.ts';
import { recordDemoScan } from '../testing/seed.ts';

const api = useTestApi('pglite', { fleetCacheSeconds: 5 });

describe('fleet aggregates with fleetCacheSeconds', () => {
  it('reuses a summary for the same cluster set within the interval and recomputes after it', async () => {
    const { call, keys, handle, clock } = api();
    const before = await call('get', '/v1/fleet/summary', { token: keys.read });
    expect(before.body).toMatchObject({ clusters: { total: 3 } });
    const added = await createCluster(handle.db, {
      name: 'late-arrival',
      labels: { env: 'prod' },
      source: { type: 'snapshot', path: 'late.json' },
    });
    await recordDemoScan(handle.db, added, 'prod-us', { at: new Date('2026-11-26T11:00:00Z') });
    expect((await call('get', '/v1/fleet/summary', { token: keys.read })).body).toEqual(before.body);
    // A credential that sees another set of clusters is another computation.
    expect((await call('get', '/v1/fleet/summary', { token: keys.prodOnlyAdmin })).body).toMatchObject({
      clusters: { total: 3 },
    });
    clock.now = new Date(clock.now.getTime() + 5000);
    expect((await call('get', '/v1/fleet/summary', { token: keys.read })).body).toMatchObject({
      clusters: { total: 4 },
    });
  });
});
