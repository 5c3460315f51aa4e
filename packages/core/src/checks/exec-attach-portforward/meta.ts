import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'exec-attach-portforward',
  title: 'Subjects that can exec into, attach to or port-forward to pods',
  severity: 'high',
  category: 'rbac',
  rationale:
    'Exec and attach give a shell or the console of a running container: the subject reads its environment, ' +
    'files and mounted ServiceAccount token, and acts with whatever the workload can reach. Port-forward opens ' +
    'a tunnel to ports the network would otherwise keep private. The API server authorizes the SPDY form of ' +
    'these requests (a POST) as create on pods/exec, pods/attach and pods/portforward, but the WebSocket form ' +
    '(a GET upgrade, which kubectl itself uses since Kubernetes 1.30/1.31) was authorized as get only until ' +
    'Kubernetes 1.35 added a second check for create (AuthorizePodWebsocketUpgradeCreatePermission, on by ' +
    'default). So create is reported on every cluster, and get without create is reported, at lower severity, ' +
    'unless the cluster is known to run 1.35 or later. A rule limited by resourceNames still reaches the pods it ' +
    'names.',
  remediation: {
    text:
      'Grant exec, attach and port-forward only to the people and automation that operate the workloads, in the ' +
      'namespaces they operate, preferably through a just-in-time or break-glass role. Do not add get on these ' +
      'subresources to read-only roles.',
    command: 'kubectl auth can-i create pods --subresource=exec --as=SUBJECT -n NAMESPACE',
  },
  reads: ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings', 'awsAuth', 'accessEntries'],
  controls: ['nist-800-53-r5:AC-6'],
  references: [
    'https://github.com/kubernetes/kubernetes/pull/134577',
    'https://kubernetes.io/blog/2024/08/20/websockets-transition/',
  ],
};
