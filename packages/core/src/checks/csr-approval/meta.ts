import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'csr-approval',
  title: 'Subjects that can approve certificate signing requests',
  severity: 'high',
  category: 'rbac',
  rationale:
    'Approving a CertificateSigningRequest takes two permissions: update (or patch) on the approval subresource ' +
    'of certificatesigningrequests, and approve on the signer the request names (signers in certificates.k8s.io, ' +
    'by signer name or by `domain/*`). A subject holding both for the kubernetes.io/kube-apiserver-client ' +
    "signer can approve a request (its own, or an accomplice's) for a client certificate naming any user and " +
    'groups, system:masters included, and a certificate cannot be revoked before it expires; approval for other ' +
    'signers is reported at lower severity. Either permission alone is not ' +
    'enough, so a subject holding one passes; the two may come from different bindings, or one from a group ' +
    'Kubernetes adds to every request the subject makes (such as system:authenticated).',
  remediation: {
    text:
      'Keep CSR approval for the controller that approves node certificates and for administrators. Where an ' +
      'automated approver is needed, limit approve on signers by resourceNames to the one signer it serves, and ' +
      'never include kubernetes.io/kube-apiserver-client.',
    command: 'kubectl auth can-i update certificatesigningrequests --subresource=approval --as=SUBJECT',
  },
  reads: ['clusterroles', 'clusterrolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-k8s-1.12.0:5.1.11', 'nist-800-53-r5:AC-6'],
  references: ['https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/'],
};
