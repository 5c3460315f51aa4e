import type { LabelSelector } from '@vigil/core';

export const API_KEY_SCOPES = ['read', 'scan', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** An API key as listings show it: everything but the hash. */
export interface ApiKeyRecord {
  id: string;
  keyId: string;
  name: string;
  scopes: ApiKeyScope[];
  clusterSelector: LabelSelector | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** What authentication reads: the record and the stored hash to compare against. */
export interface ApiKeyCredential {
  record: ApiKeyRecord;
  secretHash: Uint8Array;
}
