/**
 * CPU time spent by the Postgres backends serving one database, read from /proc (the bench runs on the
 * database's host). With other work on the machine, wall time stretches but CPU time does not: client CPU
 * plus server CPU is what the same work costs on an idle machine.
 */
import { readFileSync } from 'node:fs';
import type { Database } from '@vigil/db';
import { sql } from 'drizzle-orm';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** The backend serving a one-connection database handle (open it with `poolSize: 1`). */
export async function backendPid(db: Database): Promise<number> {
  const result = (await db.execute(sql`select pg_backend_pid() as pid`)) as unknown as {
    rows: { pid: number }[];
  };
  return Number(result.rows[0]!.pid);
}

/** Milliseconds of CPU (user + system) the processes used so far; null when /proc cannot be read. */
export function cpuMs(pids: readonly number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  }
  return total;
}
