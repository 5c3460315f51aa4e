import { createHash } from 'node:crypto';
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
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}
