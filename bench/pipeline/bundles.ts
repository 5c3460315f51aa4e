/**
 * What the Lambda functions ship: each bundle built as SST builds it (scripts/build-functions.ts), its size,
 * and its cold import time: a fresh Node process importing the bundle, timed inside the process from
 * before the import to when the handler is available (what a cold start adds to the runtime's own start).
 *
 *   node bench/pipeline/bundles.ts [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions } from '../../scripts/build-functions.ts';
import { formatSummary, machine, markdownTable, summarise } from '../lib/stats.ts';
import { numberOption } from './support.ts';

const kib = (bytes: number) => `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node');

function coldImportMs(file: string): number {
  const code = `const t = performance.now(); const m = await import(${JSON.stringify(file)});
    if (typeof m.handler !== 'function') throw new Error('no handler');
    process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(NODE, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { PATH: '' },
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(result.stdout);
}

export async function main(argv: string[] = []) {
  const runs = Math.max(1, Math.round(numberOption(argv, 'runs', 5)));
  const out = mkdtempSync(join(tmpdir(), 'vigil-bundles-'));
  try {
    const started = performance.now();
    const built = await buildFunctions(out);
    const buildMs = performance.now() - started;
    const rows = built.map((fn) => {
      const times = Array.from({ length: runs }, () => coldImportMs(fn.file));
      return { ...fn, cold: summarise(times) };
    });
    const m = machine();
    return {
      functions: rows.map((r) => ({
        name: r.name,
        bytes: r.bytes,
        gzipBytes: r.gzipBytes,
        coldMs: r.cold.median,
      })),
      markdown: [
        markdownTable(
          [
            'function',
            'bundle',
            'zipped (≈ gzip)',
            'modules bundled',
            `cold import, median of ${runs} (min–max)`,
          ],
          rows.map((r) => [r.name, kib(r.bytes), kib(r.gzipBytes), String(r.modules), formatSummary(r.cold)]),
        ),
        '',
        `Built with esbuild as SST builds Node functions (ESM, minified, AWS SDK bundled, PGlite stubbed) in`,
        `${(buildMs / 1000).toFixed(1)} s. Cold import: a fresh \`node\` process per run imports the bundle (no`,
        `database or network is touched before the first invocation). Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node},`,
        `load ${m.loadAverage}; Lambda's arm64 at 1,024 MB has about 0.6 of a vCPU, so expect roughly 1.5–2× these times there.`,
      ].join('\n'),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await main(process.argv.slice(2));
  process.stdout.write(`${result.markdown}\n`);
}
