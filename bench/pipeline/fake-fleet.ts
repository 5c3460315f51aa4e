/**
 * A fleet of loopback fake Kubernetes API servers in its own process, for bench/pipeline/end-to-end.ts:
 * one server per synthetic cluster (about 2,000 objects each, generated with test/support/synthetic.ts),
 * each with its own kubeconfig file. Running apart keeps the servers' memory and CPU out of the scanner's
 * figures (on two cores they still compete for CPU, as a real API server would not).
 *
 *   node bench/pipeline/fake-fleet.ts DIR COUNT OBJECTS
 *
 * Writes DIR/cluster-N.kubeconfig for each cluster, then one JSON line `{"ready":true,...}` on stdout, and
 * serves until stdin closes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeKube } from '../../test/fake-kube/server.ts';
import { generateCluster, kubernetesObjects } from '../../test/support/synthetic.ts';

export async function startFleet(dir: string, count: number, objects: number) {
  const servers = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const name = `synthetic-${String(i).padStart(4, '0')}`;
    const cluster = generateCluster({ objects, seed: i + 1, eks: false, name });
    const items = kubernetesObjects(cluster);
    total += items.length;
    // Large answers are gzip-compressed, as the API server does for clients that accept it.
    const fake = await startFakeKube({ objects: items, gzip: true });
    await writeFile(join(dir, `${name}.kubeconfig`), fake.kubeconfig({ contextName: name }));
    servers.push(fake);
  }
  return { servers, total };
}

if (import.meta.main) {
  const [dir, count, objects] = process.argv.slice(2);
  if (!dir || !count || !objects) throw new Error('usage: fake-fleet DIR COUNT OBJECTS');
  const { servers, total } = await startFleet(dir, Number(count), Number(objects));
  process.stdout.write(`${JSON.stringify({ ready: true, clusters: servers.length, objects: total })}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await Promise.all(servers.map((s) => s.close()));
    process.exit(0);
  });
}
