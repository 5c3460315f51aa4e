/**
 * Collecting 50,000 RBAC objects from the loopback fake API server: `collectSnapshot` against
 * `kubectl get clusterroles,clusterrolebindings,roles,rolebindings,serviceaccounts -A -o json`, same server,
 * same objects. Reports wall time and peak RSS of each, as a markdown table.
 *
 *   node bench/collect/collect-vs-kubectl.ts [--runs 3] [--scale 1] [--page-size 500]
 *
 * The collector runs in a child process (its peak RSS is process.resourceUsage().maxRSS there, Node's
 * baseline included); kubectl runs under /usr/bin/time -v with its JSON written to a file, as a user would
 * redirect it. kubectl starts with an empty discovery cache each run. Both read the same 50k objects; the
 * collector also lists namespaces and pods and reads aws-auth, which kubectl does not.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_VOLUME,
  countRbacObjects,
  generateRbacObjects,
  type RbacVolume,
} from '../../test/fake-kube/generate.ts';
import { startFakeKube } from '../../test/fake-kube/server.ts';
import { formatBytes, formatSummary, machine, markdownTable, summarise } from '../lib/stats.ts';
import type { ChildResult } from './collect-child.ts';

const KUBECTL = '/usr/bin/kubectl';
const TIME = '/usr/bin/time';

interface Options {
  runs: number;
  scale: number;
  pageSize: number;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i === -1) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
    return n;
  };
  return {
    runs: Math.round(value('runs', 3)),
    scale: value('scale', 1),
    pageSize: Math.round(value('page-size', 500)),
  };
}

function runProcess(
  command: string,
  args: string[],
  stdoutFd?: number,
): Promise<{ code: number; stdout: string; stderr: string; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, wallMs: performance.now() - started }),
    );
  });
}

/** Items of the List kubectl printed (parsed here, in the bench process, after kubectl has exited). */
async function countKubectlItems(path: string): Promise<number> {
  const list = JSON.parse(await readFile(path, 'utf8')) as { items?: unknown[] };
  return list.items?.length ?? 0;
}

function scaled(volume: RbacVolume, scale: number): RbacVolume {
  const s = (n: number) => Math.max(1, Math.round(n * scale));
  return {
    clusterRoles: s(volume.clusterRoles),
    clusterRoleBindings: s(volume.clusterRoleBindings),
    roles: s(volume.roles),
    roleBindings: s(volume.roleBindings),
    serviceAccounts: s(volume.serviceAccounts),
    namespaces: s(volume.namespaces),
  };
}

export async function main(argv: string[] = []): Promise<string> {
  const options = parseOptions(argv);
  if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is not installed`);
  if (!existsSync(TIME)) throw new Error(`${TIME} is not installed (GNU time, for kubectl's peak RSS)`);
  const volume = scaled(BENCH_VOLUME, options.scale);
  const expected = countRbacObjects(volume);
  const fake = await startFakeKube({ objects: generateRbacObjects(volume) });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-collect-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, fake.kubeconfig());
  const child = join(import.meta.dirname, 'collect-child.ts');
  const collector: {
    wall: number[];
    inner: number[];
    rss: number[];
    baseline: number[];
    retained: number[];
  } = {
    wall: [],
    inner: [],
    rss: [],
    baseline: [],
    retained: [],
  };
  const kubectl: { wall: number[]; rss: number[] } = { wall: [], rss: [] };
  try {
    for (let run = 0; run < options.runs; run++) {
      const c = await runProcess(process.execPath, [
        '--expose-gc',
        child,
        kubeconfig,
        String(options.pageSize),
      ]);
      if (c.code !== 0) throw new Error(`collector failed: ${c.stderr}`);
      const result = JSON.parse(c.stdout) as ChildResult;
      if (result.objects !== expected || result.incomplete.length) {
        throw new Error(
          `collector read ${result.objects} of ${expected} objects (${result.incomplete.join(', ')})`,
        );
      }
      collector.wall.push(c.wallMs);
      collector.inner.push(result.wallMs);
      collector.rss.push(result.maxRssBytes);
      collector.baseline.push(result.baselineRssBytes);
      collector.retained.push(result.retainedHeapBytes);

      const out = join(dir, `kubectl-${run}.json`);
      const fd = openSync(out, 'w');
      const k = await runProcess(
        TIME,
        [
          '-v',
          KUBECTL,
          '--kubeconfig',
          kubeconfig,
          '--cache-dir',
          join(dir, `cache-${run}`),
          'get',
          'clusterroles,clusterrolebindings,roles,rolebindings,serviceaccounts',
          '-A',
          '-o',
          'json',
          `--chunk-size=${options.pageSize}`,
        ],
        fd,
      );
      closeSync(fd);
      if (k.code !== 0) throw new Error(`kubectl failed: ${k.stderr.slice(0, 2000)}`);
      const rssKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(k.stderr)?.[1];
      if (!rssKb) throw new Error('no peak RSS in /usr/bin/time output');
      if (run === 0) {
        const items = await countKubectlItems(out);
        if (items !== expected) throw new Error(`kubectl printed ${items} of ${expected} objects`);
      }
      rmSync(out);
      kubectl.wall.push(k.wallMs);
      kubectl.rss.push(Number(rssKb) * 1024);
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const m = machine();
  const maxOf = (values: number[]) => formatBytes(Math.max(...values));
  const table = markdownTable(
    ['', 'wall time, median (min–max)', 'peak RSS (max)'],
    [
      ['vigil collectSnapshot (process)', formatSummary(summarise(collector.wall)), maxOf(collector.rss)],
      ['vigil collectSnapshot (in-process)', formatSummary(summarise(collector.inner)), ''],
      ['kubectl get ... -A -o json', formatSummary(summarise(kubectl.wall)), maxOf(kubectl.rss)],
    ],
  );
  const ratio = summarise(collector.wall).median / summarise(kubectl.wall).median;
  return [
    `${expected.toLocaleString('en')} RBAC objects (${volume.clusterRoles} ClusterRoles, ${volume.clusterRoleBindings} ClusterRoleBindings, ${volume.roles} Roles, ${volume.roleBindings} RoleBindings, ${volume.serviceAccounts} ServiceAccounts; ${volume.namespaces} namespaces) from the loopback fake API server, page size ${options.pageSize}, ${options.runs} runs each.`,
    '',
    table,
    '',
    `Collector / kubectl wall-time ratio: ${ratio.toFixed(2)}. The collector's peak RSS includes ${maxOf(collector.baseline)} of loaded modules before the first request; the trimmed snapshot keeps ${maxOf(collector.retained)} of heap after a full GC. Machine: ${m.cpus}x ${m.cpuModel}, ${formatBytes(m.memoryBytes)}, Node ${m.node}, ${m.platform}.`,
  ].join('\n');
}

if (import.meta.main) {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`);
}
