import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type CollectOptions, collectSnapshot } from '@vigil/collect';
import { buildSnapshotFromFiles, parseSnapshotFile, type Snapshot, type TextInput } from '@vigil/core';
import type { Cluster } from '@vigil/db';
import { PermanentScanError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Which cluster sources this deployment may read. Cluster records come from API callers: least privilege. */
export interface SourcePolicy {
  /**
   * Directories whose files `snapshot` sources may name (the local stack: the bundled demo fleet and the data
   * directory). Empty: snapshot sources are refused, as in AWS, where the scanner has no such files.
   */
  snapshotRoots: readonly string[];
  /** Whether `kubeconfig` sources may be scanned: on the operator's machine yes, in Lambda there is no kubeconfig. */
  allowKubeconfig: boolean;
}

/** Largest snapshot or manifest file read from disk. */
export const MAX_SOURCE_FILE_BYTES = 256 * 1024 * 1024;

export interface ReadClusterOptions {
  policy: SourcePolicy;
  /** Epoch milliseconds by which collection must end. */
  deadline: number;
  scanId: string;
  logger: Logger;
  /** Anything else @vigil/collect takes (AWS client factories, page size, request timeout...). */
  collect?: Omit<CollectOptions, 'deadline' | 'scanId' | 'logger'>;
  /** ISO instant recorded as the snapshot's collection time for file sources. */
  now: Date;
}

/**
 * Reads a registered cluster into a snapshot: live clusters through @vigil/collect (within the deadline;
 * kinds it could not finish are `timed_out` in the coverage, so the audit is partial), snapshot sources from
 * files under an allowed root. Throws PermanentScanError when the source may not be used here.
 */
export async function readCluster(cluster: Cluster, options: ReadClusterOptions): Promise<Snapshot> {
  const { source } = cluster;
  const collect: CollectOptions = {
    ...options.collect,
    deadline: options.deadline,
    scanId: options.scanId,
    logger: options.logger,
  };
  switch (source.type) {
    case 'eks':
      return collectSnapshot(
        {
          type: 'eks',
          clusterArn: source.arn,
          ...(source.roleArn ? { roleArn: source.roleArn } : {}),
          ...(source.externalId ? { externalId: source.externalId } : {}),
        },
        collect,
      );
    case 'kubeconfig':
      if (!options.policy.allowKubeconfig) {
        throw new PermanentScanError(
          'SOURCE_NOT_ALLOWED',
          'kubeconfig sources cannot be scanned by this deployment (register the cluster by EKS ARN)',
        );
      }
      return collectSnapshot(
        {
          type: 'kubeconfig',
          context: source.context,
          name: cluster.name,
          ...(source.kubeconfigPath ? { kubeconfigPath: source.kubeconfigPath } : {}),
        },
        collect,
      );
    case 'snapshot':
      return readSnapshotSource(source.path, cluster.name, options);
  }
}

async function readSnapshotSource(path: string, clusterName: string, options: ReadClusterOptions) {
  const real = await allowedPath(path, options.policy.snapshotRoots);
  const info = await stat(real);
  if (info.isDirectory()) {
    // The layout of the bundled demo fleet: manifests as `kubectl get -o yaml` prints them, and for EKS the
    // `aws eks describe-cluster` output. Exceptions are the store's business, not the directory's.
    const manifests = await firstExisting(real, ['manifests.yaml', 'manifests.yml', 'manifests.json']);
    if (!manifests) {
      throw new PermanentScanError(
        'INVALID_SOURCE',
        `snapshot source ${path} is a directory without manifests.yaml`,
      );
    }
    const eks = await firstExisting(real, ['eks.json']);
    return buildSnapshotFromFiles({
      manifests: [await readText(manifests, path)],
      ...(eks ? { eks: await readText(eks, path) } : {}),
      clusterName,
      collectedAt: options.now.toISOString(),
    });
  }
  return parseSnapshotFile(await readText(real, path));
}

/** Resolves symbolic links first, so a link inside a root cannot point outside it. */
async function allowedPath(path: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0) {
    throw new PermanentScanError(
      'SOURCE_NOT_ALLOWED',
      'snapshot sources cannot be scanned by this deployment',
    );
  }
  if (!isAbsolute(path)) {
    throw new PermanentScanError('INVALID_SOURCE', 'a snapshot source path must be absolute');
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw new PermanentScanError(
      'INVALID_SOURCE',
      `snapshot source ${path} does not exist or cannot be read`,
      {
        cause: error,
      },
    );
  }
  for (const root of roots) {
    const realRoot = await realpath(resolve(root)).catch(() => null);
    if (!realRoot) continue;
    const inside = relative(realRoot, real);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside) && !inside.startsWith(`..${sep}`)))
      return real;
  }
  throw new PermanentScanError(
    'SOURCE_NOT_ALLOWED',
    `snapshot source ${path} is outside the directories this deployment reads snapshots from`,
  );
}

async function firstExisting(directory: string, names: string[]): Promise<string | null> {
  for (const name of names) {
    const candidate = join(directory, name);
    if (
      await stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

async function readText(file: string, shownAs: string): Promise<TextInput> {
  const info = await stat(file);
  if (info.size > MAX_SOURCE_FILE_BYTES) {
    throw new PermanentScanError(
      'INVALID_SOURCE',
      `${shownAs} is larger than ${MAX_SOURCE_FILE_BYTES} bytes`,
    );
  }
  return { name: file, text: await readFile(file, 'utf8') };
}
