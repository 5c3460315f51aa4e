import { type FrameworkResult, selectorMatches } from '@vigil/core';
import {
  type ComplianceAsOf,
  complianceAsOf,
  type Database,
  insertDeliveries,
  listClusters,
  listEnabledSubscriptions,
  type NewDelivery,
} from '@vigil/db';
import {
  type ComplianceDigestData,
  type ControlChange,
  type DigestControlStatus,
  type FrameworkCounts,
  webhookIdFor,
} from '@vigil/notify';

const DAY_MS = 24 * 3600 * 1000;

function countsOf(framework: FrameworkResult): FrameworkCounts {
  return {
    framework: framework.framework,
    title: framework.title,
    version: framework.version,
    pass: framework.summary.pass,
    fail: framework.summary.fail,
    notEvaluated: framework.summary.not_evaluated,
    notApplicable: framework.summary.not_applicable,
    manual: framework.summary.manual,
  };
}

/** Controls whose status differs between two results of one cluster (new controls have `from: null`). */
export function controlChanges(
  previous: readonly FrameworkResult[],
  current: readonly FrameworkResult[],
): ControlChange[] {
  const before = new Map<string, DigestControlStatus>();
  for (const framework of previous) for (const c of framework.controls) before.set(c.qualifiedId, c.status);
  const changes: ControlChange[] = [];
  for (const framework of current) {
    for (const control of framework.controls) {
      const from = before.get(control.qualifiedId) ?? null;
      if (from === control.status) continue;
      changes.push({
        framework: framework.framework,
        qualifiedId: control.qualifiedId,
        title: control.title,
        from,
        to: control.status,
      });
    }
  }
  return changes;
}

/**
 * The digest of one subscription's clusters: per cluster and fleet-wide pass/fail counts per framework, and
 * what changed against each cluster's newest result a day earlier. A cluster without a result a day ago has
 * no baseline (no changes listed); one not rescanned since has none either.
 */
export function digestData(input: {
  now: Date;
  current: readonly ComplianceAsOf[];
  previous: readonly ComplianceAsOf[];
  unscanned: readonly { clusterId: string; clusterName: string }[];
}): ComplianceDigestData {
  const since = new Date(input.now.getTime() - DAY_MS);
  const previousBy = new Map(input.previous.map((p) => [p.clusterId, p]));
  const fleet = new Map<string, FrameworkCounts>();
  const changes = { regressed: 0, improved: 0, other: 0 };
  const clusters = input.current.map((row) => {
    const baseline = previousBy.get(row.clusterId);
    const clusterChanges =
      baseline && baseline.runId !== row.runId ? controlChanges(baseline.compliance, row.compliance) : [];
    for (const change of clusterChanges) {
      if (change.to === 'fail') changes.regressed++;
      else if (change.from === 'fail' && change.to === 'pass') changes.improved++;
      else changes.other++;
    }
    const frameworks = row.compliance.map(countsOf);
    for (const counts of frameworks) {
      const key = `${counts.framework}`;
      const total = fleet.get(key);
      if (!total) fleet.set(key, { ...counts });
      else {
        total.pass += counts.pass;
        total.fail += counts.fail;
        total.notEvaluated += counts.notEvaluated;
        total.notApplicable += counts.notApplicable;
        total.manual += counts.manual;
      }
    }
    return {
      clusterId: row.clusterId,
      clusterName: row.clusterName,
      runId: row.runId,
      status: row.status,
      recordedAt: row.recordedAt.toISOString(),
      previousRunId: baseline?.runId ?? null,
      frameworks,
      changes: clusterChanges,
    };
  });
  return {
    date: input.now.toISOString().slice(0, 10),
    generatedAt: input.now.toISOString(),
    since: since.toISOString(),
    clusters,
    unscanned: [...input.unscanned],
    fleet: {
      clusters: clusters.length,
      frameworks: [...fleet.values()].sort((a, b) => a.framework.localeCompare(b.framework)),
      changes,
    },
  };
}

export interface DailyDigestResult {
  /** The UTC day the digests are for. */
  date: string;
  subscriptions: number;
  /** Deliveries created now (a second call on the same day creates none). */
  deliveries: number;
}

/**
 * Builds the daily compliance digest for every enabled subscription that asks for `compliance.digest`, as a
 * delivery per subscription keyed by the UTC day: calling it twice on one day (a retried schedule) creates
 * each digest once, with the same webhook id. The deliveries go out with the next notify sweep.
 *
 * Wire it to a daily schedule (the dispatcher's scheduler) with the current time.
 */
export async function buildDailyDigest(db: Database, now: Date): Promise<DailyDigestResult> {
  const date = now.toISOString().slice(0, 10);
  const subscriptions = (await listEnabledSubscriptions(db)).filter((s) =>
    s.eventTypes.includes('compliance.digest'),
  );
  if (subscriptions.length === 0) return { date, subscriptions: 0, deliveries: 0 };
  const [current, previous, live] = await Promise.all([
    complianceAsOf(db, { at: now }),
    complianceAsOf(db, { at: new Date(now.getTime() - DAY_MS) }),
    allLiveClusters(db),
  ]);
  const scanned = new Set(current.map((c) => c.clusterId));
  const eventKey = `compliance.digest:${date}`;
  const rows: NewDelivery[] = subscriptions.map((subscription) => {
    const wants = (labels: Record<string, string>) =>
      !subscription.clusterSelector || selectorMatches(subscription.clusterSelector, labels);
    const data = digestData({
      now,
      current: current.filter((c) => wants(c.clusterLabels)),
      previous: previous.filter((c) => wants(c.clusterLabels)),
      unscanned: live
        .filter((c) => !scanned.has(c.id) && wants(c.labels))
        .map((c) => ({ clusterId: c.id, clusterName: c.name })),
    });
    return {
      subscriptionId: subscription.id,
      eventKey,
      webhookId: webhookIdFor(subscription.id, eventKey),
      eventType: 'compliance.digest',
      eventTimestamp: now,
      payload: data as unknown as Record<string, unknown>,
      clusterId: null,
      ticketKey: null,
      host: subscription.host,
    };
  });
  const deliveries = await insertDeliveries(db, rows);
  return { date, subscriptions: subscriptions.length, deliveries };
}

async function allLiveClusters(db: Database) {
  const out: { id: string; name: string; labels: Record<string, string> }[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClusters(db, { limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
