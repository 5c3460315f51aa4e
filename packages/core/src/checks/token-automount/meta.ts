import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'token-automount',
  title: 'Service account tokens mounted where the account holds real permissions',
  severity: 'medium',
  category: 'identity',
  rationale:
    'A mounted token is readable by anything that runs in the pod, so a compromised container inherits the ' +
    "account's permissions. Mounting is harmless when the account can only do discovery, and a risk as soon " +
    'as it holds anything more. "More than discovery" means any role bound to the account, or to the groups ' +
    'every service account of its namespace is in (system:serviceaccounts, system:serviceaccounts:NAMESPACE), ' +
    'other than system:discovery, system:basic-user and system:public-info-viewer, with a rule other than get ' +
    "on non-resource URLs. system:authenticated is left out: it reaches every identity alike. The pod's " +
    "automountServiceAccountToken overrides the service account's. A service account that leaves automounting on " +
    'is one finding, naming the workloads that mount its token because of it; a pod that turns mounting on ' +
    "itself, against its account's setting, is a finding of its own, once per controller (the Deployment " +
    'inferred from a ReplicaSet and its pod-template-hash, else the owner, else the pod) with the number of ' +
    'pods. A token of a cluster-admin equivalent account is rated high.',
  remediation: {
    text:
      'Set automountServiceAccountToken: false on the service account and turn it on only in the pods that ' +
      'call the API server (or mount a projected token with a short expiry and an audience). Remove ' +
      'permissions the workload does not use.',
    manifest:
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: NAME\n  namespace: NAMESPACE\nautomountServiceAccountToken: false\n',
  },
  reads: ['pods', 'serviceaccounts', 'clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'],
  controls: ['cis-eks-1.8.0:4.1.6', 'cis-k8s-1.12.0:5.1.6'],
};
