import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'create-pods',
  title: 'Subjects that can create pods or workloads that create pods',
  severity: 'high',
  category: 'rbac',
  rationale:
    'Whoever creates a pod chooses what it runs and as which service account of the namespace, and can mount ' +
    "every Secret and ConfigMap there; without a restrictive Pod Security level it can also reach the node's " +
    'filesystem and network. Creating a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or ' +
    'ReplicationController is the same power one step removed: the controller creates the pods from the ' +
    'template the subject wrote. A binding that allows both is one finding naming both, so that fixing it ' +
    'means removing both; a binding that allows only workloads is a finding of its own.',
  remediation: {
    text:
      'Let people deploy through a pipeline or GitOps controller instead of holding create on pods and ' +
      'workloads; where a subject must create them, bind the role in the namespaces it owns only, and enforce ' +
      'a Pod Security Standard (baseline or restricted) on those namespaces.',
    command: 'kubectl auth can-i create pods --as=SUBJECT -n NAMESPACE',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.4', 'cis-k8s-1.12.0:5.1.4', 'nist-800-53-r5:AC-6'],
  references: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation'],
};
