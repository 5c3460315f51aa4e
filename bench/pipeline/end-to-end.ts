/**
 * The whole scan pipeline at fleet scale on this machine: N synthetic clusters (about 2,000 objects each)
 * served by loopback fake API servers in a child process, registered as kubeconfig sources, dispatched
 * through the local SQS server, scanned by pollers that behave like Lambda's event source mapping in front
 * of the scan handler the Lambda exports, and recorded in Postgres. Reports the time from dispatch until
 * every run is final, clusters per minute, and the scanner process's peak RSS.
 *
 *   node bench/pipeline/end-to-end.ts [--clusters 500] [--objects 2000] [--pollers 2] [--batch 5]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { latestRuns, schema } from '@vigil/db';
import {
  createScanHandler,
  dispatchDueScans,
  EventSourcePoller,
  SqsScanQueue,
  silentLogger,
  startLocalSqs,
} from '@vigil/jobs';
import { formatBytes, formatMs, machine, markdownTable } from '../lib/stats.ts';
import { benchDatabase, numberOption } from './support.ts';

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node');

function startFleet(
  dir: string,
  clusters: number,
  objects: number,
): Promise<{ child: ChildProcess; total: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      NODE,
      [join(import.meta.dirname, 'fake-fleet.ts'), dir, String(clusters), String(objects)],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake fleet exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const ready = JSON.parse(line) as { ready: boolean; objects: number };
      resolve({ child, total: ready.objects });
    });
  });
}

export async function main(argv: string[] = []) {
  const clusters = numberOption(argv, 'clusters', 500);
  const objects = numberOption(argv, 'objects', 2_000);
  const pollers = numberOption(argv, 'pollers', 2);
  const batchSize = numberOption(argv, 'batch', 5);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-bench-'));
  const setupStarted = performance.now();
  const fleet = await startFleet(dir, clusters, objects);
  const setupMs = performance.now() - setupStarted;
  const { db, drop } = await benchDatabase(pollers * batchSize + 2);
  const sqs = await startLocalSqs([{ name: 'scan', visibilityTimeoutSeconds: 1_800, maxReceiveCount: 5 }]);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    for (let i = 0; i < clusters; i += 500) {
      await db.insert(schema.clusters).values(
        Array.from({ length: Math.min(500, clusters - i) }, (_, j) => {
          const name = `synthetic-${String(i + j).padStart(4, '0')}`;
          return {
            name,
            source: {
              type: 'kubeconfig' as const,
              context: name,
              kubeconfigPath: join(dir, `${name}.kubeconfig`),
            },
            labels: {},
            scheduleIntervalSeconds: 86_400,
          };
        }),
      );
    }
    const queueUrl = sqs.queues.scan!.url;
    const handler = createScanHandler({
      db,
      logger: silentLogger,
      sources: { snapshotRoots: [], allowKubeconfig: true },
      maxReceiveCount: 5,
    });
    const consumers = Array.from(
      { length: pollers },
      () =>
        new EventSourcePoller({
          client: sqs.client,
          queueUrl,
          handler,
          batchSize,
          functionTimeoutMs: 300_000,
          waitTimeSeconds: 1,
        }),
    );
    const started = performance.now();
    const dispatched = await dispatchDueScans({
      db,
      queue: new SqsScanQueue({ client: sqs.client, queueUrl }),
      logger: silentLogger,
    });
    for (const consumer of consumers) await consumer.start();
    let runs: Awaited<ReturnType<typeof latestRuns>>['items'] = [];
    for (;;) {
      runs = [];
      let cursor: string | undefined;
      do {
        const page = await latestRuns(db, { limit: 500, ...(cursor ? { cursor } : {}) });
        runs.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (runs.length === clusters && runs.every((r) => ['complete', 'partial', 'failed'].includes(r.status)))
        break;
      if (performance.now() - started > 30 * 60_000)
        throw new Error('the fleet did not finish in 30 minutes');
      await new Promise((wait) => setTimeout(wait, 500));
    }
    const elapsedMs = performance.now() - started;
    // Phase times each run stored (median over the fleet), to show where a scan's time goes.
    const median = (key: string) => {
      const values = runs
        .map((r) => (r.durations as Record<string, number> | null)?.[key])
        .filter((v): v is number => typeof v === 'number')
        .sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)] ?? 0;
    };
    await Promise.all(consumers.map((c) => c.stop()));
    clearInterval(sampler);
    const byStatus = Object.fromEntries(
      ['complete', 'partial', 'failed'].map((s) => [s, runs.filter((r) => r.status === s).length]),
    );
    const findings = runs.reduce((sum, r) => sum + (r.findingsFailed ?? 0), 0);
    const perMinute = clusters / (elapsedMs / 60_000);
    // Sampled, not process.resourceUsage().maxRSS: `npm run bench` runs every bench in one process, and the
    // process-lifetime peak would be whatever an earlier bench (PGlite's 100k-finding runs) left there.
    const maxRss = Math.max(peakRss, process.memoryUsage().rss);
    const m = machine();
    return {
      clusters,
      elapsedMs,
      perMinute,
      peakRssBytes: maxRss,
      byStatus,
      markdown: [
        markdownTable(
          [
            'clusters',
            'objects served',
            'dispatched',
            'scan + record time',
            'clusters / minute',
            'median collect / audit',
            'runs',
            'failing findings',
            'scanner peak RSS',
          ],
          [
            [
              String(clusters),
              fleet.total.toLocaleString('en-US'),
              String(dispatched.sent),
              formatMs(elapsedMs),
              perMinute.toFixed(0),
              `${formatMs(median('collectMs'))} / ${formatMs(median('auditMs'))}`,
              `${byStatus.complete} complete, ${byStatus.partial} partial, ${byStatus.failed} failed`,
              findings.toLocaleString('en-US'),
              formatBytes(maxRss),
            ],
          ],
        ),
        '',
        `Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, load ${m.loadAverage} at the start. ${pollers} pollers ×`,
        `batch ${batchSize} (records of a batch scanned concurrently), Postgres on the same machine, snapshots saved;`,
        `the ${clusters} fake API servers run in a child process (set up in ${formatMs(setupMs)}, not counted) and share`,
        'the two cores with the scanner. Peak RSS is the scanner process (sampled every 100 ms from dispatch to the last run): SQS server, pollers, scans, connection pool.',
      ].join('\n'),
    };
  } finally {
    clearInterval(sampler);
    fleet.child.removeAllListeners('exit');
    fleet.child.stdin?.end();
    await sqs.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await main(process.argv.slice(2));
  process.stdout.write(`${result.markdown}\n`);
}
