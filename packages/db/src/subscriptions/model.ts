import type { LabelSelector, Severity } from '@vigil/core';

export const SUBSCRIPTION_FORMATS = ['generic', 'jira', 'servicenow', 'pagerduty', 'slack'] as const;
export type SubscriptionFormat = (typeof SUBSCRIPTION_FORMATS)[number];

/** A subscription as repositories return it: everything but the sealed secrets. */
export interface Subscription {
  id: string;
  name: string;
  format: SubscriptionFormat;
  url: string;
  host: string;
  eventTypes: string[];
  minSeverity: Severity | null;
  clusterSelector: LabelSelector | null;
  config: Record<string, unknown>;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  previousSecretExpiresAt: Date | null;
  /** Whether sealed credentials or signing secrets are stored (their values never leave the notifier). */
  hasSecrets: boolean;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}
