import { z } from '@hono/zod-openapi';
import { FRAMEWORKS } from '@vigil/core';
import {
  type Database,
  getRun,
  listRunFindings,
  listRuns,
  type ScanRun,
  type StoredFinding,
} from '@vigil/db';
import type { Context } from 'hono';
import { requireCluster } from '../auth/visibility.ts';
import { toScanSummaryDto } from '../http/dto.ts';
import type { ApiEnv } from '../http/env.ts';
import { ApiError, notFound } from '../http/problem.ts';
import {
  clusterComplianceSchema,
  diffSchema,
  EXAMPLE_RUN_ID,
  postureSchema,
  uuidSchema,
} from '../openapi/schemas.ts';
import { clusterIdParams } from './clusters.ts';
import { createRouter, defineRoute } from './route-kit.ts';

/** A scheduled cluster counts as stale this long after its interval has passed without a successful scan. */
export const DEFAULT_STALE_GRACE_SECONDS = 3600;

const FRAMEWORK_IDS = FRAMEWORKS.map((f) => f.id) as [string, ...string[]];
export const frameworkQuery = z
  .enum(FRAMEWORK_IDS)
  .optional()
  .openapi({ description: 'Only this framework (id with version).', example: 'cis-eks-1.8.0' });

const posture = defineRoute({
  method: 'get',
  path: '/v1/clusters/{clusterId}/posture',
  operationId: 'getClusterPosture',
  summary: "Get a cluster's latest posture",
  description:
    'Its newest run, its last recorded (complete or partial) run, open findings by severity, whether its ' +
    'schedule was missed, and the compliance summary per framework.',
  tags: ['Clusters'],
  scope: 'read',
  errors: [404],
  request: { params: clusterIdParams },
  responses: {
    200: { description: 'The posture.', content: { 'application/json': { schema: postureSchema } } },
  },
});

const compliance = defineRoute({
  method: 'get',
  path: '/v1/clusters/{clusterId}/compliance',
  operationId: 'getClusterCompliance',
  summary: "Get a cluster's compliance per control",
  description:
    'pass / fail / not_evaluated / not_applicable / manual per control, from the last recorded run.',
  tags: ['Clusters'],
  scope: 'read',
  errors: [404],
  request: { params: clusterIdParams, query: z.strictObject({ framework: frameworkQuery }) },
  responses: {
    200: {
      description: 'Control statuses by framework.',
      content: { 'application/json': { schema: clusterComplianceSchema } },
    },
  },
});

const diff = defineRoute({
  method: 'get',
  path: '/v1/clusters/{clusterId}/diff',
  operationId: 'diffClusterScans',
  summary: 'Compare two scans of a cluster',
  description:
    'Failing findings opened, resolved and unchanged between two recorded runs. `to` defaults to the last ' +
    'recorded run, `from` to the recorded run before `to`. 409 when a run has no recorded findings (queued, ' +
    'running or failed) or there is no earlier run to compare with.',
  tags: ['Clusters'],
  scope: 'read',
  errors: [404, 409],
  request: {
    params: clusterIdParams,
    query: z.strictObject({
      from: uuidSchema.optional().openapi({ example: '1a2b3c4d-0000-4000-8000-00000000aaaa' }),
      to: uuidSchema.optional().openapi({ example: EXAMPLE_RUN_ID }),
    }),
  },
  responses: {
    200: { description: 'The difference.', content: { 'application/json': { schema: diffSchema } } },
  },
});

const RECORDED = ['complete', 'partial'] as const;

async function latestRun(db: Database, clusterId: string, recordedOnly: boolean) {
  const page = await listRuns(db, {
    clusterIds: [clusterId],
    limit: 1,
    ...(recordedOnly ? { statuses: RECORDED } : {}),
  });
  return page.items[0] ?? null;
}

/** A run of this cluster by id, or 404 (also when it belongs to another cluster). */
async function runOf(c: Context<ApiEnv>, clusterId: string, runId: string): Promise<ScanRun> {
  const run = await getRun(c.var.services.db, runId);
  if (!run || run.clusterId !== clusterId) throw notFound('scan', runId);
  if (run.status !== 'complete' && run.status !== 'partial') {
    throw new ApiError('conflict', `scan ${runId} has no recorded findings (status ${run.status})`);
  }
  return run;
}

