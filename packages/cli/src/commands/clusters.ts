import { resolve } from 'node:path';
import {
  type Cluster,
  type ClusterSource,
  closeDatabase,
  createCluster,
  type Database,
  deleteCluster,
  getClusterByName,
  listClusters,
  migrate,
  openDatabase,
} from '@vigil/db';
import { parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { EXIT_OK } from '../command.ts';
import { apiClientConfig, localStackConfig } from '../config.ts';
import { StateError, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { runningServer } from '../local-stack.ts';

const usage = `Usage: vigil clusters list
       vigil clusters add NAME --context CONTEXT [--kubeconfig FILE] [options]
       vigil clusters add NAME --eks-arn ARN [--role-arn ARN --external-id ID] [options]
       vigil clusters scan NAME
       vigil clusters remove NAME

Register the clusters the local stack (\`npm start\`) scans. While it runs, the commands go through its
API (set VIGIL_API_KEY to the admin key it printed); otherwise they write to its database directly and
the next start scans what was added. VIGIL_API_URL points them at another Vigil API.

Only references are stored: a kubeconfig context by name (the file stays on this machine), a role to
assume with its external id; never a token or a key.

Options of add:
  --context NAME       Kubeconfig context (the default kubeconfig, or --kubeconfig FILE)
  --kubeconfig FILE    Kubeconfig file holding the context
  --eks-arn ARN        EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)
  --role-arn ARN       Role in the cluster's account to assume (deploy/aws/trust-policy.json)
  --external-id ID     External id that role's trust policy requires
  --label KEY=VALUE    A label (repeatable); API keys can be limited to clusters by label
  --schedule EVERY     How often to scan: 24h (default), 6h, 7d, 3600 (seconds) or manual
  --no-scan            Do not scan it right away (a running stack scans new clusters at once)
`;

interface ClusterInput {
  name: string;
  source: ClusterSource;
  labels: Record<string, string>;
  scheduleIntervalSeconds: number | null;
}

/** Where the commands act: a running Vigil's API, or the local database. */
interface Target {
  describe: string;
  list(): Promise<Pick<Cluster, 'id' | 'name' | 'source' | 'scheduleIntervalSeconds' | 'enabled'>[]>;
  add(input: ClusterInput): Promise<{ id: string; name: string }>;
  scan(name: string): Promise<{ runId: string } | null>;
  remove(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export function parseSchedule(value: string | undefined): number | null {
  if (value === undefined) return 86_400;
  if (value === 'manual') return null;
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match) throw new UsageError(`--schedule must look like 24h, 30m, 7d, 3600 or manual (got "${value}")`);
  const unit = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function parseLabels(values: string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`--label must be KEY=VALUE (got "${value}")`);
    labels[value.slice(0, at)] = value.slice(at + 1);
  }
  return labels;
}

function sourceOf(values: Record<string, unknown>, io: Io): ClusterSource {
  const context = values.context as string | undefined;
  const eksArn = values['eks-arn'] as string | undefined;
  if ((context === undefined) === (eksArn === undefined)) {
    throw new UsageError('give either --context (a kubeconfig context) or --eks-arn');
  }
  if (context !== undefined) {
    if (values['role-arn'] || values['external-id']) {
      throw new UsageError('--role-arn and --external-id go with --eks-arn');
    }
    const file = values.kubeconfig as string | undefined;
    return { type: 'kubeconfig', context, ...(file ? { kubeconfigPath: resolve(io.cwd, file) } : {}) };
  }
  const region = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):/.exec(eksArn!)?.[1];
  if (!region) throw new UsageError(`--eks-arn is not an EKS cluster ARN: ${eksArn}`);
  const roleArn = values['role-arn'] as string | undefined;
  const externalId = values['external-id'] as string | undefined;
  if (!externalId !== !roleArn) {
    throw new UsageError(
      '--role-arn and --external-id go together (the role is assumed with the external id)',
    );
  }
  return {
    type: 'eks',
    arn: eksArn!,
    region,
    ...(roleArn ? { roleArn } : {}),
    ...(externalId ? { externalId } : {}),
  };
}

function describeSource(source: ClusterSource): string {
  switch (source.type) {
    case 'eks':
      return `eks ${source.arn}${source.roleArn ? ` as ${source.roleArn}` : ''}`;
    case 'kubeconfig':
      return `kubeconfig context ${source.context}${source.kubeconfigPath ? ` in ${source.kubeconfigPath}` : ''}`;
    case 'snapshot':
      return `snapshot ${source.path}`;
  }
}

function describeSchedule(seconds: number | null): string {
  if (seconds === null) return 'manual';
  if (seconds % 86_400 === 0) return `every ${seconds / 86_400}d`;
  if (seconds % 3_600 === 0) return `every ${seconds / 3_600}h`;
  if (seconds % 60 === 0) return `every ${seconds / 60}m`;
  return `every ${seconds}s`;
}

async function apiTarget(url: string, apiKey: string | undefined): Promise<Target> {
  if (!apiKey) {
    throw new StateError(
      `Vigil is running at ${url}: set VIGIL_API_KEY to the admin key it printed on its first start`,
    );
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const detail = (json.detail ?? json.title ?? response.statusText) as string;
      throw new UsageError(`the API answered ${response.status}: ${detail}`);
    }
    return json;
  };
  const all = async () => {
    const items: Cluster[] = [];
    let cursor: string | null = null;
    do {
      const page = (await call(
        'GET',
        `/v1/clusters?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )) as {
        items: Cluster[];
        nextCursor: string | null;
      };
      items.push(...page.items);
      cursor = page.nextCursor ?? null;
    } while (cursor);
    return items;
  };
  const byName = async (name: string) => (await all()).find((c) => c.name === name) ?? null;
  return {
    describe: `the Vigil API at ${url}`,
    list: all,
    add: async (input) =>
      (await call('POST', '/v1/clusters', input)) as unknown as { id: string; name: string },
    async scan(name) {
      const cluster = await byName(name);
      if (!cluster) return null;
      return (await call('POST', `/v1/clusters/${cluster.id}/scans`)) as unknown as { runId: string };
    },
    async remove(name) {
      const cluster = await byName(name);
      if (!cluster) return false;
      await call('DELETE', `/v1/clusters/${cluster.id}`);
      return true;
    },
    close: async () => {},
  };
}

async function databaseTarget(io: Io): Promise<Target> {
  const config = localStackConfig(io.env);
  let db: Database;
  try {
    db = await openDatabase(
      config.databaseUrl ? { url: config.databaseUrl } : { dataDir: resolve(io.cwd, config.dataDir, 'data') },
    );
  } catch (error) {
    throw new UsageError(`cannot open Vigil's database: ${(error as Error).message}`, { cause: error });
  }
  await migrate(db);
  return {
    describe: config.databaseUrl ? 'the database at DATABASE_URL' : `the database in ${config.dataDir}`,
    list: async () => {
      const items: Cluster[] = [];
      let cursor: string | undefined;
      do {
        const page = await listClusters(db, { limit: 500, ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return items;
    },
    add: (input) => createCluster(db, input),
    scan: async () => {
      throw new UsageError('scanning needs a running Vigil: start it with `npm start`');
    },
    async remove(name) {
      const cluster = await getClusterByName(db, name);
      return cluster ? deleteCluster(db, cluster.id) : false;
    },
    close: () => closeDatabase(db),
  };
}

async function targetFor(io: Io): Promise<Target> {
  const client = apiClientConfig(io.env);
  if (client.url) return apiTarget(client.url.replace(/\/$/, ''), client.apiKey);
  const { dataDir } = localStackConfig(io.env);
  const server = await runningServer(resolve(io.cwd, dataDir));
  if (server) return apiTarget(server.url, client.apiKey);
  return databaseTarget(io);
}

export const clusters: Command = {
  name: 'clusters',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      'eks-arn': { type: 'string' },
      'role-arn': { type: 'string' },
      'external-id': { type: 'string' },
      label: { type: 'string', multiple: true },
      schedule: { type: 'string' },
      'no-scan': { type: 'boolean' },
    });
    const [action, name, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (!action) throw new UsageError('missing the action: list, add, scan or remove');
    if (action !== 'list' && !name) throw new UsageError(`clusters ${action} needs the cluster's NAME`);
    if (action === 'list' && name) throw new UsageError(`unexpected argument "${name}"`);
    // Validate the flags before touching anything.
    const input =
      action === 'add'
        ? {
            name: name!,
            source: sourceOf(values, io),
            labels: parseLabels(values.label),
            scheduleIntervalSeconds: parseSchedule(values.schedule),
          }
        : undefined;
    if (!['list', 'add', 'scan', 'remove'].includes(action)) {
      throw new UsageError(`unknown action "${action}": list, add, scan or remove`);
    }
    const target = await targetFor(io);
    try {
      switch (action) {
        case 'list': {
          const items = await target.list();
          if (items.length === 0) io.stdout.write(`No clusters in ${target.describe}.\n`);
          const width = Math.max(4, ...items.map((c) => c.name.length));
          for (const c of items) {
            io.stdout.write(
              `${c.name.padEnd(width)}  ${describeSchedule(c.scheduleIntervalSeconds).padEnd(10)}  ${c.enabled ? '' : '(disabled) '}${describeSource(c.source)}\n`,
            );
          }
          break;
        }
        case 'add': {
          const cluster = await target.add(input!);
          io.stdout.write(`Registered ${cluster.name} (${cluster.id}) in ${target.describe}.\n`);
          if (target.describe.startsWith('the Vigil API') && !values['no-scan']) {
            const run = await target.scan(cluster.name);
            io.stdout.write(`Scan queued (run ${run?.runId}).\n`);
          } else if (!target.describe.startsWith('the Vigil API')) {
            io.stdout.write('It is scanned when Vigil runs: start it with `npm start`.\n');
          }
          break;
        }
        case 'scan': {
          const run = await target.scan(name!);
          if (!run) throw new UsageError(`no cluster named ${name}`);
          io.stdout.write(`Scan of ${name} queued (run ${run.runId}).\n`);
          break;
        }
        case 'remove': {
          if (!(await target.remove(name!))) throw new UsageError(`no cluster named ${name}`);
          io.stdout.write(`Removed ${name}; its runs and findings stay until retention deletes them.\n`);
          break;
        }
      }
    } finally {
      await target.close();
    }
    return EXIT_OK;
  },
};
