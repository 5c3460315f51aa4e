import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'anonymous-access',
  title: 'Bindings that grant access to anonymous requests',
  severity: 'critical',
  category: 'rbac',
  rationale:
    'A request without credentials is authenticated as User system:anonymous in Group system:unauthenticated ' +
    'whenever the API server allows anonymous requests (the default, and the case on EKS). Anything bound to ' +
    'either is open to whoever reaches the endpoint, with no identity to audit or revoke. Every such binding is ' +
    'reported: critical when it grants more than discovery and health endpoints, low when it grants only those, ' +
    'medium when its role does not exist yet (whoever creates a role of that name decides what anonymous ' +
    "clients get). The default system:public-info-viewer binding (health and version endpoints) and kubeadm's " +
    'kube-public/cluster-info binding are reported as suppressed by default exceptions; if their roles are ' +
    'widened, the finding names the role instead and is not suppressed.',
  remediation: {
    text:
      'Delete bindings to system:anonymous and system:unauthenticated, or bind the access to an authenticated ' +
      'group instead. Where no anonymous access is needed at all, start the API server with --anonymous-auth=false ' +
      'or, from Kubernetes 1.32, limit anonymous requests to the health endpoints with an AuthenticationConfiguration.',
    command:
      'kubectl get clusterrolebindings,rolebindings -A -o json | jq \'.items[] | select(.subjects[]? | .name == "system:anonymous" or .name == "system:unauthenticated") | .metadata\'',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'],
  controls: ['nist-800-53-r5:AC-14', 'nist-800-53-r5:IA-2', 'iso-27001-2022:8.5'],
  references: ['https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests'],
};
