import type { Check, FindingDraft } from '../../audit/types.ts';
import { MissingInputError } from '../../errors.ts';
import type { KmsKey, Snapshot } from '../../snapshot/model.ts';
import { clusterRef, eksClusterOf } from '../shared/eks.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ snapshot }) {
    const cluster = eksClusterOf(snapshot);
    const configs = cluster.encryptionConfig ?? [];
    const evidence: Record<string, unknown> = {
      field: 'cluster.encryptionConfig',
      encryptionConfig: configs.map((c) => ({ resources: c.resources, keyArn: c.provider?.keyArn ?? null })),
    };
    const forSecrets = configs.find((c) => c.resources.includes('secrets'));
    const keyArn = forSecrets?.provider?.keyArn ?? configs.find((c) => c.provider?.keyArn)?.provider?.keyArn;
    const awsAlias = keyArn !== undefined && /:alias\/aws\//.test(keyArn);
    const keyManager = awsAlias ? 'AWS' : keyArn ? describedKey(snapshot, keyArn)?.keyManager : undefined;
    if (keyArn) {
      // Offline input carries no KMS data; say what is unknown rather than guess.
      evidence.keyManager = keyManager ?? 'unknown: the KMS key was not read (live collection reads it)';
    }
    const finding = (message: string): FindingDraft[] => [
      { resource: clusterRef(cluster), message, evidence },
    ];
    if (configs.length === 0) {
      return finding(
        `EKS cluster ${cluster.name} has no encryptionConfig: Secrets are stored without KMS envelope encryption.`,
      );
    }
    if (!forSecrets) {
      return finding(
        `EKS cluster ${cluster.name} has an encryptionConfig, but not for the secrets resource: Secrets are stored without KMS envelope encryption.`,
      );
    }
    if (!forSecrets.provider?.keyArn) {
      return finding(`EKS cluster ${cluster.name} encrypts Secrets with a provider that names no KMS key.`);
    }
    if (keyManager === 'AWS') {
      return finding(
        `EKS cluster ${cluster.name} encrypts Secrets with the AWS-managed key ${keyArn}, whose policy and lifecycle you do not control.`,
      );
    }
    if (keyManager === undefined) {
      // Whether the key is customer-managed is one of the check's conditions: unknown is not a pass.
      const kms = snapshot.coverage.kmsKey;
      const why = kms
        ? `kmsKey: ${kms.status}${kms.reason ? ` (${kms.reason})` : ''}`
        : 'the snapshot has no kmsKey input';
      throw new MissingInputError(
        `the cluster encrypts Secrets with ${keyArn}, but whether that key is customer-managed is unknown: ${why}`,
      );
    }
    return [];
  },
};

/** The KMS description of the key, when it was read and is the one the cluster names. */
function describedKey(snapshot: Snapshot, keyArn: string): KmsKey | undefined {
  const key = snapshot.eks?.kmsKey;
  if (!key || snapshot.coverage.kmsKey?.status !== 'complete') return undefined;
  // describe-key answers an alias with the key it points to, so an alias ARN matches whatever key was described.
  return key.keyArn === keyArn || keyArn.includes(':alias/') ? key : undefined;
}
