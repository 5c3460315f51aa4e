import type { Check, FindingDraft } from '../../audit/types.ts';
import { clusterRef, eksClusterOf } from '../shared/eks.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ snapshot }) {
    const cluster = eksClusterOf(snapshot);
    const access = cluster.accessConfig;
    const findings: FindingDraft[] = [];
    if (access?.bootstrapClusterCreatorAdminPermissions === true) {
      findings.push({
        resource: clusterRef(cluster),
        message:
          `EKS cluster ${cluster.name} was created with bootstrapClusterCreatorAdminPermissions: the IAM principal that ` +
          'created it received a cluster-admin access entry (AmazonEKSClusterAdminPolicy) unless that entry was deleted since.',
        evidence: { field: 'cluster.accessConfig.bootstrapClusterCreatorAdminPermissions', value: true },
      });
    } else if (access === undefined) {
      // Before access entries, the creator was an administrator outside RBAC and outside any setting.
      findings.push({
        resource: clusterRef(cluster),
        message:
          `EKS cluster ${cluster.name} reports no access configuration, so it predates access entries: its creator is ` +
          'an implicit administrator that appears in neither aws-auth nor RBAC.',
        evidence: {
          field: 'cluster.accessConfig',
          value: null,
          note: 'update the platform version; EKS then turns the implicit grant into an access entry that can be removed',
        },
        discriminator: 'implicit',
      });
    }
    return findings;
  },
};
