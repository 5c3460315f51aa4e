import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverFile } from './local-stack.ts';
import { runVigil } from './testing.ts';

// A local stack announces itself in <data dir>/server.json; the parent process stands in for its pid
// (alive, and not this process), so nothing is started and the embedded database is never opened.
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-store-'));
  await writeFile(serverFile(dataDir), JSON.stringify({ pid: process.ppid, url: 'http://127.0.0.1:18787' }));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('commands that open the embedded database while the local stack runs from it', () => {
  it('are refused, and only commands the API serves point to the API', async () => {
    const env = { VIGIL_DATA_DIR: dataDir };
    const cases: [string[], string][] = [
      [['keys', 'list'], 'stop it first, or use the API'],
      [['prune', '--days', '30'], 'it prunes its history every day; stop it first to prune now'],
      [['migrate', '--status'], 'it applied the migrations when it started; stop it first'],
    ];
    for (const [args, advice] of cases) {
      const res = await runVigil(args, { env });
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain(
        `Vigil is running from ${dataDir} (pid ${process.ppid}, http://127.0.0.1:18787)`,
      );
      expect(res.stderr).toContain(`holds its embedded database; ${advice}\n`);
      if (args[0] !== 'keys') expect(res.stderr).not.toContain('use the API');
    }
  });
});
