/**
 * The API's queries over a large store: 1,000 clusters, 30 daily runs each, 1,000,000 findings (the latest
 * run of every cluster) and 1,000,000 finding lifecycles. Each query is run through its repository function;
 * the exact SQL it sent is then EXPLAINed (ANALYZE) to check that no plan scans `findings` or
 * `finding_lifecycles` sequentially. Prints a markdown table; exits non-zero if a plan has such a scan.
 *
 *   node bench/db/queries.ts [--clusters 1000] [--per-cluster 1000] [--engines postgres,pglite]
 */
import { SEVERITIES } from '@vigil/core';
import {
  type Database,
  getFinding,
  latestRuns,
  listFindings,
  listLifecycleChanges,
  listRunFindings,
  listRuns,
  listStaleClusters,
  summarizeFleet,
} from '@vigil/db';
import { openTestDatabase } from '@vigil/db/testing';
import { sql } from 'drizzle-orm';
import { formatBytes, formatMs, machine, markdownTable, summarise } from '../lib/stats.ts';
import { CHECK_COUNT } from './fixtures.ts';

interface Options {
  clusters: number;
  perCluster: number;
  engines: ('postgres' | 'pglite')[];
  runs: number;
}

function parse(argv: readonly string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const clusters = Number(value('clusters') ?? 1000);
  const perCluster = Number(value('per-cluster') ?? 1000);
  const runs = Number(value('repeat') ?? 7);
  const engines = (value('engines') ?? 'postgres').split(',') as Options['engines'];
  for (const n of [clusters, perCluster, runs]) {
    if (!Number.isInteger(n) || n < 1) throw new Error('sizes must be positive integers');
  }
  return { clusters, perCluster, engines, runs };
}

