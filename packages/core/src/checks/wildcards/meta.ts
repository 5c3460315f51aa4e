import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'wildcards',
  title: 'Roles and ClusterRoles that use wildcards',
  severity: 'medium',
  category: 'rbac',
  rationale:
    'A `*` in verbs, resources or apiGroups grants whatever the field will ever cover, including verbs, ' +
    'resources and API groups added later by upgrades or CRDs; `*` resources includes Secrets and RBAC ' +
    'objects, `*` verbs includes escalate, bind and impersonate. Such a role cannot be reviewed by reading it. ' +
    'One finding per role names every field that holds a wildcard and the rules that do: the role is what to ' +
    'rewrite. A rule with `*` in all three fields is rated high, `*` in verbs or resources (including `*/sub` ' +
    'subresource wildcards) medium, `*` only in apiGroups low. ClusterRoles count by their effective rules, ' +
    'so an aggregated role that pulls in a wildcard is reported too.',
  remediation: {
    text:
      'List the verbs, resources and API groups the role needs explicitly. For an aggregated ClusterRole, fix ' +
      'the role it aggregates from (named in the evidence) or narrow its aggregation selector.',
    command: 'kubectl get clusterroles,roles -A -o yaml | grep -n -B3 -A3 "\'\\*\'"',
  },
  reads: ['clusterroles', 'roles'],
  controls: ['cis-eks-1.8.0:4.1.3', 'cis-k8s-1.12.0:5.1.3', 'nist-800-53-r5:AC-6'],
};
