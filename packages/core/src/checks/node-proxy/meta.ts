import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'node-proxy',
  title: 'Subjects with access to the nodes/proxy subresource',
  severity: 'high',
  category: 'rbac',
  rationale:
    'nodes/proxy forwards requests to the kubelet API of a node, which can run commands in any container on ' +
    'that node and read its logs without the pods/exec permission or the checks placed on it. Any verb ' +
    'counts (even get reaches the kubelet, which maps its HTTP methods onto verbs), granted ' +
    'explicitly, by `*/proxy` or by `*`; nodes are cluster-scoped, so only cluster-wide grants count. ' +
    'Grants limited to named nodes are reported one level lower.',
  remediation: {
    text:
      'Remove nodes/proxy (and wildcards that cover it) from every role except the monitoring agents that ' +
      'scrape the kubelet, and give those the narrower nodes/metrics or nodes/stats subresources where they suffice.',
    command: 'kubectl auth can-i get nodes/proxy --as=SUBJECT',
  },
  reads: ['clusterroles', 'clusterrolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.10', 'cis-k8s-1.12.0:5.1.10'],
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes',
  ],
};
