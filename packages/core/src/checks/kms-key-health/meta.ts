import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'kms-key-health',
  title: 'KMS key protecting Secrets is disabled, being deleted or not rotated',
  severity: 'high',
  category: 'control-plane',
  rationale:
    'EKS decrypts Secrets with the KMS key named in the cluster encryptionConfig. If that key is disabled or ' +
    'scheduled for deletion, the API server can no longer read Secrets and, once deleted, they are lost for good; ' +
    'the cluster degrades with no way back except restoring the key. A customer-managed key without automatic ' +
    'rotation keeps encrypting with the same key material for years. A cluster that encrypts nothing with KMS has ' +
    'no key to check: the check is not applicable there (secrets-encryption reports the missing encryption).',
  remediation: {
    text:
      'Cancel a scheduled deletion and re-enable the key at once; then turn on automatic rotation. Restrict ' +
      'kms:DisableKey and kms:ScheduleKeyDeletion on this key to a break-glass role.',
    command:
      'aws kms cancel-key-deletion --key-id KEY_ARN && aws kms enable-key --key-id KEY_ARN && aws kms enable-key-rotation --key-id KEY_ARN',
  },
  reads: ['eksCluster', 'kmsKey'],
  appliesWith: ['kmsKey'],
  controls: ['nist-800-53-r5:SC-12'],
  references: ['https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html'],
};
