import type { Framework } from '../model.ts';

/**
 * CIS Kubernetes Benchmark v1.12.0, section 5 (policies). Sections 1-4 cover control-plane and node files and
 * flags, which an API-level audit does not see. Ids follow the benchmark (cross-checked against kube-bench
 * cfg/cis-1.12.0); titles are paraphrased. Controls no check decides are reported as `manual`.
 */
export const cisK8s1120: Framework = {
  id: 'cis-k8s-1.12.0',
  title: 'CIS Kubernetes Benchmark',
  version: '1.12.0',
  controls: [
    { id: '5.1.1', title: 'The cluster-admin role is used only where required' },
    { id: '5.1.2', title: 'Access to Secrets is minimised' },
    { id: '5.1.3', title: 'Wildcards in Roles and ClusterRoles are minimised' },
    { id: '5.1.4', title: 'Access to create pods is minimised' },
    { id: '5.1.5', title: 'Default service accounts are not actively used' },
    { id: '5.1.6', title: 'Service account tokens are mounted only where necessary' },
    { id: '5.1.7', title: 'The system:masters group is not used' },
    { id: '5.1.8', title: 'The bind, impersonate and escalate permissions are limited' },
    { id: '5.1.9', title: 'Access to create persistent volumes is minimised' },
    { id: '5.1.10', title: 'Access to the proxy subresource of nodes is minimised' },
    { id: '5.1.11', title: 'Access to the approval subresource of CSRs is minimised' },
    { id: '5.1.12', title: 'Access to webhook configuration objects is minimised' },
    { id: '5.1.13', title: 'Access to service account token creation is minimised' },
    { id: '5.2.1', title: 'The cluster has at least one active policy control mechanism' },
    { id: '5.2.2', title: 'Admission of privileged containers is minimised' },
    { id: '5.2.3', title: 'Admission of containers sharing the host PID namespace is minimised' },
    { id: '5.2.4', title: 'Admission of containers sharing the host IPC namespace is minimised' },
    { id: '5.2.5', title: 'Admission of containers sharing the host network namespace is minimised' },
    { id: '5.2.6', title: 'Admission of containers allowing privilege escalation is minimised' },
    { id: '5.2.7', title: 'Admission of containers running as root is minimised' },
    { id: '5.2.8', title: 'Admission of containers with the NET_RAW capability is minimised' },
    { id: '5.2.9', title: 'Admission of containers with added capabilities is minimised' },
    { id: '5.2.10', title: 'Admission of Windows HostProcess containers is minimised' },
    { id: '5.2.11', title: 'Admission of HostPath volumes is minimised' },
    { id: '5.2.12', title: 'Admission of containers using host ports is minimised' },
    { id: '5.3.1', title: 'The CNI in use supports network policies' },
    { id: '5.3.2', title: 'Every namespace has network policies' },
    { id: '5.4.1', title: 'Secrets are used as files rather than environment variables' },
    { id: '5.4.2', title: 'External secret storage is considered' },
    { id: '5.5.1', title: 'Image provenance is enforced (ImagePolicyWebhook admission controller)' },
    { id: '5.6.1', title: 'Namespaces separate administrative boundaries between resources' },
    { id: '5.6.2', title: 'Pods use the runtime default seccomp profile' },
    { id: '5.6.3', title: 'Security contexts are applied to pods and containers' },
    { id: '5.6.4', title: 'The default namespace is not used' },
  ],
};
