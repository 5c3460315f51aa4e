import type { Finding } from '@vigil/core';
import type { LifecycleState } from './model.ts';

/** What the store knows of a fingerprint before a run is applied. */
export interface KnownLifecycle {
  fingerprint: string;
  state: LifecycleState;
  checkId: string;
  firstSeenAt: Date;
  openedAt: Date | null;
  reopenedCount: number;
}

/** A fingerprint the run reported, with the lifecycle it moves to. */
export interface SeenTransition {
  finding: Finding;
  isNew: boolean;
  state: 'open' | 'suppressed';
  openedAt: Date | null;
  reopenedCount: number;
  /** The state differs from before (or the fingerprint is new): `changed_at` moves. */
  changed: boolean;
  event?: 'finding.opened' | 'finding.reopened' | 'finding.resolved';
}

export interface LifecyclePlan {
  seen: SeenTransition[];
  /** Open or suppressed fingerprints the run did not report although their check was evaluated. */
  resolve: { fingerprint: string; wasOpen: boolean }[];
  counts: { opened: number; reopened: number; resolved: number; suppressed: number };
}

/**
 * Derives the lifecycle changes of one run. The rules, in ticket terms (a ticket is open exactly while the
 * lifecycle state is `open`):
 * - a failing finding enters `open`: `finding.opened` the first time it is ever open, `finding.reopened`
 *   (reopened_count + 1) when it had been open before and was resolved or suppressed since;
 * - a suppressed finding enters `suppressed`; if it was open that closes the ticket (`finding.resolved`,
 *   reason `suppressed`), otherwise nothing is notified;
 * - an open or suppressed fingerprint the run did not report becomes `resolved` only when `resolvable`
 *   says its check was really evaluated in this run; only an open one notifies (`finding.resolved`,
 *   reason `absent`).
 */
export function planLifecycle(input: {
  findings: readonly Finding[];
  known: ReadonlyMap<string, KnownLifecycle>;
  resolvable: (checkId: string) => boolean;
  seenAt: Date;
}): LifecyclePlan {
  const counts = { opened: 0, reopened: 0, resolved: 0, suppressed: 0 };
  const seen: SeenTransition[] = [];
  const reported = new Set<string>();
  for (const finding of input.findings) {
    reported.add(finding.fingerprint);
    const before = input.known.get(finding.fingerprint);
    const state = finding.status === 'fail' ? 'open' : 'suppressed';
    const transition: SeenTransition = {
      finding,
      isNew: before === undefined,
      state,
      openedAt: before?.openedAt ?? null,
      reopenedCount: before?.reopenedCount ?? 0,
      changed: before?.state !== state,
    };
    if (transition.changed && state === 'open') {
      if (transition.openedAt === null) {
        transition.openedAt = input.seenAt;
        transition.event = 'finding.opened';
        counts.opened++;
      } else {
        transition.reopenedCount++;
        transition.event = 'finding.reopened';
        counts.reopened++;
      }
    } else if (transition.changed && state === 'suppressed') {
      counts.suppressed++;
      if (before?.state === 'open') transition.event = 'finding.resolved';
    }
    seen.push(transition);
  }
  const resolve: LifecyclePlan['resolve'] = [];
  for (const known of input.known.values()) {
    if (known.state === 'resolved' || reported.has(known.fingerprint)) continue;
    if (!input.resolvable(known.checkId)) continue;
    resolve.push({ fingerprint: known.fingerprint, wasOpen: known.state === 'open' });
    counts.resolved++;
  }
  return { seen, resolve, counts };
}

/**
 * Which checks' findings a run may resolve. Evaluated checks (pass or fail) always; in a `complete` run
 * also checks that no longer apply to the cluster or that the audit no longer has. A check that could not
 * run (`not_evaluated`) never resolves anything, complete run or not: its findings are unknown, not gone.
 */
export function resolvableChecks(
  status: 'complete' | 'partial',
  checks: readonly { checkId: string; status: string }[],
): (checkId: string) => boolean {
  const byId = new Map(checks.map((c) => [c.checkId, c.status]));
  return (checkId) => {
    const result = byId.get(checkId);
    if (result === 'pass' || result === 'fail') return true;
    if (status !== 'complete') return false;
    return result === undefined || result === 'not_applicable';
  };
}
