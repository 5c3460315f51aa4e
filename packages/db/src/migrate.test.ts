import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { getTableName, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { getCluster } from './clusters/repository.ts';
import { closeDatabase, openDatabase } from './database.ts';
import { listFindings } from './findings/repository.ts';
import { MIGRATIONS_FOLDER, migrate, migrationStatus } from './migrate.ts';
import { recordScan } from './record-scan.ts';
import * as schema from './schema.ts';
import { rowsOf } from './sql.ts';
import { makeFinding, makeReport, openTestDatabase, TEST_ENGINES } from './testing/index.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA = fileURLToPath(new URL('./schema.ts', import.meta.url));
const DRIZZLE_KIT = join(REPO, 'node_modules/drizzle-kit/bin.cjs');

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

const readJournal = async (folder: string) =>
  JSON.parse(await readFile(join(folder, 'meta/_journal.json'), 'utf8')) as Journal;

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-migrations-'));
  temps.push(dir);
  return dir;
}

/** Runs `drizzle-kit generate` for the schema against a copy of the migrations; returns the new files. */
async function generateInto(copy: string): Promise<{ created: string[]; output: string }> {
  const dir = join(copy, '..');
  // drizzle-kit resolves `out` against its working directory, so it runs inside the temporary folder.
  await writeFile(
    join(dir, 'drizzle.config.ts'),
    `export default { dialect: 'postgresql', schema: ${JSON.stringify(SCHEMA)}, out: './out' };\n`,
  );
  const before = new Set(await readdir(copy));
  const { stdout, stderr } = await run(
    process.execPath,
    [DRIZZLE_KIT, 'generate', '--config', 'drizzle.config.ts'],
    {
      cwd: dir,
    },
  );
  const created = (await readdir(copy)).filter((name) => !before.has(name));
  return { created, output: stdout + stderr };
}

/** A copy of the migrations folder holding only the first `count` migrations. */
async function truncatedCopy(count: number): Promise<string> {
  const dir = await tempDir();
  const out = join(dir, 'out');
  await cp(MIGRATIONS_FOLDER, out, { recursive: true });
  const journal = await readJournal(out);
  for (const entry of journal.entries.slice(count)) {
    await rm(join(out, `${entry.tag}.sql`));
    await rm(join(out, 'meta', `${String(entry.idx).padStart(4, '0')}_snapshot.json`));
  }
  journal.entries = journal.entries.slice(0, count);
  await writeFile(join(out, 'meta/_journal.json'), JSON.stringify(journal, null, 2));
  return out;
}

/** JSON with object keys sorted, so that two snapshots compare by content (drizzle-kit's key order varies). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The index of the last migration that changed the schema drizzle-kit sees. A custom SQL migration (a table
 * storage parameter, say) leaves the snapshot as it was, and dropping it leaves nothing to generate.
 */
