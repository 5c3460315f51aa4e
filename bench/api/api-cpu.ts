/**
 * API-process CPU per request, in process: the Hono app's `fetch` called directly (no HTTP server, no load
 * generator) against bench/db's fixture in a Postgres database that is kept between runs. Measures
 * `process.cpuUsage()` over N requests issued `concurrency` at a time, so the figure is the API's own CPU
 * (statement building, decoding, DTO, JSON, auth, validation) and is not stretched by other load on the
 * machine. Postgres CPU is not included (another process).
 *
 *   node bench/api/api-cpu.ts [--clusters 1000] [--per-cluster 100] [--requests 3000] [--concurrency 10]
 *     [--db vigil_bench_api_cpu] [--drop]
 */
import { createApp, silentLogger } from '@vigil/api';
import { closeDatabase } from '@vigil/db';
import { sql } from 'drizzle-orm';
import { cpuMs } from '../db/server-cpu.ts';
import { dropKeptDatabase, keptDatabase, readKey } from './fixture.ts';

function option(argv: readonly string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1]!;
}

export async function main(argv: string[] = []): Promise<string> {
  const name = option(argv, 'db', 'vigil_bench_api_cpu');
  const requests = Number(option(argv, 'requests', '3000'));
  const concurrency = Number(option(argv, 'concurrency', '10'));
  const { db } = await keptDatabase(name, {
    clusters: Number(option(argv, 'clusters', '1000')),
    perCluster: Number(option(argv, 'per-cluster', '100')),
  });
  try {
    await db.execute(sql`delete from api_keys where name = 'bench-cpu'`);
    const admin = await readKey(db, 'bench-cpu');
    const prodOnly = await readKey(db, 'bench-cpu', { matchLabels: { env: 'prod' } });
    const app = createApp({
      db,
      scans: { requestScan: () => Promise.reject(new Error('no scans')) },
      config: { corsOrigins: [], maxBodyBytes: 65_536, rateLimit: { requestsPerMinute: 100_000_000 } },
      logger: silentLogger,
    });
    const targets = [
      { name: 'GET /v1/findings', path: '/v1/findings', token: admin },
      {
        name: 'GET /v1/findings?severity=critical&checkId=check-5',
        path: '/v1/findings?severity=critical&checkId=check-5',
        token: admin,
      },
      { name: 'GET /v1/findings (key limited to env=prod)', path: '/v1/findings', token: prodOnly },
      { name: 'GET /v1/fleet/summary', path: '/v1/fleet/summary', token: admin },
    ];
    const only = option(argv, 'only', '');
    const lines: string[] = [];
    for (const [i, t] of targets.entries()) {
      if (only && !only.split(',').includes(String(i))) continue;
      const headers = { authorization: `Bearer ${t.token}` };
      const one = async () => {
        const res = await app.fetch(new Request(`http://127.0.0.1${t.path}`, { headers }));
        if (res.status !== 200) throw new Error(`${t.path}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      };
      const run = async (n: number) => {
        let left = n;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (left-- > 0) await one();
          }),
        );
      };
      await run(Math.min(1000, requests));
      const backends = (await db.execute(
        sql`select pid from pg_stat_activity where datname = current_database()`,
      )) as unknown as { rows: { pid: number }[] };
      const pids = backends.rows.map((r) => Number(r.pid));
      // Per backend, so that one the pool closes as idle during the run does not void the sum.
      const postgresBefore = pids.map((pid) => cpuMs([pid]));
      const cpu = process.cpuUsage();
      const started = performance.now();
      await run(requests);
      const used = process.cpuUsage(cpu);
      const wall = performance.now() - started;
      const postgresMs = pids.reduce((sum, pid, i) => {
        const before = postgresBefore[i];
        const after = cpuMs([pid]);
        return before === null || before === undefined || after === null ? sum : sum + after - before;
      }, 0);
      const postgres = (postgresMs / requests).toFixed(3);
      lines.push(
        `${t.name.padEnd(55)} API ${((used.user + used.system) / 1000 / requests).toFixed(3)} ms CPU/request ` +
          `(user ${(used.user / 1000 / requests).toFixed(3)}), Postgres ${postgres} ms, ` +
          `${((requests / wall) * 1000).toFixed(0)} req/s in process`,
      );
    }
    return lines.join('\n');
  } finally {
    await closeDatabase(db);
    if (argv.includes('--drop')) await dropKeptDatabase(name);
  }
}

if (import.meta.main) {
  process.stdout.write(`${await main(process.argv.slice(2))}\n`);
}
