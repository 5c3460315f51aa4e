import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'pv-create',
  title: 'Subjects that can create PersistentVolumes',
  severity: 'high',
  category: 'rbac',
  rationale:
    'A PersistentVolume can point at any hostPath on a node, or at a storage volume that belongs to someone ' +
    'else; whoever creates one and a claim bound to it can mount the node filesystem (kubelet credentials, ' +
    "other pods' data) into a pod. PersistentVolumes are cluster-scoped, so only cluster-wide grants count. " +
    'Volumes should come from StorageClasses through dynamic provisioning instead.',
  remediation: {
    text:
      'Remove create on persistentvolumes from every subject except the storage provisioners that need it; ' +
      'let users request storage with PersistentVolumeClaims against a StorageClass.',
    command: 'kubectl auth can-i create persistentvolumes --as=SUBJECT',
  },
  reads: ['clusterroles', 'clusterrolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.9', 'cis-k8s-1.12.0:5.1.9'],
  references: [
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation',
  ],
};
