import { z } from '@hono/zod-openapi';
import { createCluster, deleteCluster, getRun, listClusters, updateCluster } from '@vigil/db';
import { canSee, clusterScope, requireCluster } from '../auth/visibility.ts';
import { toClusterDto } from '../http/dto.ts';
import { parseLabelSelector } from '../http/label-selector.ts';
import { ApiError } from '../http/problem.ts';
import {
  clusterPatchSchema,
  clusterSchema,
  EXAMPLE_CLUSTER,
  EXAMPLE_CLUSTER_ID,
  labelSelectorQuery,
  newClusterSchema,
  pageQuery,
  pageSchema,
  scanRequestedSchema,
  uuidSchema,
} from '../openapi/schemas.ts';
import { createRouter, defineRoute } from './route-kit.ts';

export const clusterIdParams = z.strictObject({
  clusterId: uuidSchema.openapi({ param: { name: 'clusterId', in: 'path' }, example: EXAMPLE_CLUSTER_ID }),
});

const listQuery = z.strictObject({
  labelSelector: labelSelectorQuery,
  q: z
    .string()
    .min(1)
    .max(253)
    .optional()
    .openapi({ description: 'Case-insensitive substring of the cluster name.', example: 'prod' }),
  ...pageQuery,
});

const list = defineRoute({
  method: 'get',
  path: '/v1/clusters',
  operationId: 'listClusters',
  summary: 'List clusters',
  description: 'Live clusters by name, filtered by label selector and name search.',
  tags: ['Clusters'],
  scope: 'read',
  request: { query: listQuery },
  responses: {
    200: {
      description: 'A page of clusters.',
      content: { 'application/json': { schema: pageSchema(clusterSchema, 'ClusterPage', EXAMPLE_CLUSTER) } },
    },
  },
});

const register = defineRoute({
  method: 'post',
  path: '/v1/clusters',
  operationId: 'registerCluster',
  summary: 'Register a cluster',
  description:
    'An EKS cluster by ARN (with the role to assume and its external id), a kubeconfig context, or a ' +
    'snapshot file. Names are unique among live clusters (409).',
  tags: ['Clusters'],
  scope: 'admin',
  errors: [409],
  request: { body: { required: true, content: { 'application/json': { schema: newClusterSchema } } } },
  responses: {
    201: {
      description: 'The registered cluster.',
      headers: z.object({ location: z.string().openapi({ example: `/v1/clusters/${EXAMPLE_CLUSTER_ID}` }) }),
      content: { 'application/json': { schema: clusterSchema } },
    },
  },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/clusters/{clusterId}',
  operationId: 'getCluster',
  summary: 'Get a cluster',
  tags: ['Clusters'],
  scope: 'read',
  errors: [404],
  request: { params: clusterIdParams },
  responses: {
    200: { description: 'The cluster.', content: { 'application/json': { schema: clusterSchema } } },
  },
});

const update = defineRoute({
  method: 'patch',
  path: '/v1/clusters/{clusterId}',
  operationId: 'updateCluster',
  summary: 'Change a cluster',
  description: 'Changes the given fields; the others stay.',
  tags: ['Clusters'],
  scope: 'admin',
  errors: [404, 409],
  request: {
    params: clusterIdParams,
    body: { required: true, content: { 'application/json': { schema: clusterPatchSchema } } },
  },
  responses: {
    200: { description: 'The changed cluster.', content: { 'application/json': { schema: clusterSchema } } },
  },
});

const remove = defineRoute({
  method: 'delete',
  path: '/v1/clusters/{clusterId}',
  operationId: 'deleteCluster',
  summary: 'Delete a cluster',
  description:
    'Soft delete: the cluster stops being listed and scanned and its name becomes free; its runs and ' +
    'findings stay until retention removes them.',
  tags: ['Clusters'],
  scope: 'admin',
  errors: [404],
  request: { params: clusterIdParams },
  responses: { 204: { description: 'Deleted.' } },
});

const scan = defineRoute({
  method: 'post',
  path: '/v1/clusters/{clusterId}/scans',
  operationId: 'triggerScan',
  summary: 'Trigger a scan',
  description:
    'Queues a scan of the cluster now. The run is created `queued` and the scanner picks it up from the ' +
    'queue; poll `GET /v1/scans/{scanId}` for its status. 409 when the cluster is disabled.',
  tags: ['Clusters'],
  scope: 'scan',
  errors: [404, 409],
  request: { params: clusterIdParams },
  responses: {
    202: {
      description: 'The scan is queued.',
      headers: z.object({
        location: z.string().openapi({ example: '/v1/scans/7d4f0a3e-1c2b-4e5f-8a9b-0c1d2e3f4a5b' }),
      }),
      content: { 'application/json': { schema: scanRequestedSchema } },
    },
  },
});

/** A cluster a restricted credential creates or relabels must stay inside what it may see. */
function requireVisibleLabels(c: Parameters<typeof canSee>[0], labels: Record<string, string>): void {
  if (!canSee(c, labels)) {
    throw new ApiError('forbidden', 'the cluster labels must match the cluster selector of this credential');
  }
}

export function clusterRoutes() {
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const labelSelector = query.labelSelector ? parseLabelSelector(query.labelSelector) : undefined;
      // Label filtering runs in SQL; the principal's own selector too, as a set of visible ids.
      const ids = await clusterScope(c, {});
      const page = await listClusters(c.var.services.db, {
        ...(ids ? { ids } : {}),
        ...(labelSelector ? { labelSelector } : {}),
        ...(query.q ? { search: query.q } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return c.json({ items: page.items.map(toClusterDto), nextCursor: page.nextCursor }, 200);
    })
    .openapi(register, async (c) => {
      const body = c.req.valid('json');
      requireVisibleLabels(c, body.labels ?? {});
      const cluster = await createCluster(c.var.services.db, body);
      c.header('location', `/v1/clusters/${cluster.id}`);
      return c.json(toClusterDto(cluster), 201);
    })
    .openapi(get, async (c) => {
      const cluster = await requireCluster(c, c.req.valid('param').clusterId);
      return c.json(toClusterDto(cluster), 200);
    })
    .openapi(update, async (c) => {
      const { clusterId } = c.req.valid('param');
      await requireCluster(c, clusterId);
      const patch = c.req.valid('json');
      if (patch.labels) requireVisibleLabels(c, patch.labels);
      const cluster = await updateCluster(c.var.services.db, clusterId, patch);
      if (!cluster) throw new ApiError('not-found', `cluster ${clusterId} does not exist`);
      return c.json(toClusterDto(cluster), 200);
    })
    .openapi(remove, async (c) => {
      const { clusterId } = c.req.valid('param');
      await requireCluster(c, clusterId);
      if (!(await deleteCluster(c.var.services.db, clusterId))) {
        throw new ApiError('not-found', `cluster ${clusterId} does not exist`);
      }
      return c.body(null, 204);
    })
    .openapi(scan, async (c) => {
      const { clusterId } = c.req.valid('param');
      const cluster = await requireCluster(c, clusterId);
      if (!cluster.enabled) throw new ApiError('conflict', `cluster ${cluster.name} is disabled`);
      const { runId, slot } = await c.var.services.scans.requestScan({
        clusterId,
        requestedBy: c.var.principal.label,
      });
      // The requester may reuse a run that a scanner already picked up: report the run as it is.
      const run = await getRun(c.var.services.db, runId);
      c.header('location', `/v1/scans/${runId}`);
      return c.json({ runId, slot, status: run?.status ?? 'queued' }, 202);
    });
}