/** Fills the store server-side with generate_series: no rows travel from this process. */
export async function populate(db: Database, o: Pick<Options, 'clusters' | 'perCluster'>): Promise<void> {
  const severities = sql.raw(`array[${SEVERITIES.map((s) => `'${s}'`).join(',')}]`);
  await db.execute(sql`
    insert into clusters (name, source, labels, schedule_interval_seconds, created_at)
    select 'bench-' || lpad(i::text, 5, '0'),
      jsonb_build_object('type', 'kubeconfig', 'context', 'ctx-' || i),
      jsonb_build_object('env', (array['prod', 'staging', 'dev'])[1 + i % 3], 'team', 'team-' || (i % 20)),
      86400, now() - interval '90 days'
    from generate_series(1, ${o.clusters}) i`);
  // 30 daily runs per cluster; day 0 is today's. One failed run per cluster, 5 days ago.
  await db.execute(sql`
    insert into scan_runs (cluster_id, slot, trigger, status, attempts, created_at, started_at, finished_at,
      recorded_at, findings_failed, findings_suppressed, open_by_severity, transitions, error)
    select c.id, to_char(t.ts, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'schedule',
      case when d = 5 then 'failed' else 'complete' end, 1, t.ts, t.ts, t.ts + interval '2 minutes',
      t.ts + interval '2 minutes', ${o.perCluster * 0.9}::int, ${o.perCluster * 0.1}::int,
      '{"critical":144,"high":144,"medium":144,"low":144,"info":144}',
      '{"opened":0,"reopened":0,"resolved":0,"suppressed":0,"regressed":0,"appliedToLifecycle":true}',
      case when d = 5 then 'timed out' end
    from clusters c cross join generate_series(0, 29) d
      cross join lateral (select date_trunc('day', now()) - d * interval '1 day' as ts) t`);
  // The latest run of every cluster reported perCluster findings.
  await db.execute(sql`
    insert into findings (run_id, fingerprint, check_id, title, severity, status, resource_kind, resource_name,
      resource_namespace, subject_kind, subject_name, subject_namespace, message, evidence, controls, suppression)
    select r.id, md5(r.cluster_id::text || ':' || n), 'check-' || (n % ${CHECK_COUNT}),
      'Check ' || (n % ${CHECK_COUNT}) || ' title', (${severities})[1 + (n * 7) % 5],
      case when n % 10 = 9 then 'suppressed' else 'fail' end,
      (array['ClusterRoleBinding', 'RoleBinding', 'ServiceAccount', 'Pod'])[1 + n % 4], 'binding-' || n,
      case when n % 2 = 0 then 'ns-' || (n % 50) end, 'User', 'user-' || (n % 5000), null,
      'user-' || (n % 5000) || ' can escalate through binding-' || n,
      jsonb_build_object('binding', 'binding-' || n, 'role', 'role-' || (n % 300),
        'rule', jsonb_build_object('verbs', jsonb_build_array('get', 'list', 'create'))),
      array['cis-eks-1.8.0:4.1.' || (n % ${CHECK_COUNT} % 8), 'cis-k8s-1.12.0:5.1.' || (n % ${CHECK_COUNT} % 6),
        'nist-800-53-r5:AC-' || (n % ${CHECK_COUNT} % 10), 'iso-27001-2022:8.' || (n % ${CHECK_COUNT} % 12)],
      case when n % 10 = 9 then '{"exceptionId":"e","reason":"accepted","source":"user"}'::jsonb end
    from scan_runs r cross join generate_series(1, ${o.perCluster}) n
    where r.created_at = date_trunc('day', now())`);
  // One lifecycle per finding; 80% open, 10% suppressed, 10% resolved. Fingerprints arrive over time, so
  // lifecycle ids interleave clusters (not one cluster's block after another's).
  await db.execute(sql`
    insert into finding_lifecycles (cluster_id, fingerprint, state, check_id, title, severity, resource_kind,
      resource_name, resource_namespace, subject_kind, subject_name, subject_namespace, message, controls,
      suppression, first_seen_at, last_seen_at, first_run_id, last_run_id, opened_at, resolved_at,
      reopened_count, changed_at)
    select r.cluster_id, f.fingerprint,
      case when n % 10 = 9 then 'suppressed' when n % 10 = 8 then 'resolved' else 'open' end,
      f.check_id, f.title, f.severity, f.resource_kind, f.resource_name, f.resource_namespace, f.subject_kind,
      f.subject_name, f.subject_namespace, f.message, f.controls, f.suppression,
      now() - ((n % 30) || ' days')::interval, r.finished_at, r.id, r.id,
      case when n % 10 <> 9 then now() - ((n % 30) || ' days')::interval end,
      case when n % 10 = 8 then now() - ((n * 13 % 720) || ' hours')::interval end, 0,
      now() - ((n * 13 % 720) || ' hours')::interval
    from scan_runs r cross join generate_series(1, ${o.perCluster}) n
      join findings f on f.run_id = r.id and f.fingerprint = md5(r.cluster_id::text || ':' || n)
    where r.created_at = date_trunc('day', now())
    order by n, r.cluster_id`);
  await db.execute(sql`vacuum analyze`);
}

/** Every cluster's latest run, page after page, as a dashboard or job listing the whole fleet would. */
async function allLatest(db: Database): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await latestRuns(db, { limit: 500, ...(cursor ? { cursor } : {}) });
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return count;
}

interface Query {
  name: string;
  run: (db: Database) => Promise<unknown>;
}

type Explained = { 'QUERY PLAN': [{ Plan: Record<string, unknown>; 'Execution Time': number }] };

interface RawClient {
  query(sql: string, params: unknown[]): Promise<{ rows: Explained[] }>;
}

interface Captured {
  sql: string;
  params: unknown[];
}

/** Walks an EXPLAIN (FORMAT JSON) plan for sequential scans of the findings tables. */
function seqScans(plan: Record<string, unknown>, out: string[] = []): string[] {
  if (
    plan['Node Type'] === 'Seq Scan' &&
    ['findings', 'finding_lifecycles'].includes(String(plan['Relation Name']))
  ) {
    out.push(String(plan['Relation Name']));
  }
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) seqScans(child, out);
  return out;
}

