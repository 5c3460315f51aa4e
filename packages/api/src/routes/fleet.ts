import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { FRAMEWORKS } from '@vigil/core';
import {
  fleetComplianceCounts,
  listStaleClusters,
  rankClustersByOpenFindings,
  summarizeFleet,
} from '@vigil/db';
import { clusterScope } from '../auth/visibility.ts';
import { parseLabelSelector } from '../http/label-selector.ts';
import { fleetComplianceSchema, fleetSummarySchema, labelSelectorQuery } from '../openapi/schemas.ts';
import { DEFAULT_STALE_GRACE_SECONDS, frameworkQuery } from './posture.ts';
import { createRouter, defineRoute } from './route-kit.ts';

const summary = defineRoute({
  method: 'get',
  path: '/v1/fleet/summary',
  operationId: 'getFleetSummary',
  summary: 'Summarise the fleet',
  description:
    'Open findings by severity across the clusters the credential may see, the worst clusters, and the ' +
    'scheduled clusters whose last successful scan is older than their interval plus `graceSeconds` ' +
    '(a missed or failing schedule).',
  tags: ['Fleet'],
  scope: 'read',
  request: {
    query: z.strictObject({
      labelSelector: labelSelectorQuery,
      worst: z.coerce
        .number()
        .int()
        .min(0)
        .max(100)
        .optional()
        .openapi({ description: 'How many worst clusters to list (default 10).', example: 5 }),
      graceSeconds: z.coerce
        .number()
        .int()
        .min(0)
        .max(30 * 86_400)
        .optional()
        .openapi({
          description: `Tolerance before a cluster counts as stale (default ${DEFAULT_STALE_GRACE_SECONDS}).`,
          example: 3600,
        }),
    }),
  },
  responses: {
    200: {
      description: 'The fleet summary.',
      content: { 'application/json': { schema: fleetSummarySchema } },
    },
  },
});

const compliance = defineRoute({
  method: 'get',
  path: '/v1/fleet/compliance',
  operationId: 'getFleetCompliance',
  summary: 'Compliance per framework across the fleet',
  description:
    'For every control, how many clusters are pass / fail / not_evaluated / not_applicable / manual by ' +
    'their last recorded scan. Per cluster: `GET /v1/clusters/{clusterId}/compliance`.',
  tags: ['Fleet'],
  scope: 'read',
  request: { query: z.strictObject({ framework: frameworkQuery, labelSelector: labelSelectorQuery }) },
  responses: {
    200: {
      description: 'Control counts by framework.',
      content: { 'application/json': { schema: fleetComplianceSchema } },
    },
  },
});

type FleetSummary = z.infer<typeof fleetSummarySchema>;

/** The memo key of a fleet read: what it is, the exact cluster set it covers, and its parameters. */
function memoKey(
  what: string,
  ids: readonly string[] | undefined,
  ...parameters: (string | number)[]
): string {
  const scope = ids
    ? createHash('sha256')
        .update([...ids].sort().join(','))
        .digest('base64url')
    : 'all';
  return JSON.stringify([what, scope, ...parameters]);
}

export function fleetRoutes() {
  return createRouter()
    .openapi(summary, async (c) => {
      const { db, now, fleetMemo } = c.var.services;
      const q = c.req.valid('query');
      const labelSelector = q.labelSelector ? parseLabelSelector(q.labelSelector) : undefined;
      const ids = await clusterScope(c, labelSelector ? { labelSelector } : {});
      const worst = q.worst ?? 10;
      const graceSeconds = q.graceSeconds ?? DEFAULT_STALE_GRACE_SECONDS;
      const body = await fleetMemo(memoKey('summary', ids, worst, graceSeconds), async () => {
        const scope = ids ? { clusterIds: ids } : {};
        const [totals, ranked, stale] = await Promise.all([
          summarizeFleet(db, scope),
          worst > 0 ? rankClustersByOpenFindings(db, { ...scope, limit: worst }) : [],
          listStaleClusters(db, { now: now(), graceSeconds }),
        ]);
        const inScope = ids ? new Set(ids) : undefined;
        const staleClusters = stale
          .filter((s) => !inScope || inScope.has(s.cluster.id))
          .map((s) => ({
            clusterId: s.cluster.id,
            name: s.cluster.name,
            scheduleIntervalSeconds: s.cluster.scheduleIntervalSeconds ?? 0,
            lastSuccessAt: s.lastSuccessAt?.toISOString() ?? null,
            dueBy: s.dueBy.toISOString(),
          }));
        return {
          clusters: {
            total: totals.clusters,
            reporting: totals.clustersReporting,
            stale: staleClusters.length,
          },
          open: totals.open,
          worstClusters: ranked.map((w) => ({
            clusterId: w.clusterId,
            name: w.name,
            labels: w.labels,
            openBySeverity: w.openBySeverity,
            scanId: w.runId,
            recordedAt: w.recordedAt.toISOString(),
          })),
          staleClusters,
        };
      });
      return c.json(body as FleetSummary, 200);
    })
    .openapi(compliance, async (c) => {
      const q = c.req.valid('query');
      const labelSelector = q.labelSelector ? parseLabelSelector(q.labelSelector) : undefined;
      const ids = await clusterScope(c, labelSelector ? { labelSelector } : {});
      const { counts, clustersReporting } = (await c.var.services.fleetMemo(
        memoKey('compliance', ids, q.framework ?? ''),
        () =>
          fleetComplianceCounts(c.var.services.db, {
            ...(ids ? { clusterIds: ids } : {}),
            ...(q.framework ? { framework: q.framework } : {}),
          }),
      )) as Awaited<ReturnType<typeof fleetComplianceCounts>>;
      const byControl = new Map<string, Record<string, number>>();
      for (const row of counts) {
        const entry = byControl.get(row.qualifiedId) ?? {};
        entry[row.status] = (entry[row.status] ?? 0) + row.clusters;
        byControl.set(row.qualifiedId, entry);
      }
      // The catalog gives every control (also those no cluster reported yet) its title, in benchmark order.
      const frameworks = FRAMEWORKS.filter((f) => !q.framework || f.id === q.framework).map((f) => ({
        framework: f.id,
        title: f.title,
        version: f.version,
        controls: f.controls.map((control) => {
          const qualifiedId = `${f.id}:${control.id}`;
          const seen = byControl.get(qualifiedId) ?? {};
          return {
            id: control.id,
            qualifiedId,
            title: control.title,
            clusters: {
              pass: seen.pass ?? 0,
              fail: seen.fail ?? 0,
              not_evaluated: seen.not_evaluated ?? 0,
              not_applicable: seen.not_applicable ?? 0,
              manual: seen.manual ?? 0,
            },
          };
        }),
      }));
      return c.json({ clustersReporting, frameworks }, 200);
    });
}
