import type { Snapshot } from '@vigil/core/snapshot';
import { resolveOptions } from './collection.ts';
import { InvalidSourceError } from './errors.ts';
import { collectFromKubeconfig } from './from-kubeconfig.ts';
import { excerpt } from './redact.ts';
import type { ClusterSource, CollectOptions } from './types.ts';

/**
 * Reads a live cluster into the Snapshot the audit runs on.
 *
 * Per-kind problems (403, 404, throttling to the end, the deadline, malformed objects) never throw: they are
 * recorded in `snapshot.coverage`, so checks that need the kind report `not_evaluated` and the run is
 * `partial`. It throws a {@link CollectError} only when the cluster cannot be used at all: the source is
 * invalid, the endpoint cannot be reached, the credentials are refused, the answer is not a Kubernetes API,
 * AssumeRole or DescribeCluster fails. Credentials and tokens stay in memory and never reach the snapshot,
 * the logs or an error message.
 *
 * @example
 * const snapshot = await collectSnapshot(
 *   { type: 'eks', clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod', roleArn, externalId },
 *   { deadline: Date.now() + 5 * 60_000, scanId },
 * );
 */
export async function collectSnapshot(source: ClusterSource, options: CollectOptions): Promise<Snapshot> {
  const resolved = resolveOptions(options);
  try {
    switch (source.type) {
      case 'kubeconfig':
        return await collectFromKubeconfig(source, resolved);
      case 'eks':
        // Loaded on demand: the AWS SDK clients are only needed for EKS sources.
        return await (await import('./eks/from-eks.ts')).collectFromEks(source, resolved);
      default:
        throw new InvalidSourceError(`unknown source type ${String((source as { type?: unknown }).type)}`);
    }
  } catch (error) {
    resolved.logger.error({
      msg: 'collection failed',
      scanId: options.scanId,
      code: (error as { code?: unknown }).code,
      error: excerpt(String((error as Error)?.message ?? error)),
    });
    throw error;
  }
}
