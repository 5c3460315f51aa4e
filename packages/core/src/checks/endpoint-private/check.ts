import type { Check, FindingDraft } from '../../audit/types.ts';
import { clusterRef, eksClusterOf, endpointConfig } from '../shared/eks.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ snapshot }) {
    const cluster = eksClusterOf(snapshot);
    const endpoint = endpointConfig(cluster);
    const evidence = { field: 'cluster.resourcesVpcConfig', ...endpoint };
    const findings: FindingDraft[] = [];
    if (endpoint.endpointPublicAccess) {
      const cidrs = endpoint.publicAccessCidrs.length
        ? endpoint.publicAccessCidrs.join(', ')
        : '0.0.0.0/0 (none listed)';
      findings.push({
        resource: clusterRef(cluster),
        message: `EKS cluster ${cluster.name} has public endpoint access enabled (allowed from ${cidrs}).`,
        evidence,
        discriminator: 'public',
      });
    }
    if (!endpoint.endpointPrivateAccess) {
      findings.push({
        resource: clusterRef(cluster),
        message: `EKS cluster ${cluster.name} has private endpoint access disabled: nodes and in-VPC clients reach the API server through the public endpoint.`,
        evidence,
        discriminator: 'private',
      });
    }
    return findings;
  },
};
