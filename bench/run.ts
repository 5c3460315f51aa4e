/**
 * `npm run bench` runs every benchmark; `npm run bench -- audit` (or `audit db`) runs those groups only.
 *
 * A group is a folder of bench/ (besides `lib` and `results`); each of its `*.ts` files (not `*.test.ts` or
 * scratch `*.tmp.ts`) that exports `main(argv: string[])` is one benchmark. main returns its report as
 * markdown (a string, or an object with a `markdown` field) or prints it itself and returns nothing. Options
 * after the group names (`--sizes 1000`) are passed to every main that runs.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatMs } from './lib/stats.ts';

const BENCH_DIR = import.meta.dirname;
const NOT_GROUPS = new Set(['lib', 'results']);

export interface BenchEntry {
  group: string;
  file: string;
}

/** Every bench file of the chosen groups (all groups when none is named), in a stable order. */
export function discover(groups: readonly string[] = []): BenchEntry[] {
  const available = readdirSync(BENCH_DIR)
    .filter((name) => !NOT_GROUPS.has(name) && statSync(join(BENCH_DIR, name)).isDirectory())
    .sort();
  const unknown = groups.filter((g) => !available.includes(g));
  if (unknown.length) {
    throw new Error(`unknown bench group ${unknown.join(', ')}; groups: ${available.join(', ')}`);
  }
  const chosen = groups.length ? available.filter((g) => groups.includes(g)) : available;
  return chosen.flatMap((group) =>
    readdirSync(join(BENCH_DIR, group))
      .filter((name) => name.endsWith('.ts') && !/\.(test|d|tmp)\.ts$/.test(name))
      .sort()
      .map((name) => ({ group, file: join(BENCH_DIR, group, name) })),
  );
}

type Main = (argv: string[]) => unknown;

function markdownOf(result: unknown): string | undefined {
  if (typeof result === 'string') return result;
  if (
    result &&
    typeof result === 'object' &&
    typeof (result as { markdown?: unknown }).markdown === 'string'
  ) {
    return (result as { markdown: string }).markdown;
  }
  return undefined;
}

export async function runBenches(argv: string[]): Promise<number> {
  const firstOption = argv.findIndex((arg) => arg.startsWith('-'));
  const groups = firstOption === -1 ? argv : argv.slice(0, firstOption);
  const options = firstOption === -1 ? [] : argv.slice(firstOption);
  const entries = discover(groups);
  let failed = 0;
  let ran = 0;
  const started = performance.now();
  for (const entry of entries) {
    // Helper modules (the audit bench's measuring child, shared code) export no main and are skipped.
    const module = (await import(pathToFileURL(entry.file).href)) as { main?: Main };
    if (typeof module.main !== 'function') continue;
    const name = `${entry.group}/${basename(entry.file, '.ts')}`;
    process.stderr.write(`\n== bench ${name}\n`);
    const t = performance.now();
    try {
      const markdown = markdownOf(await module.main(options));
      if (markdown) process.stdout.write(`\n## ${name}\n\n${markdown}\n`);
      process.stderr.write(`== ${name} done in ${formatMs(performance.now() - t)}\n`);
      ran++;
    } catch (error) {
      failed++;
      process.stderr.write(`== ${name} FAILED: ${(error as Error).stack ?? error}\n`);
    }
  }
  if (ran + failed === 0) {
    process.stderr.write(`no bench exports main() in ${relative(process.cwd(), BENCH_DIR)}/<group>/*.ts\n`);
    return 1;
  }
  process.stderr.write(
    `\n${ran} bench(es) ran, ${failed} failed, in ${formatMs(performance.now() - started)}\n`,
  );
  return failed ? 1 : 0;
}

if (import.meta.main) {
  process.exitCode = await runBenches(process.argv.slice(2));
}
