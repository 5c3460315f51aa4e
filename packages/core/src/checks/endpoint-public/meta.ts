import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'endpoint-public',
  title: 'EKS API endpoint is reachable from the whole internet',
  severity: 'high',
  category: 'control-plane',
  rationale:
    'With public access on and 0.0.0.0/0 in publicAccessCidrs (which is also what an empty list means), anyone on ' +
    'the internet can reach the Kubernetes API server: stolen credentials work from anywhere, every unauthenticated ' +
    'path (discovery, version, health, any binding to system:unauthenticated) is exposed, and the next API server ' +
    'vulnerability is exploitable without a foothold in your network.',
  remediation: {
    text:
      'Enable private access and disable public access; if some clients must reach the API from outside the VPC, ' +
      'list only their CIDR blocks in publicAccessCidrs.',
    command:
      'aws eks update-cluster-config --name CLUSTER --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=true,publicAccessCidrs="203.0.113.0/24"',
  },
  reads: ['eksCluster'],
  controls: ['cis-eks-1.8.0:5.4.1', 'nist-800-53-r5:SC-7', 'iso-27001-2022:8.20'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html'],
};
