import { KubeConfig } from '@kubernetes/client-node';
import type { EksTokenProvider } from './token.ts';

const USER = 'vigil-eks-token';

/**
 * A KubeConfig held in memory only (never written anywhere) for an EKS cluster: its endpoint, the CA from
 * DescribeCluster, and an authenticator that puts the current presigned-STS token on every request.
 */
export function eksKubeConfig(endpoint: string, caData: string, tokens: EksTokenProvider): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'eks', server: endpoint, caData, skipTLSVerify: false }],
    users: [{ name: USER }],
    contexts: [{ name: 'eks', cluster: 'eks', user: USER }],
    currentContext: 'eks',
  });
  kubeConfig.addAuthenticator({
    isAuthProvider: (user) => user?.name === USER,
    applyAuthentication: async (_user, opts) => {
      opts.headers = { ...opts.headers, Authorization: `Bearer ${await tokens.token()}` };
    },
  });
  return kubeConfig;
}
