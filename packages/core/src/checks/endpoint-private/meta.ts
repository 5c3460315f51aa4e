import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'endpoint-private',
  title: 'EKS API endpoint is not private-only',
  severity: 'medium',
  category: 'control-plane',
  rationale:
    'A public endpoint, even one narrowed to a few CIDR blocks, is an internet-facing service whose allow-list ' +
    'must be kept right forever (office ranges change, NAT addresses are shared). Without private access, nodes ' +
    'and in-VPC tools reach the API server over the public endpoint, so the public endpoint cannot be closed ' +
    'without breaking the cluster. Private access with public access off keeps the API inside the VPC.',
  remediation: {
    text:
      'Enable private access, make sure administrators and CI reach the VPC (VPN, Direct Connect, bastion or ' +
      'in-VPC runners), then disable public access.',
    command:
      'aws eks update-cluster-config --name CLUSTER --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false',
  },
  reads: ['eksCluster'],
  controls: ['cis-eks-1.8.0:5.4.2', 'nist-800-53-r5:SC-7'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html'],
};
