/**
 * The collector side of the collect-vs-kubectl bench, run in its own process so its peak RSS is its own:
 * `node bench/collect/collect-child.ts KUBECONFIG [PAGE_SIZE] [CONCURRENCY]` prints one JSON line.
 * It exports no main(), so the bench runner skips it.
 */
import { collectSnapshot } from '@vigil/collect';

/** RSS once the modules are loaded (client-node alone is ~80 MB), before anything is collected. */
const baselineRssBytes = process.memoryUsage().rss;

export interface ChildResult {
  wallMs: number;
  maxRssBytes: number;
  baselineRssBytes: number;
  /** Heap still used after a full GC with the snapshot alive: what the collected objects take. */
  retainedHeapBytes: number;
  objects: number;
  incomplete: string[];
}

function retainedHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

if (import.meta.main) {
  const [kubeconfigPath, pageSize = '500', concurrency = '4'] = process.argv.slice(2);
  if (!kubeconfigPath) throw new Error('usage: collect-child.ts KUBECONFIG [PAGE_SIZE] [CONCURRENCY]');
  const started = performance.now();
  const snapshot = await collectSnapshot(
    { type: 'kubeconfig', kubeconfigPath },
    { deadline: Date.now() + 10 * 60_000, pageSize: Number(pageSize), concurrency: Number(concurrency) },
  );
  const wallMs = performance.now() - started;
  const k = snapshot.kubernetes;
  const result: ChildResult = {
    wallMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes,
    retainedHeapBytes: retainedHeap(),
    objects:
      k.clusterRoles.length +
      k.clusterRoleBindings.length +
      k.roles.length +
      k.roleBindings.length +
      k.serviceAccounts.length,
    incomplete: Object.entries(snapshot.coverage)
      .filter(([, c]) => c.status !== 'complete' && c.status !== 'not_applicable')
      .map(([source, c]) => `${source}: ${c.status}`),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
