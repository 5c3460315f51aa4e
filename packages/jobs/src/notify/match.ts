import { type Severity, selectorMatches, severityRank } from '@vigil/core';
import type { Subscription } from '@vigil/db';

export interface MatchableEvent {
  type: string;
  /** Finding events carry a severity; others do not and ignore minimum severities. */
  severity?: Severity;
  /** The labels of the event's cluster ({} when the cluster is gone). */
  clusterLabels: Readonly<Record<string, string>>;
}

/**
 * Whether a subscription wants an event: it is enabled, names the event type, the finding is at least its
 * minimum severity, and the event's cluster matches its label selector (none: every cluster).
 */
export function subscriptionWants(subscription: Subscription, event: MatchableEvent): boolean {
  if (!subscription.enabled || subscription.deletedAt !== null) return false;
  if (!subscription.eventTypes.includes(event.type)) return false;
  if (
    subscription.minSeverity &&
    event.severity &&
    severityRank(event.severity) < severityRank(subscription.minSeverity)
  ) {
    return false;
  }
  if (subscription.clusterSelector && !selectorMatches(subscription.clusterSelector, event.clusterLabels))
    return false;
  return true;
}