function indexesUsed(plan: Record<string, unknown>, out = new Set<string>()): Set<string> {
  if (typeof plan['Index Name'] === 'string') out.add(plan['Index Name']);
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) indexesUsed(child, out);
  return out;
}

async function benchEngine(engine: 'postgres' | 'pglite', o: Options) {
  let captured: Captured[] = [];
  // The logger records every statement the repositories send, to EXPLAIN exactly that.
  const handle = await openTestDatabase(engine, {
    logger: { logQuery: (query, params) => captured.push({ sql: query, params }) },
  });
  const logged = handle.db;
  try {
    const started = performance.now();
    process.stderr.write(`queries: populating ${engine}\n`);
    await populate(handle.db, o);
    captured = [];
    const populateMs = performance.now() - started;
    const ids = (await handle.db.execute(sql`select id from clusters order by name`)) as unknown as {
      rows: { id: string }[];
    };
    const clusterIds = ids.rows.map((r) => r.id);
    const someClusters = clusterIds.filter((_, i) => i % 10 === 0);
    const one = clusterIds[Math.floor(clusterIds.length / 2)]!;
    const run = (await listRuns(handle.db, { clusterIds: [one], limit: 1 })).items[0]!;
    const sample = (await listFindings(handle.db, { clusterIds: [one], limit: 1 })).items[0]!;
    const deepCursor = async (db: Database) => {
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        cursor =
          (await listFindings(db, { limit: 100, ...(cursor ? { cursor } : {}) })).nextCursor ?? undefined;
      }
      return cursor;
    };
    const cursor10 = await deepCursor(handle.db);
    const queries: Query[] = [
      {
        name: 'open findings of one cluster',
        run: (db) => listFindings(db, { clusterIds: [one], limit: 50 }),
      },
      {
        name: `open findings of ${someClusters.length} clusters (an API key's set)`,
        run: (db) => listFindings(db, { clusterIds: someClusters, limit: 50 }),
      },
      {
        name: 'open findings, severity critical',
        run: (db) => listFindings(db, { severities: ['critical'], limit: 50 }),
      },
      {
        name: 'open findings of one check',
        run: (db) => listFindings(db, { checkIds: ['check-7'], limit: 50 }),
      },
      {
        name: 'open findings of one control (GIN)',
        run: (db) => listFindings(db, { control: 'nist-800-53-r5:AC-3', limit: 50 }),
      },
      {
        name: 'open findings of one control in one cluster',
        run: (db) => listFindings(db, { control: 'nist-800-53-r5:AC-3', clusterIds: [one], limit: 50 }),
      },
      {
        name: 'open critical findings of one cluster',
        run: (db) => listFindings(db, { clusterIds: [one], severities: ['critical'], limit: 50 }),
      },
      {
        name: 'open findings of one subject',
        run: (db) => listFindings(db, { subject: { name: 'user-42' }, limit: 50 }),
      },
      {
        name: 'open findings, page 11 (cursor)',
        run: (db) => listFindings(db, { limit: 100, cursor: cursor10! }),
      },
      { name: 'one finding with evidence', run: (db) => getFinding(db, one, sample.fingerprint) },
      { name: "a run's findings (first page)", run: (db) => listRunFindings(db, run.id, { limit: 100 }) },
      { name: 'latest run per cluster (page of 100)', run: (db) => latestRuns(db, { limit: 100 }) },
      { name: 'latest run of every cluster (pages of 500, all calls)', run: (db) => allLatest(db) },
      { name: 'runs of one cluster', run: (db) => listRuns(db, { clusterIds: [one], limit: 50 }) },
      { name: 'failed runs, fleet', run: (db) => listRuns(db, { statuses: ['failed'], limit: 50 }) },
      {
        name: 'lifecycle changes in the last hour',
        run: (db) => listLifecycleChanges(db, { since: new Date(Date.now() - 3_600_000), limit: 100 }),
      },
      {
        name: 'lifecycle changes since yesterday (first page)',
        run: (db) => listLifecycleChanges(db, { since: new Date(Date.now() - 86_400_000), limit: 100 }),
      },
      { name: 'fleet summary by severity', run: (db) => summarizeFleet(db) },
      {
        name: `fleet summary of ${someClusters.length} clusters`,
        run: (db) => summarizeFleet(db, { clusterIds: someClusters }),
      },
      { name: 'stale clusters', run: (db) => listStaleClusters(db, { now: new Date(), graceSeconds: 3600 }) },
    ];
    const rows: string[][] = [];
    let bad = 0;
    for (const query of queries) {
      const times: number[] = [];
      for (let i = 0; i < o.runs + 1; i++) {
        captured = [];
        const t = performance.now();
        await query.run(logged);
        if (i > 0) times.push(performance.now() - t);
      }
      const statements = captured;
      const plans: { execution: number; seq: string[]; indexes: Set<string> }[] = [];
      for (const statement of statements) {
        // The driver's own client (pg.Pool or PGlite), so the parameters bind exactly as the repository's did.
        const client = (logged as unknown as { $client: RawClient }).$client;
        const result = await client.query(
          `explain (analyze, format json) ${statement.sql}`,
          statement.params,
        );
        const explained = result.rows[0]!['QUERY PLAN'][0];
        plans.push({
          execution: explained['Execution Time'],
          seq: seqScans(explained.Plan),
          indexes: indexesUsed(explained.Plan),
        });
      }
      const seq = plans.flatMap((p) => p.seq);
      const summary = summarise(times);
      const ok = seq.length === 0 && summary.median <= 50;
      if (seq.length > 0) bad++;
      rows.push([
        query.name,
        formatMs(summary.median),
        plans.length ? plans.map((p) => formatMs(p.execution)).join(' + ') : 'n/a',
        seq.length ? `**Seq Scan on ${seq.join(', ')}**` : plans.length ? 'none' : 'n/a',
        [...new Set(plans.flatMap((p) => [...p.indexes]))].join(', ') || '-',
        ok ? 'yes' : 'no',
      ]);
    }
    captured = [];
    const sizes = (await handle.db.execute(sql`
      select relname as name, pg_total_relation_size(oid) as bytes from pg_class
      where relname in ('findings', 'finding_lifecycles', 'scan_runs') order by relname`)) as unknown as {
      rows: { name: string; bytes: number | string }[];
    };
    return { rows, bad, populateMs, sizes: sizes.rows };
  } finally {
    await handle.dispose();
  }
}

