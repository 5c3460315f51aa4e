import type { Check } from '../../audit/types.ts';
import { clusterRef, eksClusterOf } from '../shared/eks.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ snapshot }) {
    const cluster = eksClusterOf(snapshot);
    const mode = cluster.accessConfig?.authenticationMode;
    if (mode !== undefined && mode !== 'CONFIG_MAP') return [];
    const reported = mode !== undefined;
    return [
      {
        resource: clusterRef(cluster),
        message: reported
          ? `EKS cluster ${cluster.name} uses authentication mode CONFIG_MAP: IAM access is granted only by the aws-auth ConfigMap and access entries cannot be used.`
          : `EKS cluster ${cluster.name} reports no authentication mode, which means it predates access entries and authenticates IAM principals only through the aws-auth ConfigMap.`,
        evidence: {
          field: 'cluster.accessConfig.authenticationMode',
          value: mode ?? null,
          ...(reported ? {} : { note: 'accessConfig is absent from the cluster description' }),
        },
      },
    ];
  },
};
