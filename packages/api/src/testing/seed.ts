// Test support: a fleet recorded by the real audit over the demo clusters (tests only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelSelector } from '@vigil/core';
import {
  buildSnapshotFromFiles,
  CHECKS,
  type ExceptionsFile,
  parseExceptionsFile,
  runAudit,
  type Snapshot,
} from '@vigil/core';
import {
  type Cluster,
  type ClusterLabels,
  type ClusterSource,
  createApiKey,
  createCluster,
  type Database,
  ensureRun,
  type RecordScanResult,
  recordScan,
} from '@vigil/db';
import { generateApiKey } from '../auth/api-keys.ts';
import type { ScanRequester, Scope } from '../types.ts';

export const DEMO_DIR = join(import.meta.dirname, '../../../../demo/clusters');

function demoSnapshot(name: string): Snapshot {
  const dir = join(DEMO_DIR, name);
  const read = (file: string) => ({ name: `${name}/${file}`, text: readFileSync(join(dir, file), 'utf8') });
  let eks: { name: string; text: string } | undefined;
  try {
    eks = read('eks.json');
  } catch {
    eks = undefined;
  }
  return buildSnapshotFromFiles({
    manifests: [read('manifests.yaml')],
    ...(eks ? { eks } : {}),
    clusterName: name,
  });
}

function demoExceptions(name: string): ExceptionsFile | undefined {
  try {
    const text = readFileSync(join(DEMO_DIR, name, 'exceptions.yaml'), 'utf8');
    return parseExceptionsFile({ name: `${name}/exceptions.yaml`, text });
  } catch {
    return undefined;
  }
}

/** Audits a demo cluster with the real check catalog and records the run (with its snapshot). */
export async function recordDemoScan(
  db: Database,
  cluster: Cluster,
  demo: string,
  options: { at: Date; withExceptions?: boolean; slot?: string },
): Promise<RecordScanResult> {
  const snapshot = demoSnapshot(demo);
  const exceptions = options.withExceptions === false ? undefined : demoExceptions(demo);
  const report = runAudit({
    snapshot,
    checks: CHECKS,
    options: { now: options.at.toISOString() },
    ...(exceptions ? { exceptions } : {}),
  });
  return recordScan(
    db,
    {
      clusterId: cluster.id,
      slot: options.slot ?? options.at.toISOString(),
      trigger: 'schedule',
      report,
      startedAt: new Date(options.at.getTime() - 4000),
      finishedAt: options.at,
      durations: { collect: 2500, audit: 900, record: 100 },
      snapshot,
    },
    { now: options.at },
  );
}

export interface DemoFleet {
  prodEu: Cluster;
  prodUs: Cluster;
  staging: Cluster;
  /** prod-eu's runs: the first audited without its exceptions file, the second with it. */
  prodEuRuns: [RecordScanResult, RecordScanResult];
  prodUsRun: RecordScanResult;
  stagingRun: RecordScanResult;
}

export const FLEET_START = new Date('2026-11-24T06:00:00.000Z');
export const FLEET_NOW = new Date('2026-11-26T12:00:00.000Z');

/** Registers the three demo clusters and records their scans; prod-eu twice (for diffs and lifecycle). */
export async function seedDemoFleet(db: Database, prefix = ''): Promise<DemoFleet> {
  const register = (name: string, labels: ClusterLabels, source: ClusterSource, schedule: number | null) =>
    createCluster(db, { name: `${prefix}${name}`, labels, source, scheduleIntervalSeconds: schedule });
  const prodEu = await register(
    'prod-eu',
    { env: 'prod', region: 'eu', team: 'platform' },
    {
      type: 'eks',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::111122223333:role/vigil-scanner',
      externalId: 'vigil-prod-eu',
    },
    86_400,
  );
  const prodUs = await register(
    'prod-us',
    { env: 'prod', region: 'us', team: 'observability' },
    { type: 'eks', arn: 'arn:aws:eks:us-east-1:444455556666:cluster/prod-us', region: 'us-east-1' },
    86_400,
  );
  const staging = await register(
    'staging-onprem',
    { env: 'staging', team: 'qa' },
    { type: 'kubeconfig', context: 'staging-onprem' },
    // Daily, but its last scan is older than that: the fleet reports it stale.
    86_400,
  );
  const first = await recordDemoScan(db, prodEu, 'prod-eu', {
    at: new Date('2026-11-25T06:00:04.000Z'),
    withExceptions: false,
  });
  const second = await recordDemoScan(db, prodEu, 'prod-eu', { at: new Date('2026-11-26T06:00:04.000Z') });
  const prodUsRun = await recordDemoScan(db, prodUs, 'prod-us', { at: new Date('2026-11-26T06:10:04.000Z') });
  const stagingRun = await recordDemoScan(db, staging, 'staging-onprem', { at: FLEET_START });
  return { prodEu, prodUs, staging, prodEuRuns: [first, second], prodUsRun, stagingRun };
}

/**
 * A ScanRequester for API tests: it creates (or reuses) the queued run for a manual slot with the store's
 * own `ensureRun`, and sends nothing. The real requester (queue message through SQS) lives in
 * packages/jobs and is tested end to end by the pipeline's tests.
 */
export function inProcessScanRequester(
  db: Database,
  now: () => Date,
): ScanRequester & { requested: string[] } {
  const requested: string[] = [];
  return {
    requested,
    async requestScan({ clusterId, requestedBy }) {
      requested.push(`${clusterId} by ${requestedBy}`);
      const slot = `manual-${now().toISOString()}`;
      const { run } = await ensureRun(db, { clusterId, slot, trigger: 'manual' });
      return { runId: run.id, slot };
    },
  };
}

/** Stores a new API key and returns its token (what `vigil keys create` and POST /v1/api-keys do). */
export async function issueTestKey(
  db: Database,
  scopes: Scope[],
  options: { clusterSelector?: LabelSelector; name?: string; expiresAt?: Date } = {},
): Promise<{ token: string; id: string; keyId: string }> {
  const key = generateApiKey();
  const record = await createApiKey(db, {
    keyId: key.keyId,
    secretHash: key.secretHash,
    name: options.name ?? `test ${scopes.join('+')}`,
    scopes,
    clusterSelector: options.clusterSelector ?? null,
    createdBy: 'test',
    expiresAt: options.expiresAt ?? null,
  });
  return { token: key.token, id: record.id, keyId: key.keyId };
}
