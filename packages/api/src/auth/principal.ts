import type { LabelSelector } from '@vigil/core';
import type { Scope } from '../types.ts';

/** Who is calling, once a bearer token has been verified. */
export interface Principal {
  kind: 'api-key' | 'oidc';
  /** The API key's row id, or the token's `sub`. */
  id: string;
  /** For logs and `requestedBy`: `key:<keyId>` or `oidc:<sub>`; never the secret. */
  label: string;
  scopes: readonly Scope[];
  /** The clusters it may see, by their labels; null: every cluster. */
  clusterSelector: LabelSelector | null;
}

const IMPLIED: Record<Scope, readonly Scope[]> = {
  read: ['read'],
  scan: ['scan', 'read'],
  admin: ['admin', 'scan', 'read'],
};

/** True when one of the principal's scopes includes `needed` (admin > scan > read). */
export function hasScope(principal: Pick<Principal, 'scopes'>, needed: Scope): boolean {
  return principal.scopes.some((scope) => IMPLIED[scope].includes(needed));
}
