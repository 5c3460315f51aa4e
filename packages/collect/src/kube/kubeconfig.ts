import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { InvalidSourceError } from '../errors.ts';
import { excerpt } from '../redact.ts';

export interface KubeconfigSource {
  kubeconfigPath?: string;
  kubeconfigYaml?: string;
  context?: string;
}

export interface LoadedKubeconfig {
  kubeConfig: KubeConfig;
  contextName: string;
  clusterName: string;
  server: string;
}

/**
 * Loads a kubeconfig the way kubectl users have it (file, text, or the default KUBECONFIG / ~/.kube/config /
 * in-cluster service account), selects the context, and checks there is a usable cluster entry. Credentials
 * stay inside the KubeConfig object; messages name files and contexts, never their contents.
 */
export function loadKubeconfig(source: KubeconfigSource): LoadedKubeconfig {
  const kubeConfig = new KubeConfig();
  const where =
    source.kubeconfigPath ??
    (source.kubeconfigYaml !== undefined ? 'the kubeconfig text' : 'the default kubeconfig');
  try {
    if (source.kubeconfigPath !== undefined) {
      if (!existsSync(source.kubeconfigPath)) {
        throw new InvalidSourceError(`kubeconfig file ${source.kubeconfigPath} does not exist`);
      }
      kubeConfig.loadFromFile(source.kubeconfigPath);
    } else if (source.kubeconfigYaml !== undefined) {
      kubeConfig.loadFromString(source.kubeconfigYaml);
    } else {
      kubeConfig.loadFromDefault();
      // With nothing configured, client-node falls back to http://localhost:8080, which is never what a
      // scan of a real cluster means.
      if (
        kubeConfig.getCurrentContext() === 'loaded-context' &&
        kubeConfig.getCurrentCluster()?.server === 'http://localhost:8080'
      ) {
        throw new InvalidSourceError(
          'no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster',
        );
      }
    }
  } catch (error) {
    if (error instanceof InvalidSourceError) throw error;
    // YAML parser messages quote the lines around the error, which may hold a token: keep the first line
    // (the reason and position) only.
    const reason = String((error as Error)?.message ?? error).split('\n')[0] ?? '';
    throw new InvalidSourceError(`${where} is not a valid kubeconfig: ${excerpt(reason, [], 160)}`);
  }
  if (source.context !== undefined) {
    if (!kubeConfig.getContextObject(source.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new InvalidSourceError(
        `context "${source.context}" is not in ${where}${known.length ? ` (contexts: ${known.join(', ')})` : ''}`,
      );
    }
    kubeConfig.setCurrentContext(source.context);
  }
  const contextName = kubeConfig.getCurrentContext();
  const context = contextName ? kubeConfig.getContextObject(contextName) : null;
  if (!context) throw new InvalidSourceError(`${where} has no current context; name one with --context`);
  const cluster = kubeConfig.getCluster(context.cluster);
  if (!cluster)
    throw new InvalidSourceError(
      `context "${contextName}" names cluster "${context.cluster}", which ${where} does not define`,
    );
  if (context.user && !kubeConfig.getUser(context.user)) {
    throw new InvalidSourceError(
      `context "${contextName}" names user "${context.user}", which ${where} does not define`,
    );
  }
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new InvalidSourceError(`cluster "${cluster.name}" in ${where} has no valid server URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && cluster.skipTLSVerify)) {
    throw new InvalidSourceError(
      `cluster "${cluster.name}" in ${where} uses ${url.protocol}; only https is supported`,
    );
  }
  return { kubeConfig, contextName, clusterName: cluster.name, server: cluster.server };
}
