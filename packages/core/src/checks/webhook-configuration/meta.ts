import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'webhook-configuration',
  title: 'Subjects that can change admission webhooks',
  severity: 'high',
  category: 'rbac',
  rationale:
    'Admission webhooks see, and mutating ones rewrite, every object sent to the API server that their rules ' +
    'select, Secrets and Pods included. A subject that can create or update a webhook configuration can route ' +
    'those objects to an endpoint it controls, inject containers into new Pods or lift the policies a ' +
    'validating webhook enforces; deleting one switches that enforcement off. Rules limited by resourceNames ' +
    'still allow changing or deleting the configurations they name, but never creating one (a create carries ' +
    'no name for the authorizer to compare).',
  remediation: {
    text:
      'Keep write access to ValidatingWebhookConfigurations and MutatingWebhookConfigurations for the ' +
      'operators that install them, limited by resourceNames to their own configurations, and for cluster ' +
      'administrators. Remove it from everyone else.',
    command:
      'kubectl auth can-i update mutatingwebhookconfigurations.admissionregistration.k8s.io --as=SUBJECT',
  },
  reads: ['clusterroles', 'clusterrolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.11', 'cis-k8s-1.12.0:5.1.12', 'nist-800-53-r5:AC-6'],
  references: ['https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/'],
};
