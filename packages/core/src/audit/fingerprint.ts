import { hash } from 'node:crypto';
import type { SubjectRef } from '../rbac/index-builder.ts';
import type { ResourceRef } from './types.ts';

/**
 * A finding's stable identity: the same check on the same object and subject gives the same fingerprint in
 * every run, so its lifecycle (opened, resolved, reopened) can be followed. It does not include the cluster:
 * stores key lifecycles by (cluster, fingerprint), and the same misconfiguration groups across a fleet.
 */
export function fingerprintOf(
  checkId: string,
  resource: ResourceRef,
  subject?: SubjectRef,
  discriminator?: string,
): string {
  const parts = [
    checkId,
    resource.kind,
    resource.namespace ?? '',
    resource.name,
    subject?.kind ?? '',
    subject?.namespace ?? '',
    subject?.name ?? '',
    discriminator ?? '',
  ];
  // One-shot hash: the same digest as createHash().update().digest(), without a Hash object per finding.
  return hash('sha256', parts.join('\u0000'), 'hex').slice(0, 32);
}
