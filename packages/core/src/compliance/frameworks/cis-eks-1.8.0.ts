import type { Framework } from '../model.ts';

/**
 * CIS Amazon EKS Benchmark v1.8.0, sections 2 (control-plane configuration), 4 (policies) and 5 (managed
 * services); section 3 (worker node files and kubelet flags) is read on the nodes, which an API-level audit does
 * not see. Ids follow the benchmark (cross-checked against kube-bench cfg/eks-1.8.0); titles are paraphrased.
 * Controls no check decides are reported as `manual`.
 */
export const cisEks180: Framework = {
  id: 'cis-eks-1.8.0',
  title: 'CIS Amazon EKS Benchmark',
  version: '1.8.0',
  controls: [
    { id: '2.1.1', title: 'Control-plane audit logs are enabled' },
    { id: '2.1.2', title: 'Audit logs are collected and managed' },
    { id: '4.1.1', title: 'The cluster-admin role is used only where required' },
    { id: '4.1.2', title: 'Access to Secrets is minimised' },
    { id: '4.1.3', title: 'Wildcards in Roles and ClusterRoles are minimised' },
    { id: '4.1.4', title: 'Access to create pods is minimised' },
    { id: '4.1.5', title: 'Default service accounts are not actively used' },
    { id: '4.1.6', title: 'Service account tokens are mounted only where necessary' },
    {
      id: '4.1.7',
      title: 'Cluster access is managed through the EKS Cluster Access Manager API (access entries)',
    },
    { id: '4.1.8', title: 'The bind, impersonate and escalate permissions are limited' },
    { id: '4.1.9', title: 'Access to create persistent volumes is minimised' },
    { id: '4.1.10', title: 'Access to the proxy subresource of nodes is minimised' },
    { id: '4.1.11', title: 'Access to webhook configuration objects is minimised' },
    { id: '4.1.12', title: 'Access to service account token creation is minimised' },
    { id: '4.2.1', title: 'Admission of privileged containers is minimised' },
    { id: '4.2.2', title: 'Admission of containers sharing the host PID namespace is minimised' },
    { id: '4.2.3', title: 'Admission of containers sharing the host IPC namespace is minimised' },
    { id: '4.2.4', title: 'Admission of containers sharing the host network namespace is minimised' },
    { id: '4.2.5', title: 'Admission of containers allowing privilege escalation is minimised' },
    { id: '4.3.1', title: 'The CNI in use supports network policies' },
    { id: '4.3.2', title: 'Every namespace has network policies' },
    { id: '4.4.1', title: 'Secrets are used as files rather than environment variables' },
    { id: '4.4.2', title: 'External secret storage is considered' },
    { id: '4.5.1', title: 'Namespaces separate administrative boundaries between resources' },
    { id: '4.5.2', title: 'The default namespace is not used' },
    { id: '5.1.1', title: 'Image vulnerability scanning is enabled in the registry or a third-party tool' },
    { id: '5.1.2', title: 'User access to Amazon ECR is minimised' },
    { id: '5.1.3', title: 'Cluster access to Amazon ECR is read-only' },
    { id: '5.1.4', title: 'Only approved container registries are used' },
    { id: '5.2.1', title: 'Workloads use dedicated service accounts with their own IAM roles' },
    { id: '5.3.1', title: 'Kubernetes Secrets are envelope-encrypted with customer-managed KMS keys' },
    { id: '5.4.1', title: 'Access to the control-plane endpoint is restricted' },
    { id: '5.4.2', title: 'The cluster has a private endpoint and public access disabled' },
    { id: '5.4.3', title: 'Worker nodes are created with private IP addresses only' },
    { id: '5.4.4', title: 'Network policy is enabled and set as appropriate' },
    { id: '5.4.5', title: 'Traffic to HTTPS load balancers is encrypted with TLS certificates' },
    {
      id: '5.5.1',
      title:
        'Kubernetes RBAC users are managed through AWS IAM authentication (IAM Authenticator / aws eks get-token)',
    },
  ],
};
