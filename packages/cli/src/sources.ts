import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ClusterSource } from '@vigil/collect';
import {
  buildSnapshotFromFiles,
  type ExceptionsFile,
  InputError,
  parseExceptionsFile,
  parseSnapshotFile,
  type Snapshot,
  type TextInput,
} from '@vigil/core';
import { UsageError } from './errors.ts';
import type { Io } from './io.ts';

/** Flags every command that reads a cluster takes (`scan`, `who-can`). */
export const SOURCE_OPTIONS = {
  manifests: { type: 'string', multiple: true },
  eks: { type: 'string' },
  snapshot: { type: 'string' },
  'cluster-name': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'eks-cluster': { type: 'string' },
  'role-arn': { type: 'string' },
  'external-id': { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** The live-source flags as parseArgs returns them. */
export function liveSourceArgs(values: {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  'eks-cluster'?: string | undefined;
  'role-arn'?: string | undefined;
  'external-id'?: string | undefined;
  timeout?: string | undefined;
}): Pick<SourceArgs, 'kubeconfig' | 'context' | 'eksCluster' | 'roleArn' | 'externalId' | 'timeoutSeconds'> {
  let timeoutSeconds: number | undefined;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
      throw new UsageError('--timeout takes a whole number of seconds from 1 to 3600');
    }
  }
  return {
    kubeconfig: values.kubeconfig,
    context: values.context,
    eksCluster: values['eks-cluster'],
    roleArn: values['role-arn'],
    externalId: values['external-id'],
    timeoutSeconds,
  };
}

export interface SourceArgs {
  /** Files, directories, or `-` for stdin. */
  manifests?: string[] | undefined;
  eks?: string | undefined;
  snapshot?: string | undefined;
  clusterName?: string | undefined;
  /** Live sources: a kubeconfig (and context), or an EKS cluster ARN (and a role to assume). */
  kubeconfig?: string | undefined;
  context?: string | undefined;
  eksCluster?: string | undefined;
  roleArn?: string | undefined;
  externalId?: string | undefined;
  timeoutSeconds?: number | undefined;
}

/** How long a live collection may take unless --timeout says otherwise. */
export const DEFAULT_COLLECT_TIMEOUT_SECONDS = 300;

/** A snapshot and the text it was built from (for output that points back at files, such as SARIF). */
export interface LoadedSource {
  snapshot: Snapshot;
  /** Manifest inputs in the order read; names are the paths as the user wrote them, or `stdin`. */
  manifests: TextInput[];
  eks?: TextInput;
  /** The snapshot file, when the input was one. */
  snapshotFile?: TextInput;
}

