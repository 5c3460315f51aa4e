import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'creator-admin',
  title: 'EKS cluster creator was made cluster administrator',
  severity: 'medium',
  category: 'identity',
  rationale:
    'With bootstrapClusterCreatorAdminPermissions set, EKS gives whichever IAM principal created the cluster (often ' +
    'a CI role or a person) an access entry with AmazonEKSClusterAdminPolicy. That admin is not declared anywhere ' +
    'the team reviews and usually outlives its purpose. Clusters that predate access entries go further: their ' +
    'creator is an administrator that no setting shows and nothing can remove.',
  remediation: {
    text:
      'Create clusters with the flag off and grant administrators through declared access entries. On an existing ' +
      'cluster, find the access entry EKS created for the creator and delete it once a declared administrator exists.',
    command: 'aws eks list-access-entries --cluster-name CLUSTER',
  },
  reads: ['eksCluster'],
  controls: ['nist-800-53-r5:AC-6(5)'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html'],
};