async function failingFindings(db: Database, runId: string): Promise<Map<string, StoredFinding>> {
  const out = new Map<string, StoredFinding>();
  let cursor: string | undefined;
  do {
    const page = await listRunFindings(db, runId, {
      statuses: ['fail'],
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const finding of page.items) out.set(finding.fingerprint, finding);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

function diffFinding(f: StoredFinding) {
  return {
    fingerprint: f.fingerprint,
    checkId: f.checkId,
    severity: f.severity,
    resource: f.resource,
    ...(f.subject ? { subject: f.subject } : {}),
    message: f.message,
  };
}

export function postureRoutes() {
  return createRouter()
    .openapi(posture, async (c) => {
      const { db, now } = c.var.services;
      const cluster = await requireCluster(c, c.req.valid('param').clusterId);
      const [latest, recorded] = await Promise.all([
        latestRun(db, cluster.id, false),
        latestRun(db, cluster.id, true),
      ]);
      let stale: { lastSuccessAt: string | null; dueBy: string } | null = null;
      if (cluster.enabled && cluster.scheduleIntervalSeconds !== null) {
        const since = recorded?.finishedAt ?? cluster.createdAt;
        const dueBy = new Date(
          since.getTime() + (cluster.scheduleIntervalSeconds + DEFAULT_STALE_GRACE_SECONDS) * 1000,
        );
        if (dueBy < now())
          stale = { lastSuccessAt: recorded?.finishedAt?.toISOString() ?? null, dueBy: dueBy.toISOString() };
      }
      const detail = recorded ? await getRun(db, recorded.id) : null;
      return c.json(
        {
          clusterId: cluster.id,
          name: cluster.name,
          latestScan: latest ? toScanSummaryDto(latest) : null,
          lastRecordedScan: recorded ? toScanSummaryDto(recorded) : null,
          open: recorded?.openBySeverity ?? null,
          stale,
          compliance: (detail?.compliance ?? []).map((f) => ({
            framework: f.framework,
            title: f.title,
            version: f.version,
            summary: f.summary,
          })),
        },
        200,
      );
    })
    .openapi(compliance, async (c) => {
      const { db } = c.var.services;
      const cluster = await requireCluster(c, c.req.valid('param').clusterId);
      const { framework } = c.req.valid('query');
      const recorded = await latestRun(db, cluster.id, true);
      const run = recorded ? await getRun(db, recorded.id) : null;
      return c.json(
        {
          clusterId: cluster.id,
          scan: run
            ? { id: run.id, status: run.status, recordedAt: run.recordedAt?.toISOString() ?? null }
            : null,
          frameworks: (run?.compliance ?? []).filter((f) => !framework || f.framework === framework),
        },
        200,
      );
    })
    .openapi(diff, async (c) => {
      const { db } = c.var.services;
      const cluster = await requireCluster(c, c.req.valid('param').clusterId);
      const q = c.req.valid('query');
      let to: ScanRun;
      if (q.to) to = await runOf(c, cluster.id, q.to);
      else {
        const latest = await latestRun(db, cluster.id, true);
        if (!latest) throw new ApiError('conflict', `cluster ${cluster.name} has no recorded scan yet`);
        to = await runOf(c, cluster.id, latest.id);
      }
      let from: ScanRun;
      if (q.from) from = await runOf(c, cluster.id, q.from);
      else {
        const page = await listRuns(db, {
          clusterIds: [cluster.id],
          statuses: RECORDED,
          until: to.createdAt,
          limit: 1,
        });
        const previous = page.items[0];
        if (!previous) throw new ApiError('conflict', `there is no recorded scan before scan ${to.id}`);
        from = await runOf(c, cluster.id, previous.id);
      }
      const [before, after] = await Promise.all([failingFindings(db, from.id), failingFindings(db, to.id)]);
      const opened = [...after.values()].filter((f) => !before.has(f.fingerprint)).map(diffFinding);
      const resolved = [...before.values()].filter((f) => !after.has(f.fingerprint)).map(diffFinding);
      const unchanged = [...after.values()].filter((f) => before.has(f.fingerprint)).map(diffFinding);
      const ref = (run: ScanRun) => ({
        id: run.id,
        status: run.status,
        createdAt: run.createdAt.toISOString(),
      });
      return c.json(
        {
          clusterId: cluster.id,
          from: ref(from),
          to: ref(to),
          counts: { opened: opened.length, resolved: resolved.length, unchanged: unchanged.length },
          opened,
          resolved,
          unchanged,
        },
        200,
      );
    });
}
