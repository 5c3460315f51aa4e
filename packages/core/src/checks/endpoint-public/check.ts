import type { Check } from '../../audit/types.ts';
import { clusterRef, eksClusterOf, endpointConfig } from '../shared/eks.ts';
import { meta } from './meta.ts';

/** Any block with prefix length 0 covers every address, whatever its base address says. */
const EVERYWHERE = /\/0$/;

export const check: Check = {
  meta,
  run({ snapshot }) {
    const cluster = eksClusterOf(snapshot);
    const endpoint = endpointConfig(cluster);
    if (!endpoint.endpointPublicAccess) return [];
    const open = endpoint.publicAccessCidrs.filter((cidr) => EVERYWHERE.test(cidr.trim()));
    if (endpoint.publicAccessCidrs.length > 0 && open.length === 0) return [];
    return [
      {
        resource: clusterRef(cluster),
        message:
          open.length > 0
            ? `EKS cluster ${cluster.name} accepts API connections from anywhere on the internet (publicAccessCidrs includes ${open.join(', ')}).`
            : `EKS cluster ${cluster.name} has a public API endpoint with no publicAccessCidrs, which EKS treats as 0.0.0.0/0: anyone on the internet can reach it.`,
        evidence: { field: 'cluster.resourcesVpcConfig', ...endpoint },
      },
    ];
  },
};
