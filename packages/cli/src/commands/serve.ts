import { relative, resolve } from 'node:path';
import { generateApiKey } from '@vigil/api';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { EXIT_OK } from '../command.ts';
import { localStackConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { startLocalStack } from '../local-stack.ts';
import { VERSION } from '../version.ts';

const usage = `Usage: vigil serve [--port N] [--no-demo]

Run Vigil's pipeline on this machine, the same handlers as in AWS (what \`npm start\` runs): the REST API
on 127.0.0.1, an embedded Postgres (PGlite) in the data directory, an in-process SQS server, the scan and
notify workers that behave like Lambda's SQS event source mappings, and the dispatcher on a timer. The
first start registers the bundled demo clusters, scans them through the queue, and prints an admin API
key once. Ctrl-C stops cleanly; the next start keeps every cluster, run and finding.

Options:
  --port N     Port of the API (default: PORT, or 8787; 0 picks a free one)
  --no-demo    Do not register the demo clusters on the first start

Environment:
  PORT                             API port (default 8787)
  VIGIL_DATA_DIR                   Data directory (default .vigil)
  DATABASE_URL                     postgres://... to use a Postgres server instead of the embedded one
  VIGIL_BOOTSTRAP_ADMIN_KEY        An API key (vgl_...) to store as an admin key at start
  VIGIL_CORS_ORIGINS               Origins allowed to call the API from a browser (comma-separated)
  VIGIL_DISPATCH_INTERVAL_SECONDS  How often due clusters are looked for (default 60)
  VIGIL_WEBHOOK_ALLOW_CIDRS        Private ranges webhook destinations may use
  VIGIL_SECRETS_KEY_FILE           Key that seals notification credentials (default <data dir>/secrets.key)
  VIGIL_RETENTION_DAYS             Days of history kept; older runs are pruned daily (default 400, min 7)
  VIGIL_LOG                        file (default: JSON logs in <data dir>/vigil.log) or stderr (also on stderr)
`;

/** Resolves on Ctrl-C or a termination request. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

/** Turns the pipeline's log entries about scans into one line each for the person watching. */
function scanReporter(io: Io) {
  const names = new Map<string, string>();
  return (entry: Record<string, unknown>) => {
    const id = String(entry.clusterId ?? '');
    if (typeof entry.cluster === 'string') names.set(id, entry.cluster);
    const name = names.get(id) ?? id;
    switch (entry.msg) {
      case 'scan recorded': {
        const findings = entry.findings as { fail: number; suppressed: number };
        io.stdout.write(
          `  scanned ${name}: ${entry.status}, ${findings.fail} failing findings, ${findings.suppressed} suppressed\n`,
        );
        break;
      }
      case 'scan failed; run recorded as failed':
        io.stdout.write(`  scan of ${name} failed: ${entry.reason}\n`);
        break;
      case 'scan failed; the message will be retried':
        io.stdout.write(
          `  scan of ${name} failed, retrying later: ${(entry.error as Error)?.message ?? ''}\n`,
        );
        break;
    }
  };
}

export const serve: Command = {
  name: 'serve',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      port: { type: 'string' },
      'no-demo': { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const config = localStackConfig(values.port === undefined ? io.env : { ...io.env, PORT: values.port });
    // Paths read best relative to where the user stands, unless that means climbing out of it.
    const shown = (path: string) => {
      const rel = relative(io.cwd, resolve(io.cwd, path));
      return rel === '' ? '.' : rel.startsWith('..') ? resolve(io.cwd, path) : rel;
    };
    const stack = await startLocalStack({
      ...config,
      demo: !values['no-demo'],
      generatedAdminKey: () => generateApiKey().token,
      onLog: scanReporter(io),
      now: () => new Date(),
    });
    const { url } = stack;
    const database = config.databaseUrl
      ? `Postgres at ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}`
      : `embedded Postgres (PGlite) in ${shown(`${config.dataDir}/data`)}`;
    io.stdout.write(
      `Vigil ${VERSION} is running at ${url}\n` +
        `  API reference   ${url}/docs\n` +
        `  OpenAPI         ${url}/openapi.json\n` +
        `  Database        ${database}\n` +
        `  Logs            ${shown(`${config.dataDir}/vigil.log`)}\n\n`,
    );
    if (stack.generatedAdminKey) {
      io.stdout.write(
        'Admin API key (shown once; only its hash is stored, so keep it now):\n' +
          `  ${stack.generatedAdminKey}\n` +
          `  curl -H "Authorization: Bearer ${stack.generatedAdminKey}" ${url}/v1/clusters\n\n`,
      );
    } else if (config.bootstrapAdminKey) {
      io.stdout.write('API key: the admin key in VIGIL_BOOTSTRAP_ADMIN_KEY is active.\n\n');
    } else {
      io.stdout.write(
        'API key: use the admin key printed on the first start. Lost it? Stop Vigil and run\n' +
          '`npx vigil keys create --scope admin`, or start it with VIGIL_BOOTSTRAP_ADMIN_KEY set to a key from\n' +
          '`npx vigil keys generate`.\n\n',
      );
    }
    if (config.oidc) {
      io.stdout.write(
        `OIDC: bearer tokens of ${config.oidc.issuer} for audience ${config.oidc.audience} are accepted next to API keys.\n\n`,
      );
    }
    if (stack.demoClusters.length > 0) {
      io.stdout.write(
        `Registered the demo fleet (${stack.demoClusters.map((c) => c.name).join(', ')}); scanning it through the queue...\n`,
      );
      stack.waitForDemoScans().then(
        (runs) => {
          const failing = runs.reduce((sum, run) => sum + (run.findingsFailed ?? 0), 0);
          io.stdout.write(
            `Demo fleet scanned: ${runs.length} clusters, ${failing} failing findings. ` +
              `Browse them at ${url}/v1/findings\n`,
          );
        },
        (error: Error) => io.stderr.write(`vigil serve: ${error.message}\n`),
      );
    }
    io.stdout.write(
      'Add a cluster:  vigil clusters add NAME --context CONTEXT  (a kubeconfig context)\n' +
        '                vigil clusters add NAME --eks-arn ARN [--role-arn ARN --external-id ID]\n' +
        `Stop with Ctrl-C; everything stays in ${shown(config.dataDir)}/.\n\n`,
    );
    await untilStopped();
    io.stdout.write('\nStopping: finishing the scans in flight...\n');
    await stack.stop();
    io.stdout.write(`Stopped. The next start picks up from ${shown(config.dataDir)}/.\n`);
    return EXIT_OK;
  },
};
