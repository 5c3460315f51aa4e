import type { Check, FindingDraft } from '../../audit/types.ts';
import { MissingInputError } from '../../errors.ts';
import { eksClusterOf } from '../shared/eks.ts';
import { meta } from './meta.ts';

/** Key states in which KMS refuses to decrypt: the cluster can no longer read its Secrets. */
const UNUSABLE: Record<string, string> = {
  Disabled: 'is disabled',
  PendingDeletion: 'is scheduled for deletion',
  PendingReplicaDeletion: 'is scheduled for deletion',
  Unavailable: 'is unavailable (its custom key store is disconnected)',
  PendingImport: 'has no key material imported',
};

export const check: Check = {
  meta,
  run({ snapshot }) {
    const cluster = eksClusterOf(snapshot);
    const configs = cluster.encryptionConfig ?? [];
    const keyArn = (configs.find((c) => c.resources.includes('secrets')) ?? configs[0])?.provider?.keyArn;
    if (!keyArn) return [];
    const key = snapshot.eks?.kmsKey;
    if (!key) {
      // The source says complete yet holds no key: report the gap rather than pass on nothing.
      throw new MissingInputError(
        `the cluster encrypts with ${keyArn}, but the snapshot holds no KMS description of it`,
      );
    }
    const resource = { kind: 'KMSKey', name: key.keyArn };
    const evidence = {
      keyArn: key.keyArn,
      configuredAs: keyArn,
      keyState: key.keyState ?? null,
      keyManager: key.keyManager ?? null,
      rotationEnabled: key.rotationEnabled ?? null,
    };
    const findings: FindingDraft[] = [];
    const unusable = key.keyState ? UNUSABLE[key.keyState] : undefined;
    if (unusable) {
      findings.push({
        resource,
        message:
          `KMS key ${key.keyArn}, which encrypts the Secrets of EKS cluster ${cluster.name}, ${unusable}: the API ` +
          'server cannot decrypt Secrets while it stays so, and a deleted key makes them unrecoverable.',
        evidence,
        severity: 'critical',
        discriminator: 'state',
      });
    }
    // AWS-managed keys rotate on AWS's schedule; only a customer-managed key can have rotation off.
    if (key.rotationEnabled === false && key.keyManager !== 'AWS') {
      findings.push({
        resource,
        message: `KMS key ${key.keyArn}, which encrypts the Secrets of EKS cluster ${cluster.name}, has automatic rotation turned off.`,
        evidence,
        severity: 'medium',
        discriminator: 'rotation',
      });
    }
    return findings;
  },
};
