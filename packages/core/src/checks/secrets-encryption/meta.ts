import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'secrets-encryption',
  title: 'Kubernetes Secrets are not envelope-encrypted with a customer-managed KMS key',
  severity: 'high',
  category: 'control-plane',
  rationale:
    'Without an encryptionConfig for the secrets resource, Secrets sit in etcd protected only by the storage ' +
    'encryption EKS applies to every cluster; anyone who obtains an etcd snapshot or backup reads them. Envelope ' +
    'encryption with a customer-managed KMS key adds a key whose policy you control, whose every use is in ' +
    'CloudTrail, and which you can disable to cut off access. An AWS-managed key offers neither control, so any ' +
    'encryptionConfig is not enough by itself.',
  remediation: {
    text:
      'Create a symmetric customer-managed KMS key (rotation on) and enable secrets encryption on the cluster; it ' +
      'cannot be turned off afterwards. Existing Secrets are re-encrypted when rewritten.',
    command:
      'aws eks associate-encryption-config --cluster-name CLUSTER --encryption-config \'[{"resources":["secrets"],"provider":{"keyArn":"KEY_ARN"}}]\'',
  },
  reads: ['eksCluster'],
  controls: ['cis-eks-1.8.0:5.3.1', 'nist-800-53-r5:SC-28(1)', 'nist-800-53-r5:SC-12', 'iso-27001-2022:8.24'],
  references: ['https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html'],
};