async function lastSchemaChange(journal: Journal): Promise<number> {
  const schemaOf = async (idx: number) => {
    const snapshot = JSON.parse(
      await readFile(
        join(MIGRATIONS_FOLDER, 'meta', `${String(idx).padStart(4, '0')}_snapshot.json`),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const { id: _id, prevId: _prevId, ...rest } = snapshot;
    return canonical(rest);
  };
  for (let i = journal.entries.length - 1; i > 0; i--) {
    if ((await schemaOf(journal.entries[i]!.idx)) !== (await schemaOf(journal.entries[i - 1]!.idx))) return i;
  }
  return 0;
}

describe('committed migrations', () => {
  it('match the schema: drizzle-kit generate finds nothing to add', async () => {
    const journal = await readJournal(MIGRATIONS_FOLDER);
    const copy = await truncatedCopy(journal.entries.length);
    const { created, output } = await generateInto(copy);
    expect(output).not.toMatch(/Error/);
    expect(output).toContain('No schema changes');
    expect(created).toEqual([]);
  });

  it('would be caught drifting: without the last schema migration drizzle-kit generates one', async () => {
    const journal = await readJournal(MIGRATIONS_FOLDER);
    const copy = await truncatedCopy(await lastSchemaChange(journal));
    const { created } = await generateInto(copy);
    expect(created.filter((name) => name.endsWith('.sql'))).toHaveLength(1);
  });

  it('are what drizzle.config.ts at the repository root generates into', async () => {
    const config = await readFile(join(REPO, 'drizzle.config.ts'), 'utf8');
    expect(config).toContain("schema: './packages/db/src/schema.ts'");
    expect(config).toContain("out: './packages/db/migrations'");
  });
});

describe.each(TEST_ENGINES)('migrate on %s', (engine) => {
  it('applies every migration to an empty database once, and then has nothing to do', async () => {
    const handle = await openTestDatabase(engine, { migrate: false });
    try {
      const journal = await readJournal(MIGRATIONS_FOLDER);
      const tags = journal.entries.map((e) => e.tag);
      expect(await migrationStatus(handle.db)).toEqual({ applied: [], pending: tags });
      expect(await migrate(handle.db)).toEqual(tags);
      expect(await migrationStatus(handle.db)).toEqual({ applied: tags, pending: [] });
      expect(await migrate(handle.db)).toEqual([]);
      const tables = rowsOf<{ name: string }>(
        await handle.db.execute(
          sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`,
        ),
      ).map((r) => r.name);
      expect(tables).toEqual(
        Object.values(schema)
          .map((table) => getTableName(table))
          .sort(),
      );
    } finally {
      await handle.dispose();
    }
  });

  it("applies the newer migrations on top of an older release's schema and data", async () => {
    const handle = await openTestDatabase(engine, { migrate: false });
    try {
      const journal = await readJournal(MIGRATIONS_FOLDER);
      // The newest release before the last migration that has seed data written in its own SQL.
      const older = journal.entries
        .slice(0, -1)
        .map((entry, index) => ({ tag: entry.tag, count: index + 1 }))
        .filter((release) => SEEDS[release.tag])
        .at(-1);
      if (journal.entries.length > 1)
        expect(older, 'add a seed for a release before the last migration').toBeDefined();
      const applied = older?.count ?? 0;
      await migrate(handle.db, { migrationsFolder: await truncatedCopy(applied) });
      expect((await migrationStatus(handle.db)).applied).toHaveLength(applied);
      const seeded = older ? await SEEDS[older.tag]!(handle.db) : undefined;

      expect(await migrate(handle.db)).toEqual(journal.entries.slice(applied).map((e) => e.tag));

      if (seeded) {
        expect((await getCluster(handle.db, seeded.clusterId))?.name).toBe('before-upgrade');
        const finding = makeFinding('cluster-admin', 'after-upgrade');
        const result = await recordScan(handle.db, {
          clusterId: seeded.clusterId,
          slot: 'after-upgrade',
          trigger: 'manual',
          report: makeReport({ findings: [finding] }),
          startedAt: new Date(),
          finishedAt: new Date(),
        });
        expect(result.transitions.opened).toBe(1);
        // The finding the old release left open is followed by the new code: cluster-admin ran and did not
        // report it, so it is resolved and notified.
        expect(result.transitions.resolved).toBe(1);
        const open = await listFindings(handle.db, { clusterIds: [seeded.clusterId] });
        expect(open.items.map((f) => f.fingerprint)).toEqual([finding.fingerprint]);
        const resolved = await listFindings(handle.db, {
          clusterIds: [seeded.clusterId],
          states: ['resolved'],
        });
        expect(resolved.items.map((f) => [f.fingerprint, f.firstRunId])).toEqual([['fp-old', seeded.runId]]);
      }
    } finally {
      await handle.dispose();
    }
  });
});

/**
 * Data as a released schema held it, written in that release's SQL (so it never changes), keyed by the
 * release's last migration tag. The upgrade test seeds the newest release listed here that precedes the
 * last migration, then applies every later migration; add a seed when a release's schema changes enough
 * that the older one no longer exercises it.
 */
const SEEDS: Record<
  string,
  (db: Parameters<typeof migrate>[0]) => Promise<{ clusterId: string; runId: string }>
> = {
  // Release 0000_initial: a cluster with one recorded run, its finding, lifecycle and outbox event.
  '0000_initial': async (db) => {
    const [cluster] = rowsOf<{ id: string }>(
      await db.execute(sql`
        insert into clusters (name, source, labels, schedule_interval_seconds)
        values ('before-upgrade', '{"type":"kubeconfig","context":"kind-old"}', '{"env":"prod"}', 86400)
        returning id`),
    );
    const clusterId = cluster!.id;
    const [run] = rowsOf<{ id: string }>(
      await db.execute(sql`
        insert into scan_runs (cluster_id, slot, trigger, status, started_at, finished_at, recorded_at,
          findings_failed, findings_suppressed, open_by_severity)
        values (${clusterId}, '2026-01-01T00:00:00.000Z', 'schedule', 'complete', now(), now(), now(), 1, 0,
          '{"critical":1,"high":0,"medium":0,"low":0,"info":0}')
        returning id`),
    );
    await db.execute(sql`
      insert into findings (run_id, fingerprint, check_id, title, severity, status, resource_kind, resource_name,
        message, evidence, controls)
      values (${run!.id}, 'fp-old', 'cluster-admin', 'Subjects with cluster-admin power', 'critical', 'fail',
        'ClusterRoleBinding', 'old-admin', 'old-admin holds cluster-admin', '{}', array['cis-eks-1.8.0:4.1.1'])`);
    await db.execute(sql`
      insert into finding_lifecycles (cluster_id, fingerprint, state, check_id, title, severity, resource_kind,
        resource_name, message, controls, first_seen_at, last_seen_at, first_run_id, last_run_id, opened_at,
        changed_at)
      values (${clusterId}, 'fp-old', 'open', 'cluster-admin', 'Subjects with cluster-admin power', 'critical',
        'ClusterRoleBinding', 'old-admin', 'old-admin holds cluster-admin', array['cis-eks-1.8.0:4.1.1'], now(),
        now(), ${run!.id}, ${run!.id}, now(), now())`);
    await db.execute(sql`
      insert into outbox_events (type, cluster_id, run_id, dedupe_key, payload)
      values ('finding.opened', ${clusterId}, ${run!.id}, ${`${run!.id}:finding.opened:fp-old`}, '{}')`);
    return { clusterId, runId: run!.id };
  },
};

describe('migrate on Postgres, concurrently', () => {
  it('lets two deploys migrate the same database at once: one applies, the other waits and finds nothing to do', async () => {
    const handle = await openTestDatabase('postgres', { migrate: false });
    const other = await openDatabase({ url: handle.url! });
    try {
      const results = await Promise.all([migrate(handle.db), migrate(other)]);
      const journal = await readJournal(MIGRATIONS_FOLDER);
      expect(results.map((r) => r.length).sort()).toEqual([0, journal.entries.length]);
      const rows = rowsOf<{ n: number }>(
        await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      expect(rows[0]?.n).toBe(journal.entries.length);
    } finally {
      await closeDatabase(other);
      await handle.dispose();
    }
  });
});
