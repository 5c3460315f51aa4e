import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'malformed-mapping',
  title: 'aws-auth entries that EKS rejects, ignores or can never match',
  severity: 'medium',
  category: 'identity',
  rationale:
    'EKS reads aws-auth silently: a YAML slip can drop a whole list (node roles included), a second entry for ' +
    'the same ARN quietly replaces the first (ARNs compare case-insensitively, the last entry wins, mapRoles ' +
    'before mapUsers), and an entry written with a role path or an assumed-role session ARN never matches, because ' +
    "EKS compares the caller's role ARN without its path. Groups that no binding names, and usernames built from " +
    'templates such as {{SessionName}} that no binding can name, grant nothing. Each of these means the access ' +
    'people believe they configured is not the access the cluster enforces. In authentication mode API the whole ' +
    'ConfigMap is ignored.',
  remediation: {
    text:
      'Fix or remove each reported entry: write role ARNs as arn:aws:iam::ACCOUNT:role/NAME without the path, keep ' +
      'one entry per ARN, map people to groups that bindings name, and bind groups rather than templated ' +
      'usernames. Better still, move the entries to access entries, which EKS validates when they are created.',
    command: 'kubectl -n kube-system get configmap aws-auth -o yaml',
  },
  reads: ['awsAuth', 'clusterrolebindings', 'rolebindings'],
  // It is about aws-auth entries: nothing to say on another kind of cluster (in API mode EKS ignores the
  // ConfigMap, and entries left in it are findings, so awsAuth itself is not the condition).
  appliesWith: ['eksCluster'],
  controls: ['nist-800-53-r5:CM-6'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html'],
};
