import type { Snapshot } from '@vigil/core/snapshot';
import {
  awsAuthCoverage,
  EKS_SOURCES,
  finish,
  kubeContext,
  kubernetesPart,
  newTransport,
  type Resolved,
} from './collection.ts';
import { collectKubernetes, type KubernetesCollection } from './kube/collect-kubernetes.ts';
import { loadKubeconfig } from './kube/kubeconfig.ts';
import type { ClusterSource } from './types.ts';

/**
 * EKS endpoints and EKS builds (`v1.31.2-eks-7f9249a`): such a cluster read through a kubeconfig still has
 * its EKS settings unread. Without /version (and not an EKS endpoint) there is no telling.
 */
function detectEks(
  server: string,
  gitVersion: string | undefined,
): { eks: boolean | 'unknown'; region?: string } {
  const match = /\.([a-z0-9-]+)\.eks\.amazonaws\.com(?:\.cn)?$/.exec(new URL(server).hostname);
  if (match) return { eks: true, region: match[1]! };
  if (gitVersion === undefined) return { eks: 'unknown' };
  return { eks: /-eks-/.test(gitVersion) };
}

function serverForLogs(server: string): string {
  const url = new URL(server);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Collects through a kubeconfig: any conformant cluster, with whatever auth the kubeconfig uses. */
export async function collectFromKubeconfig(
  source: Extract<ClusterSource, { type: 'kubeconfig' }>,
  resolved: Resolved,
): Promise<Snapshot> {
  const started = resolved.timing.now();
  const loaded = loadKubeconfig(source);
  resolved.logger.info({
    msg: 'collecting',
    scanId: resolved.options.scanId,
    context: loaded.contextName,
    // Origin and path only: a server URL can carry user:password.
    server: serverForLogs(loaded.server),
  });
  const transport = newTransport(resolved, loaded.kubeConfig, loaded.server);
  let k8s: KubernetesCollection;
  try {
    k8s = await collectKubernetes(kubeContext(resolved, transport), {
      concurrency: resolved.concurrency,
      onProgress: resolved.options.onProgress,
    });
  } finally {
    transport.close();
  }
  const platform = detectEks(loaded.server, k8s.gitVersion);
  const eks = platform.eks === true;
  const { kubernetes, coverage } = kubernetesPart(k8s, awsAuthCoverage(k8s.awsAuth, platform));
  for (const eksSource of EKS_SOURCES) {
    coverage[eksSource] = eks
      ? {
          status: 'not_collected',
          reason:
            'the cluster looks like EKS but was read through a kubeconfig; collect it by ARN to read its EKS settings',
        }
      : { status: 'not_applicable', reason: 'not an EKS cluster' };
  }
  return finish(
    {
      schemaVersion: 1,
      cluster: {
        name: source.name ?? loaded.clusterName,
        platform: eks ? 'eks' : 'kubernetes',
        ...(platform.region ? { region: platform.region } : {}),
        ...(k8s.gitVersion ? { kubernetesVersion: k8s.gitVersion } : {}),
      },
      collectedAt: new Date(resolved.timing.now()).toISOString(),
      eks: null,
      coverage,
      warnings: k8s.warnings,
    },
    kubernetes,
    resolved,
    started,
  );
}
