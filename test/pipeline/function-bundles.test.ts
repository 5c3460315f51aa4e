import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDatabase, type TestDatabase } from '@vigil/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiConfig,
  dispatchConfig,
  migrateConfig,
  notifyConfig,
  scanConfig,
} from '../../functions/config.ts';
import { fakeDeploy, recordedFunction, resetFakeDeploy } from '../../infra/testing/deploy.ts';
import {
  type BuiltFunction,
  buildFunctions,
  FUNCTIONS,
  LAMBDA_ALIASES,
  SWAGGER_UI_FILES,
} from '../../scripts/build-functions.ts';

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node');

/** Runs `code` (an ES module body) in a fresh Node process, as a Lambda sandbox would load the bundle. */
function runNode(
  code: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['--input-type=module', '-e', code], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode ?? -1, stdout, stderr }));
  });
}

// What infra/ deploys and what the functions read must agree: each function's recorded environment parses
// with that function's own config module.
describe('the deployed functions environment', () => {
  afterEach(resetFakeDeploy);

  it('is exactly what each function config module accepts', async () => {
    const { fake } = await fakeDeploy({
      env: { VIGIL_OIDC_ISSUER: 'https://login.example.com', VIGIL_OIDC_AUDIENCE: 'vigil' },
    });
    // Placeholders stand for values known after deployment; give them the shapes they will have.
    const realistic = (env: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(env).map(([name, value]) => [
          name,
          name === 'DATABASE_URL'
            ? 'postgres://u:p@db.internal:5432/vigil?sslmode=verify-full'
            : value.startsWith('<')
              ? 'https://sqs.eu-west-1.amazonaws.com/111122223333/scan'
              : value,
        ]),
      );
    const env = (name: string) => realistic(recordedFunction(fake, name).environment);
    expect(scanConfig(env('Scan'))).toMatchObject({ maxReceiveCount: 5, reserveMs: 30_000 });
    expect(dispatchConfig(env('Dispatch'))).toMatchObject({ spreadSeconds: 900 });
    expect(apiConfig(env('ApiHandler')).api.oidc).toEqual({
      issuer: 'https://login.example.com',
      audience: 'vigil',
    });
    expect(migrateConfig(env('Migrate'))).toMatchObject({ migrationsDir: '/var/task/migrations' });
    for (const name of ['Notify', 'NotifySweep']) {
      expect(notifyConfig(env(name))).toMatchObject({ kmsKeyId: expect.any(String) });
    }
    expect(scanConfig(env('Scan')).notifyQueueUrl).toBeDefined();
  });

  it('is bundled with the same aliases and files SST will use', async () => {
    const { fake } = await fakeDeploy();
    for (const name of ['Scan', 'Dispatch', 'ApiHandler', 'Migrate', 'Notify', 'NotifySweep']) {
      expect(recordedFunction(fake, name).nodejs?.esbuild?.alias).toEqual(LAMBDA_ALIASES);
    }
    expect(recordedFunction(fake, 'ApiHandler').copyFiles?.map((f) => f.to)).toEqual(
      SWAGGER_UI_FILES.map((file) => `node_modules/swagger-ui-dist/${file}`),
    );
  });
});

// The bundles as SST would build them, loaded in bare Node processes: nothing missing, nothing that needs
// the repository, the migrations shipped beside the migrate function.
describe('the function bundles', () => {
  let out: string;
  let built: BuiltFunction[];
  let database: TestDatabase;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'vigil-functions-'));
    built = await buildFunctions(out);
    database = await openTestDatabase('postgres', { migrate: false });
  }, 120_000);
  afterAll(async () => {
    await database?.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  it('builds one ESM file per function that loads without the repository or any configuration', async () => {
    expect(built.map((f) => f.name)).toEqual([...FUNCTIONS]);
    for (const fn of built) {
      expect(fn.bytes).toBeGreaterThan(0);
      const { code, stdout, stderr } = await runNode(
        `const m = await import(${JSON.stringify(fn.file)}); console.log(typeof m.handler);`,
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.trim()).toBe('function');
    }
    // The embedded engine stays out of the Lambda bundles.
    for (const fn of built) expect(readFileSync(fn.file, 'utf8')).not.toContain('pglite.wasm');
  });

  it('migrates a database from the bundle, with the migrations copied beside it', async () => {
    const migrate = built.find((f) => f.name === 'migrate')!;
    const { code, stdout, stderr } = await runNode(
      `const { handler } = await import(${JSON.stringify(migrate.file)});
       const result = await handler({});
       process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');`,
      {
        DATABASE_URL: database.url!,
        VIGIL_MIGRATIONS_DIR: join(out, 'migrate', 'migrations'),
      },
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(
      stdout
        .split('\n')
        .find((line) => line.startsWith('RESULT '))!
        .slice(7),
    ) as {
      applied: string[];
    };
    expect(result.applied.length).toBeGreaterThan(0);
  });

  it('serves the API, its reference page and its assets from the bundle', async () => {
    const api = built.find((f) => f.name === 'api')!;
    const event = (path: string) => ({
      ...JSON.parse(
        readFileSync(join(import.meta.dirname, '../../functions/events/api-gateway-v2.json'), 'utf8'),
      ),
      rawPath: path,
    });
    const { code, stdout, stderr } = await runNode(
      `const { handler } = await import(${JSON.stringify(api.file)});
       const event = ${JSON.stringify(event('/docs/assets/swagger-ui.css'))};
       event.requestContext.http.path = event.rawPath;
       const health = await handler({ ...event, rawPath: '/healthz', requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path: '/healthz' } } }, {});
       const css = await handler(event, {});
       process.stdout.write('RESULT ' + JSON.stringify([health.statusCode, css.statusCode, css.headers['content-type']]) + '\\n');
       process.exit(0); // the connection pool would keep the process alive until it idles out`,
      {
        DATABASE_URL: database.url!,
        VIGIL_SCAN_QUEUE_URL: 'http://127.0.0.1:1/000000000000/scan',
        AWS_REGION: 'us-east-1',
      },
    );
    expect({
      code,
      stderr: stderr
        .split('\n')
        .filter((l) => !l.startsWith('{'))
        .join(''),
    }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(
      stdout
        .split('\n')
        .find((line) => line.startsWith('RESULT '))!
        .slice(7),
    );
    expect(result).toEqual([200, 200, 'text/css; charset=utf-8']);
  });
});