export async function main(argv: string[] = []): Promise<string> {
  const o = parse(argv);
  const m = machine();
  const parts = [
    `${o.clusters.toLocaleString('en')} clusters × 30 runs; ${(o.clusters * o.perCluster).toLocaleString('en')} findings ` +
      `and as many lifecycles (80% open, 10% suppressed, 10% resolved). Time: median of ${o.runs} calls of the ` +
      'repository function (after one warm-up), as the API would see it; EXPLAIN: server execution time of each ' +
      'statement it sent.',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${formatBytes(m.memoryBytes)}, Node ${m.node}, load ${m.loadAverage}.`,
  ];
  let bad = 0;
  for (const engine of o.engines) {
    const result = await benchEngine(engine, o);
    bad += result.bad;
    parts.push(
      '',
      `### ${engine}`,
      '',
      `Populated in ${formatMs(result.populateMs)}; sizes with indexes: ${result.sizes
        .map((s) => `${s.name} ${formatBytes(Number(s.bytes))}`)
        .join(', ')}.`,
      '',
      markdownTable(
        ['query', 'time', 'EXPLAIN execution', 'seq scan of findings', 'indexes', '<= 50 ms, no seq scan'],
        result.rows,
      ),
    );
  }
  if (bad > 0) {
    process.exitCode = 1;
    parts.push('', `${bad} query plan(s) scan a findings table sequentially.`);
  }
  return parts.join('\n');
}

if (import.meta.main) {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`);
}
