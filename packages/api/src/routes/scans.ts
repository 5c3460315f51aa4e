import { z } from '@hono/zod-openapi';
import { SEVERITIES } from '@vigil/core';
import { getRun, listRunFindings, listRuns, RUN_STATUSES, type RunStatus } from '@vigil/db';
import { clusterScope, visibleClusterIds } from '../auth/visibility.ts';
import { toRunFindingDto, toScanDto, toScanSummaryDto } from '../http/dto.ts';
import { notFound } from '../http/problem.ts';
import {
  EXAMPLE_CLUSTER_ID,
  EXAMPLE_RUN_FINDING,
  EXAMPLE_RUN_ID,
  EXAMPLE_SCAN,
  pageQuery,
  pageSchema,
  runFindingSchema,
  scanSchema,
  scanSummarySchema,
  uuidSchema,
} from '../openapi/schemas.ts';
import { csvList } from './query.ts';
import { createRouter, defineRoute } from './route-kit.ts';

export const scanIdParams = z.strictObject({
  scanId: uuidSchema.openapi({ param: { name: 'scanId', in: 'path' }, example: EXAMPLE_RUN_ID }),
});

const list = defineRoute({
  method: 'get',
  path: '/v1/scans',
  operationId: 'listScans',
  summary: 'List scan runs',
  description: 'Newest first. Without `clusterId`, runs of every cluster the credential may see.',
  tags: ['Scans'],
  scope: 'read',
  request: {
    query: z.strictObject({
      clusterId: uuidSchema.optional().openapi({ example: EXAMPLE_CLUSTER_ID }),
      status: csvList('status', RUN_STATUSES, 'complete,partial'),
      trigger: z.enum(['schedule', 'manual']).optional(),
      since: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: 'Created at or after.', example: '2026-11-01T00:00:00Z' }),
      until: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: 'Created before.', example: '2026-12-01T00:00:00Z' }),
      ...pageQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of runs.',
      content: { 'application/json': { schema: pageSchema(scanSummarySchema, 'ScanPage', EXAMPLE_SCAN) } },
    },
  },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/scans/{scanId}',
  operationId: 'getScan',
  summary: 'Get a scan run',
  description: 'Status, coverage per input, per-check results, compliance, counts, durations and error.',
  tags: ['Scans'],
  scope: 'read',
  errors: [404],
  request: { params: scanIdParams },
  responses: { 200: { description: 'The run.', content: { 'application/json': { schema: scanSchema } } } },
});

const findings = defineRoute({
  method: 'get',
  path: '/v1/scans/{scanId}/findings',
  operationId: 'listScanFindings',
  summary: "List a scan run's findings",
  description: 'What this one run found, with the evidence it recorded, by fingerprint.',
  tags: ['Scans'],
  scope: 'read',
  errors: [404],
  request: {
    params: scanIdParams,
    query: z.strictObject({
      status: csvList('status', ['fail', 'suppressed'] as const, 'fail'),
      severity: csvList('severity', SEVERITIES, 'critical,high'),
      checkId: csvList('checkId', undefined, 'cluster-admin'),
      ...pageQuery,
    }),
  },
  responses: {
    200: {
      description: "A page of the run's findings.",
      content: {
        'application/json': { schema: pageSchema(runFindingSchema, 'RunFindingPage', EXAMPLE_RUN_FINDING) },
      },
    },
  },
});

export function scanRoutes() {
  return createRouter()
    .openapi(list, async (c) => {
      const q = c.req.valid('query');
      const clusterIds = await clusterScope(c, {
        ...(q.clusterId ? { clusterIds: [q.clusterId] } : {}),
        liveOnly: true,
      });
      const page = await listRuns(c.var.services.db, {
        ...(clusterIds ? { clusterIds } : {}),
        ...(q.status ? { statuses: q.status as RunStatus[] } : {}),
        ...(q.trigger ? { trigger: q.trigger } : {}),
        ...(q.since ? { since: new Date(q.since) } : {}),
        ...(q.until ? { until: new Date(q.until) } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({ items: page.items.map(toScanSummaryDto), nextCursor: page.nextCursor }, 200);
    })
    .openapi(get, async (c) => {
      const { scanId } = c.req.valid('param');
      const run = await getRun(c.var.services.db, scanId);
      const visible = await visibleClusterIds(c);
      if (!run || (visible && !visible.includes(run.clusterId))) throw notFound('scan', scanId);
      return c.json(toScanDto(run), 200);
    })
    .openapi(findings, async (c) => {
      const { scanId } = c.req.valid('param');
      const q = c.req.valid('query');
      const { db } = c.var.services;
      const run = await getRun(db, scanId);
      const visible = await visibleClusterIds(c);
      if (!run || (visible && !visible.includes(run.clusterId))) throw notFound('scan', scanId);
      const page = await listRunFindings(db, scanId, {
        ...(q.status ? { statuses: q.status as ('fail' | 'suppressed')[] } : {}),
        ...(q.severity ? { severities: q.severity as (typeof SEVERITIES)[number][] } : {}),
        ...(q.checkId ? { checkIds: q.checkId } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({ items: page.items.map(toRunFindingDto), nextCursor: page.nextCursor }, 200);
    });
}
