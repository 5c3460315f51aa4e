import { describe, expect, expectTypeOf, it } from 'vitest';
import { createVigilClient } from './client.ts';
import { useTestApi } from './testing/api-fixture.ts';

const api = useTestApi('pglite');

function clientFor(token: string) {
  const { app } = api();
  return createVigilClient('http://vigil.test', {
    apiKey: token,
    fetch: (input, init) =>
      Promise.resolve(app.request(input instanceof Request ? input : String(input), init)),
  });
}

describe('the typed client', () => {
  it('lists findings with typed query and response', async () => {
    const vigil = clientFor(api().keys.read);
    const res = await vigil.v1.findings.$get({ query: { severity: 'critical', limit: '5' } });
    expect(res.status).toBe(200);
    if (!res.ok) throw new Error('expected 200');
    const page = await res.json();
    expectTypeOf(page.items[0]!.severity).toEqualTypeOf<'critical' | 'high' | 'medium' | 'low' | 'info'>();
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((f) => f.severity === 'critical')).toBe(true);
  });

  it('reads a cluster by path parameter and registers one with a typed body', async () => {
    const vigil = clientFor(api().keys.admin);
    const { fleet } = api();
    const res = await vigil.v1.clusters[':clusterId'].$get({ param: { clusterId: fleet.prodEu.id } });
    if (res.status !== 200) throw new Error(`got ${res.status}`);
    const cluster = await res.json();
    expectTypeOf(cluster.name).toBeString();
    expect(cluster.name).toBe('prod-eu');
    const created = await vigil.v1.clusters.$post({
      json: { name: 'from-client', source: { type: 'kubeconfig', context: 'kind-client' } },
    });
    expect(created.status).toBe(201);
  });

  it('surfaces problems as typed non-ok responses', async () => {
    const vigil = clientFor('vgl_nope');
    const res = await vigil.v1.clusters.$get({ query: {} });
    expect(res.ok).toBe(false);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});
