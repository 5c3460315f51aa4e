import type { PolicyRule } from '../snapshot/model.ts';

/**
 * What the AWS-managed EKS access policies grant, as RBAC rules. These mirror the Kubernetes roles AWS
 * documents each policy as equivalent to (cluster-admin, admin, edit, view); they are data so a new policy
 * can be added without code. Unknown policies grant nothing here and are reported as such in evidence.
 */
function rule(verbs: string[], apiGroups: string[], resources: string[]): PolicyRule {
  return { verbs, apiGroups, resources, resourceNames: [], nonResourceURLs: [] };
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const VIEW_CORE = [
  'configmaps',
  'endpoints',
  'persistentvolumeclaims',
  'persistentvolumeclaims/status',
  'pods',
  'pods/log',
  'pods/status',
  'replicationcontrollers',
  'replicationcontrollers/scale',
  'replicationcontrollers/status',
  'serviceaccounts',
  'services',
  'services/status',
  'bindings',
  'events',
  'limitranges',
  'namespaces/status',
  'resourcequotas',
  'resourcequotas/status',
  'namespaces',
];
const VIEW_GROUPS: [string, string[]][] = [
  [
    'apps',
    ['controllerrevisions', 'daemonsets', 'deployments', 'deployments/scale', 'replicasets', 'statefulsets'],
  ],
  ['autoscaling', ['horizontalpodautoscalers']],
  ['batch', ['cronjobs', 'jobs']],
  ['discovery.k8s.io', ['endpointslices']],
  ['networking.k8s.io', ['ingresses', 'networkpolicies']],
  ['policy', ['poddisruptionbudgets']],
];
const EDIT_CORE = [
  'configmaps',
  'endpoints',
  'persistentvolumeclaims',
  'pods',
  'pods/attach',
  'pods/exec',
  'pods/portforward',
  'pods/proxy',
  'replicationcontrollers',
  'replicationcontrollers/scale',
  'secrets',
  'serviceaccounts',
  'services',
  'services/proxy',
];

const view: PolicyRule[] = [rule(READ, [''], VIEW_CORE), ...VIEW_GROUPS.map(([g, r]) => rule(READ, [g], r))];
const edit: PolicyRule[] = [
  ...view,
  rule([...READ, ...WRITE], [''], EDIT_CORE),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(READ, [''], ['secrets']),
  ...VIEW_GROUPS.map(([g, r]) => rule([...READ, ...WRITE], [g], r)),
];
const admin: PolicyRule[] = [
  ...edit,
  rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
];
const clusterAdmin: PolicyRule[] = [
  rule(['*'], ['*'], ['*']),
  { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ['*'] },
];
const adminView: PolicyRule[] = [rule(READ, ['*'], ['*'])];

export interface AccessPolicyDefinition {
  name: string;
  /** The Kubernetes role AWS documents the policy as equivalent to. */
  equivalentTo: string;
  rules: PolicyRule[];
}

export const ACCESS_POLICIES: Readonly<Record<string, AccessPolicyDefinition>> = {
  AmazonEKSClusterAdminPolicy: {
    name: 'AmazonEKSClusterAdminPolicy',
    equivalentTo: 'cluster-admin',
    rules: clusterAdmin,
  },
  AmazonEKSAdminPolicy: { name: 'AmazonEKSAdminPolicy', equivalentTo: 'admin', rules: admin },
  AmazonEKSEditPolicy: { name: 'AmazonEKSEditPolicy', equivalentTo: 'edit', rules: edit },
  AmazonEKSViewPolicy: { name: 'AmazonEKSViewPolicy', equivalentTo: 'view', rules: view },
  AmazonEKSAdminViewPolicy: {
    name: 'AmazonEKSAdminViewPolicy',
    equivalentTo: 'view of every resource, Secrets included',
    rules: adminView,
  },
};

/** The policy name of an access policy ARN (`arn:aws:eks::aws:cluster-access-policy/NAME`). */
export function accessPolicyName(policyArn: string): string {
  const slash = policyArn.lastIndexOf('/');
  return slash === -1 ? policyArn : policyArn.slice(slash + 1);
}