/** Bigger files are refused rather than read: cluster data is untrusted input. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
export const STDIN_NAME = 'stdin';

function describeFsError(error: unknown): string {
  switch ((error as { code?: string }).code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return `cannot be read (${(error as { code?: string }).code ?? (error as Error).message})`;
  }
}

/** Reads one file named on the command line; any failure is an InputError naming the path. */
export async function readInputFile(path: string, io: Io): Promise<TextInput> {
  const absolute = resolve(io.cwd, path);
  try {
    const info = await io.fs.stat(absolute);
    if (info.isDirectory()) throw new InputError(path, 'is a directory, expected a file');
    if (info.size > MAX_INPUT_BYTES) {
      throw new InputError(path, `is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    }
    return { name: path, text: await io.fs.readFile(absolute) };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(path, describeFsError(error), { cause: error });
  }
}

/**
 * Every manifest file under a directory, recursively: *.yaml, *.yml and *.json, sorted by path so the
 * result does not depend on the file system's order. Entries starting with a dot (.git, editor files)
 * are skipped; a directory seen twice through symbolic links is read once.
 */
async function walkDirectory(root: string, io: Io): Promise<string[]> {
  const files: string[] = [];
  const visited = new Set<string>();
  const visit = async (directory: string) => {
    const real = await io.fs.realpath(directory);
    if (visited.has(real)) return;
    visited.add(real);
    const entries = (await io.fs.readdir(directory)).filter((name) => !name.startsWith('.')).sort();
    for (const name of entries) {
      const path = join(directory, name);
      const info = await io.fs.stat(path);
      if (info.isDirectory()) await visit(path);
      else if (info.isFile() && MANIFEST_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)))
        files.push(path);
    }
  };
  await visit(root);
  return files.sort();
}

/** Expands `--manifests` values into text inputs: files as named, directories walked, `-` read from stdin. */
export async function readManifests(paths: readonly string[], io: Io): Promise<TextInput[]> {
  const inputs: TextInput[] = [];
  const seen = new Set<string>();
  let stdinRead = false;
  for (const path of paths) {
    if (path === '-') {
      if (stdinRead) throw new UsageError('--manifests - (stdin) can be given only once');
      stdinRead = true;
      inputs.push({ name: STDIN_NAME, text: await io.readStdin() });
      continue;
    }
    const absolute = resolve(io.cwd, path);
    let isDirectory: boolean;
    try {
      isDirectory = (await io.fs.stat(absolute)).isDirectory();
    } catch (error) {
      throw new InputError(path, describeFsError(error), { cause: error });
    }
    const files = isDirectory ? await walkDirectory(absolute, io).catch(rethrowAs(path)) : [absolute];
    if (isDirectory && files.length === 0) {
      throw new InputError(path, 'the directory holds no .yaml, .yml or .json files');
    }
    for (const file of files) {
      const real = await io.fs.realpath(file).catch(() => file);
      if (seen.has(real)) continue;
      seen.add(real);
      inputs.push(await readInputFile(displayPath(file, path, absolute), io));
    }
  }
  return inputs;
}

function rethrowAs(path: string) {
  return (error: unknown): never => {
    throw new InputError(path, describeFsError(error), { cause: error });
  };
}

/** Names a file found in a directory the way the user named the directory (relative stays relative). */
function displayPath(file: string, given: string, givenAbsolute: string): string {
  if (file === givenAbsolute) return given;
  const inside = relative(givenAbsolute, file);
  return isAbsolute(given) ? file : join(given, inside).split(sep).join('/');
}

/**
 * Turns the source flags into a snapshot. Reading files happens here; parsing and validation are core's.
 * A later live source (`--kubeconfig`, `--eks-cluster`) adds a branch here and keeps the same result.
 */
export async function loadSource(args: SourceArgs, io: Io): Promise<LoadedSource> {
  const manifestPaths = args.manifests ?? [];
  const live = liveSource(args);
  if (live) {
    if (manifestPaths.length > 0 || args.eks !== undefined || args.snapshot !== undefined) {
      throw new UsageError(
        '--kubeconfig / --eks-cluster cannot be combined with --manifests, --eks or --snapshot',
      );
    }
    return { snapshot: await collectLive(live, args, io), manifests: [] };
  }
  if (args.snapshot !== undefined) {
    if (manifestPaths.length > 0 || args.eks !== undefined) {
      throw new UsageError('--snapshot cannot be combined with --manifests or --eks');
    }
    const file = await readInputFile(args.snapshot, io);
    const snapshot = parseSnapshotFile(file);
    if (args.clusterName !== undefined) snapshot.cluster = { ...snapshot.cluster, name: args.clusterName };
    return { snapshot, manifests: [], snapshotFile: file };
  }
  if (manifestPaths.length === 0 && args.eks === undefined) {
    throw new UsageError(
      'say what to audit: --manifests PATH, --eks FILE, --snapshot FILE, --kubeconfig FILE or --eks-cluster ARN',
    );
  }
  const manifests = await readManifests(manifestPaths, io);
  const eks = args.eks !== undefined ? await readInputFile(args.eks, io) : undefined;
  // An EKS description names its cluster; bare manifests are named after where they were exported to.
  const clusterName = args.clusterName ?? (eks ? undefined : await nameFromManifestPaths(manifestPaths, io));
  const snapshot = buildSnapshotFromFiles({
    manifests,
    ...(eks ? { eks } : {}),
    ...(clusterName !== undefined ? { clusterName } : {}),
  });
  return { snapshot, manifests, ...(eks ? { eks } : {}) };
}

/**
 * The cluster name manifests imply when nothing names the cluster: the directory given (`exports/prod-eu/`),
 * else the folder the first file sits in (`exports/prod-eu/rbac.yaml`), else a bare file's own name
 * (`staging.yaml`). Manifests read from stdin imply none, and neither does a name a cluster could not have.
 */
export async function nameFromManifestPaths(paths: readonly string[], io: Io): Promise<string | undefined> {
  const first = paths.find((path) => path !== '-');
  if (first === undefined) return undefined;
  const absolute = resolve(io.cwd, first);
  const isDirectory = await io.fs.stat(absolute).then(
    (info) => info.isDirectory(),
    () => false,
  );
  const name = isDirectory
    ? basename(absolute)
    : dirname(first) !== '.'
      ? basename(dirname(absolute))
      : basename(first, extname(first));
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) ? name : undefined;
}

/** The same, for callers that only need the snapshot. */
export async function loadSnapshot(args: SourceArgs, io: Io): Promise<Snapshot> {
  return (await loadSource(args, io)).snapshot;
}

/** `--exceptions FILE`; without it the built-in exceptions apply. */
export async function loadExceptions(path: string | undefined, io: Io): Promise<ExceptionsFile | undefined> {
  if (path === undefined) return undefined;
  return parseExceptionsFile(await readInputFile(path, io));
}

/** The live source the flags name, if any; flags that only make sense with one of them are checked here. */
export function liveSource(args: SourceArgs): ClusterSource | undefined {
  if (args.kubeconfig !== undefined && args.eksCluster !== undefined) {
    throw new UsageError('give either --kubeconfig or --eks-cluster, not both');
  }
  if (args.context !== undefined && args.kubeconfig === undefined) {
    throw new UsageError('--context goes with --kubeconfig');
  }
  if ((args.roleArn !== undefined || args.externalId !== undefined) && args.eksCluster === undefined) {
    throw new UsageError('--role-arn and --external-id go with --eks-cluster');
  }
  if ((args.externalId === undefined) !== (args.roleArn === undefined)) {
    throw new UsageError(
      '--role-arn and --external-id go together (the role is assumed with the external id)',
    );
  }
  if (args.kubeconfig !== undefined) {
    return {
      type: 'kubeconfig',
      kubeconfigPath: args.kubeconfig,
      ...(args.context !== undefined ? { context: args.context } : {}),
      ...(args.clusterName !== undefined ? { name: args.clusterName } : {}),
    };
  }
  if (args.eksCluster !== undefined) {
    return {
      type: 'eks',
      clusterArn: args.eksCluster,
      ...(args.roleArn !== undefined ? { roleArn: args.roleArn } : {}),
      ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
    };
  }
  return undefined;
}

/**
 * Reads a live cluster. Per-kind failures end up in the snapshot's coverage (the audit reports them as
 * partial); a cluster that cannot be used at all is an error naming the reason, never a credential.
 * On a terminal, progress goes to stderr so stdout stays the report.
 */
async function collectLive(source: ClusterSource, args: SourceArgs, io: Io): Promise<Snapshot> {
  const timeout = (args.timeoutSeconds ?? DEFAULT_COLLECT_TIMEOUT_SECONDS) * 1000;
  const counts = new Map<string, number>();
  const progress = io.stderrIsTTY
    ? (p: { source: string; fetched: number }) => {
        counts.set(p.source, p.fetched);
        const total = [...counts.values()].reduce((a, b) => a + b, 0);
        io.stderr.write(`\rvigil: collecting... ${total} objects (${counts.size} kinds)`);
      }
    : undefined;
  // The collector (Kubernetes client, AWS SDK) is loaded only when a live cluster is read: reading files
  // should not pay for it.
  const { CollectError, collectSnapshot } = await import('@vigil/collect');
  try {
    const located =
      source.type === 'kubeconfig' && source.kubeconfigPath !== undefined
        ? { ...source, kubeconfigPath: resolve(io.cwd, source.kubeconfigPath) }
        : source;
    const snapshot = await collectSnapshot(located, {
      // The collector keeps real time (retries sleep in it); io.now() is the audit's clock, which tests fix.
      deadline: Date.now() + timeout,
      ...(progress ? { onProgress: progress } : {}),
    });
    if (progress) io.stderr.write('\n');
    if (args.clusterName !== undefined) snapshot.cluster = { ...snapshot.cluster, name: args.clusterName };
    return snapshot;
  } catch (error) {
    if (progress) io.stderr.write('\n');
    if (error instanceof CollectError) {
      const where = source.type === 'eks' ? source.clusterArn : (args.kubeconfig ?? 'kubeconfig');
      throw new InputError(where, `${error.message} (${error.code})`, { cause: error });
    }
    throw error;
  }
}
