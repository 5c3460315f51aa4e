/**
 * Bundles the Lambda functions the way SST does for Node runtimes: esbuild, one ESM file per function,
 * every dependency bundled (the AWS SDK included, so the code runs against the SDK version it was tested
 * with rather than the one the runtime ships), minified, source maps written beside the bundle but not
 * referenced from it. The migrate function gets the migrations copied next to it (SST: `copyFiles`).
 *
 *   node scripts/build-functions.ts [--out dist/functions]
 *
 * SST builds these itself on `sst deploy`; this script exists to measure what it ships (bench/pipeline/
 * bundles.ts) and to prove in a test that every bundle loads in a bare Node process.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const ROOT = join(import.meta.dirname, '..');
export const FUNCTIONS = [
  'api',
  'dispatch',
  'migrate',
  'notify',
  'notify-sweep',
  'retention',
  'scan',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

// ESM bundles of CommonJS dependencies still call require() and read __dirname (pg, the Kubernetes client);
// SST adds the same shims.
const BANNER = [
  "import { createRequire as __vigilCreateRequire } from 'node:module';",
  "import { fileURLToPath as __vigilFileURLToPath } from 'node:url';",
  "import { dirname as __vigilDirname } from 'node:path';",
  'const require = __vigilCreateRequire(import.meta.url);',
  'const __filename = __vigilFileURLToPath(import.meta.url);',
  'const __dirname = __vigilDirname(__filename);',
].join('\n');

/**
 * PGlite, the local stack's embedded engine, is replaced by a stub that throws: the functions always use
 * Postgres, and half a megabyte less to load is a faster cold start. infra/functions.ts passes the same alias.
 */
export const LAMBDA_ALIASES = { '@electric-sql/pglite': './functions/stubs/pglite.ts' };

/**
 * The API serves its reference (`/docs`) from swagger-ui-dist's files, resolved as a package next to the
 * bundle; only the files the page loads are shipped (infra/functions.ts copies the same ones).
 */
export const SWAGGER_UI_FILES = [
  'package.json',
  'swagger-ui.css',
  'index.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'favicon-16x16.png',
];

export interface BuiltFunction {
  name: FunctionName;
  /** The handler file, as Lambda would load it (`index.handler`). */
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Input files esbuild bundled into it. */
  modules: number;
}

export async function buildFunctions(outDir = join(ROOT, 'dist/functions')): Promise<BuiltFunction[]> {
  rmSync(outDir, { recursive: true, force: true });
  const built: BuiltFunction[] = [];
  for (const name of FUNCTIONS) {
    const dir = join(outDir, name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'index.mjs');
    const result = await build({
      entryPoints: [join(ROOT, 'functions', `${name}.ts`)],
      outfile: file,
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      minify: true,
      sourcemap: 'external',
      banner: { js: BANNER },
      metafile: true,
      logLevel: 'warning',
      legalComments: 'none',
      absWorkingDir: ROOT,
      alias: LAMBDA_ALIASES,
    });
    if (name === 'migrate') {
      cpSync(join(ROOT, 'packages/db/migrations'), join(dir, 'migrations'), { recursive: true });
    }
    if (name === 'api') {
      const target = join(dir, 'node_modules/swagger-ui-dist');
      mkdirSync(target, { recursive: true });
      for (const file of SWAGGER_UI_FILES) {
        cpSync(join(ROOT, 'node_modules/swagger-ui-dist', file), join(target, file));
      }
    }
    built.push({
      name,
      file,
      bytes: statSync(file).size,
      gzipBytes: gzipSync(readFileSync(file)).length,
      modules: Object.keys(result.metafile?.inputs ?? {}).length,
    });
  }
  return built;
}

if (import.meta.main) {
  const i = process.argv.indexOf('--out');
  const out = i === -1 ? undefined : process.argv[i + 1];
  const built = await buildFunctions(out ? resolve(out) : undefined);
  for (const f of built) {
    process.stdout.write(
      `${f.name.padEnd(9)} ${relative(process.cwd(), f.file)}  ${(f.bytes / 1024).toFixed(0)} KiB (${(f.gzipBytes / 1024).toFixed(0)} KiB gzip, ${f.modules} modules)\n`,
    );
  }
}
