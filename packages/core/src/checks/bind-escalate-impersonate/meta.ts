import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'bind-escalate-impersonate',
  title: 'Subjects that can bind, escalate or impersonate',
  severity: 'high',
  category: 'rbac',
  rationale:
    'RBAC normally stops a subject from granting permissions it does not hold. bind on roles or clusterroles ' +
    'lifts that check for the roles named, escalate lets a subject write any rule into a role it can update, ' +
    'and impersonate on users, groups, service accounts (or their uids and extra fields) lets it act as ' +
    'another identity, system:masters members included. Each is a path to more power than the subject was ' +
    'given. One finding per subject and binding lists the verbs and resources held; grants limited to named ' +
    'roles or identities are reported one level lower, with the names.',
  remediation: {
    text:
      'Remove bind, escalate and impersonate (and the `*` verbs that include them) from roles given to people ' +
      'and workloads. Where delegation is intended, limit bind to the roles that may be handed out with ' +
      'resourceNames, and impersonation to named identities.',
    command: 'kubectl auth can-i impersonate users --as=SUBJECT',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.8', 'cis-k8s-1.12.0:5.1.8', 'nist-800-53-r5:AC-6'],
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation',
  ],
};
