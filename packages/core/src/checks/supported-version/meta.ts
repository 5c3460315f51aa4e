import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'supported-version',
  title: 'EKS Kubernetes version is past (or near) the end of standard support',
  severity: 'medium',
  category: 'control-plane',
  rationale:
    'Each Kubernetes minor version gets 14 months of standard support on EKS, then 12 months of extended support ' +
    'at extra cost, after which EKS upgrades the control plane on its own schedule, add-ons and nodes not ' +
    'included. Past extended support no security fixes arrive at all; a forced upgrade on a day you did not ' +
    'choose is an outage risk. The check also warns 90 days ahead. The dates are kept as data in the check ' +
    '(support-dates.ts, with the day they were checked and their sources); a version newer than that table passes.',
  remediation: {
    text:
      'Upgrade the control plane one minor version at a time (check deprecated APIs and add-on compatibility ' +
      'first), then the nodes and add-ons.',
    command: 'aws eks update-cluster-version --name CLUSTER --kubernetes-version NEXT_VERSION',
  },
  reads: ['eksCluster'],
  controls: ['nist-800-53-r5:SI-2', 'iso-27001-2022:8.8'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html'],
};
