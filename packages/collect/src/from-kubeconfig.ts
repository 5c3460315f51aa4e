import type { Snapshot } from '@vigil/core/snapshot';
import { collectKubernetes, type KubernetesCollection } from './kube/collect-kubernetes.ts';
import { loadKubeconfig } from './kube/kubeconfig.ts';
import {
  awsAuthCoverage,
  EKS_SOURCES,
  finish,
  kubeContext,
  kubernetesPart,
  newTransport,
  type Resolved,
} from './run.ts';
import type { ClusterSource } from './types.ts';

/** EKS endpoints and EKS builds: such a cluster read through a kubeconfig still has EKS settings unread. */
function looksLikeEks(server: string, gitVersion: string | undefined): { region?: string } | null {
  const host = new URL(server).hostname;
  const match = /\.([a-z0-9-]+)\.eks\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (match) return { region: match[1]! };
  if (gitVersion && /-eks-/.test(gitVersion)) return {};
  return null;
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
    server: loaded.server,
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
  const eks = looksLikeEks(loaded.server, k8s.gitVersion);
  const { kubernetes, coverage } = kubernetesPart(k8s, awsAuthCoverage(k8s.awsAuth, { eks: eks !== null }));
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
        ...(eks?.region ? { region: eks.region } : {}),
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
