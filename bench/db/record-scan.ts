/**
 * Recording one scan run with 100k findings (`recordScan`, one transaction) on Postgres and on PGlite, with
 * each insert strategy (`copy` is COPY FROM STDIN on Postgres and falls back to `json` on PGlite), in three
 * scenarios of one cluster:
 * - first run: every finding new (lifecycle inserts, a finding.opened outbox row per failing finding);
 * - same again: the next day's scan reports the same findings unchanged (the daily steady state);
 * - churn: 10% changed severity or text, 2% gone (resolved), 2% new.
 * Reports wall time, CPU time of this process and of the Postgres backend (wall time stretches when other
 * work shares the machine; CPU time is what the work costs), and peak memory growth of this process.
 *
 *   node bench/db/record-scan.ts [--findings 100000] [--engines postgres,pglite] [--strategies copy,json,values]
 */
import { type Finding, SEVERITIES, type Severity } from '@vigil/core';
import { closeDatabase, type Database, type InsertStrategy, openDatabase, recordScan } from '@vigil/db';
import { createTestCluster, makeReport, openTestDatabase } from '@vigil/db/testing';
import { formatBytes, formatMs, machine, markdownTable } from '../lib/stats.ts';
import { generateFindings } from './fixtures.ts';
import { backendPid, cpuMs } from './server-cpu.ts';

interface Options {
  findings: number;
  engines: ('postgres' | 'pglite')[];
  strategies: InsertStrategy[];
}

function parse(argv: readonly string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const findings = Number(value('findings') ?? 100_000);
  if (!Number.isInteger(findings) || findings < 100) throw new Error('--findings must be an integer >= 100');
  const engines = (value('engines') ?? 'postgres,pglite').split(',') as Options['engines'];
  for (const engine of engines) {
    if (engine !== 'postgres' && engine !== 'pglite') throw new Error(`unknown engine ${engine}`);
  }
  const strategies = (value('strategies') ?? 'copy,json,values').split(',') as InsertStrategy[];
  for (const strategy of strategies) {
    if (strategy !== 'copy' && strategy !== 'json' && strategy !== 'values')
      throw new Error(`unknown insert strategy ${strategy}`);
  }
  return { findings, engines, strategies };
}

interface Measured {
  ms: number;
  clientCpuMs: number;
  serverCpuMs: number | null;
  rssDelta: number;
  heapDelta: number;
}

/** Runs `work`, sampling this process's memory (PGlite's memory is ours; a Postgres server's is not). */
async function measure(work: () => Promise<unknown>, serverPid: number | null): Promise<Measured> {
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 20);
  const server0 = serverPid ? cpuMs([serverPid]) : null;
  const client0 = process.cpuUsage();
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - started;
  const client = process.cpuUsage(client0);
  const server1 = serverPid ? cpuMs([serverPid]) : null;
  const now = process.memoryUsage();
  return {
    ms,
    clientCpuMs: (client.user + client.system) / 1000,
    serverCpuMs: server0 !== null && server1 !== null ? server1 - server0 : null,
    rssDelta: Math.max(peakRss, now.rss) - base.rss,
    heapDelta: Math.max(peakHeap, now.heapUsed) - base.heapUsed,
  };
}

function reportOf(findings: Finding[]) {
  const base = makeReport({ findings });
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (f.status === 'fail') bySeverity[f.severity]++;
  return { ...base, summary: { ...base.summary, bySeverity } };
}

interface Row extends Measured {
  engine: string;
  strategy: InsertStrategy;
  scenario: string;
  phases: string;
  transitions: string;
}

async function scenarios(
  db: Database,
  serverPid: number | null,
  engine: string,
  strategy: InsertStrategy,
  count: number,
): Promise<Row[]> {
  const cluster = await createTestCluster(db);
  const churn = Math.floor(count / 50);
  const runs = [
    { scenario: 'first run (all new)', findings: generateFindings(count) },
    { scenario: 'same again (unchanged)', findings: generateFindings(count) },
    {
      scenario: 'churn (10% changed, 2% gone, 2% new)',
      findings: generateFindings(count, { from: churn, changed: (n) => n % 10 === 3 }),
    },
  ];
  const rows: Row[] = [];
  for (const [day, run] of runs.entries()) {
    const input = reportOf(run.findings);
    const marks: Record<string, number> = {};
    const mark = (name: string) => () => {
      marks[name] = performance.now();
    };
    let started = 0;
    let transitions = '';
    const measured = await measure(async () => {
      started = performance.now();
      const result = await recordScan(
        db,
        {
          clusterId: cluster.id,
          slot: `bench-day-${day}`,
          trigger: 'schedule',
          report: input,
          startedAt: new Date(Date.UTC(2026, 2, 1 + day)),
          finishedAt: new Date(Date.UTC(2026, 2, 1 + day, 0, 5)),
        },
        {
          insertStrategy: strategy,
          faults: { afterFindings: mark('findings'), afterLifecycle: mark('lifecycle') },
        },
      );
      const t = result.transitions;
      transitions = `+${t.opened} ~${t.reopened} -${t.resolved}`;
    }, serverPid);
    const end = started + measured.ms;
    rows.push({
      ...measured,
      engine,
      strategy,
      scenario: run.scenario,
      transitions,
      phases: [
        `findings ${formatMs(marks.findings! - started)}`,
        `lifecycle+events ${formatMs(marks.lifecycle! - marks.findings!)}`,
        `rest ${formatMs(end - marks.lifecycle!)}`,
      ].join(', '),
    });
  }
  return rows;
}

export async function main(argv: string[] = []): Promise<string> {
  const options = parse(argv);
  const rows: Row[] = [];
  for (const engine of options.engines) {
    for (const strategy of options.strategies) {
      // A fresh database per combination, so one's rows do not slow the next.
      const handle = await openTestDatabase(engine);
      // On Postgres, one connection, so its backend's CPU time is the whole server side of the work.
      const db = handle.url ? await openDatabase({ url: handle.url, poolSize: 1 }) : handle.db;
      try {
        process.stderr.write(`record-scan: ${engine} ${strategy}\n`);
        const pid = handle.url ? await backendPid(db) : null;
        rows.push(...(await scenarios(db, pid, engine, strategy, options.findings)));
      } finally {
        if (db !== handle.db) await closeDatabase(db);
        await handle.dispose();
      }
    }
  }
  const m = machine();
  return [
    `recordScan of one cluster's run with ${options.findings.toLocaleString('en')} findings (10% suppressed), ` +
      'one transaction each; a finding.opened outbox row per newly failing finding.',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${formatBytes(m.memoryBytes)}, Node ${m.node}, load ${m.loadAverage} ` +
      '(load above the core count stretches wall time; CPU columns do not stretch).',
    'Server CPU: the Postgres backend (read from /proc); on PGlite the engine runs in this process, in client CPU.',
    '',
    markdownTable(
      [
        'engine',
        'insert',
        'scenario',
        'wall',
        'client CPU',
        'server CPU',
        'phases (wall)',
        'opened ~reopened -resolved',
        'peak RSS +',
        'peak heap +',
      ],
      rows.map((r) => [
        r.engine,
        r.strategy,
        r.scenario,
        formatMs(r.ms),
        formatMs(r.clientCpuMs),
        r.serverCpuMs === null ? 'in client' : formatMs(r.serverCpuMs),
        r.phases,
        r.transitions,
        formatBytes(r.rssDelta),
        formatBytes(r.heapDelta),
      ]),
    ),
  ].join('\n');
}

if (import.meta.main) {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`);
}
