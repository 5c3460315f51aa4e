import { z } from '@hono/zod-openapi';
import { CHECKS, SEVERITIES, type Severity } from '@vigil/core';
import { sarifRules, sarifStream, toSarifResult } from '@vigil/core/report';
import {
  type FindingFilter,
  type FindingLifecycle,
  getFinding,
  LIFECYCLE_STATES,
  type LifecycleState,
  listFindings,
  listFindingsIso,
} from '@vigil/db';
import type { Context } from 'hono';
import { clusterScope, requireCluster } from '../auth/visibility.ts';
import { csvRow } from '../export/csv.ts';
import { pagedBody } from '../export/stream.ts';
import { toFindingDetailDto, toFindingListDto } from '../http/dto.ts';
import type { ApiEnv } from '../http/env.ts';
import { parseLabelSelector } from '../http/label-selector.ts';
import { notFound } from '../http/problem.ts';
import {
  EXAMPLE_CLUSTER_ID,
  EXAMPLE_FINDING,
  EXAMPLE_FINGERPRINT,
  findingDetailSchema,
  findingSchema,
  labelSelectorQuery,
  pageQuery,
  pageSchema,
  uuidSchema,
} from '../openapi/schemas.ts';
import { TOOL_VERSION } from '../version.ts';
import { csvList } from './query.ts';
import { createRouter, defineRoute } from './route-kit.ts';

const filterQuery = {
  clusterId: uuidSchema.optional().openapi({ example: EXAMPLE_CLUSTER_ID }),
  labelSelector: labelSelectorQuery,
  severity: csvList('severity', SEVERITIES, 'critical,high'),
  checkId: csvList('checkId', undefined, 'cluster-admin,secrets-access'),
  control: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'A framework-qualified control.', example: 'cis-eks-1.8.0:4.1.1' }),
  status: csvList('status', LIFECYCLE_STATES, 'open'),
  subjectKind: z.enum(['User', 'Group', 'ServiceAccount', 'IAMPrincipal']).optional(),
  subjectName: z.string().min(1).max(512).optional().openapi({ example: 'deployer' }),
  subjectNamespace: z.string().min(1).max(253).optional().openapi({ example: 'ci' }),
  resourceKind: z.string().min(1).max(253).optional().openapi({ example: 'ClusterRoleBinding' }),
  firstSeenSince: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'First seen at or after.', example: '2026-11-01T00:00:00Z' }),
};

const listQuery = z.strictObject({ ...filterQuery, ...pageQuery });
const exportQuery = z.strictObject(filterQuery);
type FilterInput = z.output<typeof exportQuery>;

const list = defineRoute({
  method: 'get',
  path: '/v1/findings',
  operationId: 'listFindings',
  summary: 'List findings',
  description:
    'Findings followed across runs (their lifecycle), newest first; `status` defaults to `open`. ' +
    '`subjectKind` and `subjectNamespace` narrow `subjectName`.',
  tags: ['Findings'],
  scope: 'read',
  request: { query: listQuery },
  responses: {
    200: {
      description: 'A page of findings.',
      content: { 'application/json': { schema: pageSchema(findingSchema, 'FindingPage', EXAMPLE_FINDING) } },
    },
  },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/clusters/{clusterId}/findings/{fingerprint}',
  operationId: 'getFinding',
  summary: 'Get a finding with its lifecycle',
  description: 'First and last seen, opened, resolved, reopened, suppression, and the latest evidence.',
  tags: ['Findings'],
  scope: 'read',
  errors: [404],
  request: {
    params: z.strictObject({
      clusterId: uuidSchema.openapi({
        param: { name: 'clusterId', in: 'path' },
        example: EXAMPLE_CLUSTER_ID,
      }),
      fingerprint: z
        .string()
        .regex(/^[0-9a-f]{32}$/)
        .openapi({ param: { name: 'fingerprint', in: 'path' }, example: EXAMPLE_FINGERPRINT }),
    }),
  },
  responses: {
    200: { description: 'The finding.', content: { 'application/json': { schema: findingDetailSchema } } },
  },
});

const exportCsv = defineRoute({
  method: 'get',
  path: '/v1/findings/export.csv',
  operationId: 'exportFindingsCsv',
  summary: 'Export findings as CSV',
  description:
    'The same filters as `listFindings`, every matching row (no paging), streamed. RFC 4180; cells that ' +
    'a spreadsheet would run as a formula are prefixed with a single quote.',
  tags: ['Findings'],
  scope: 'read',
  request: { query: exportQuery },
  responses: {
    200: {
      description: 'CSV with a header row.',
      content: {
        'text/csv': {
          schema: z.string(),
          example:
            'cluster_id,cluster_name,fingerprint,state,severity,check_id,title,resource_kind,resource_namespace,' +
            'resource_name,subject_kind,subject_namespace,subject_name,message,controls,first_seen_at,last_seen_at,' +
            `resolved_at,reopened_count,suppression_reason\r\n${EXAMPLE_CLUSTER_ID},prod-eu,${EXAMPLE_FINGERPRINT},open,` +
            'critical,cluster-admin,Subjects bound to cluster-admin,ClusterRoleBinding,,ci-deployer-cluster-admin,' +
            'ServiceAccount,ci,deployer,ServiceAccount ci/deployer is bound to cluster-admin,cis-eks-1.8.0:4.1.1,' +
            '2026-11-20T06:00:03.000Z,2026-11-26T06:00:04.201Z,,0,\r\n',
        },
      },
    },
  },
});

const exportSarif = defineRoute({
  method: 'get',
  path: '/v1/findings/export.sarif',
  operationId: 'exportFindingsSarif',
  summary: 'Export findings as SARIF 2.1.0',
  description:
    'The same filters as `listFindings`, every matching finding (no paging), streamed as one SARIF run: one ' +
    'rule per check, one result per finding located at `cluster/kind/namespace/name` (a logical location) and ' +
    'at the synthetic artifact `kubernetes/CLUSTER/NAMESPACE/KIND/NAME.yaml` (a physical location, `_cluster` ' +
    'for objects without a namespace, each segment percent-encoded), which GitHub code scanning requires. ' +
    '`tool.driver.version` is the Vigil version. Resolved findings are `kind: pass`; suppressed ones carry ' +
    'their suppression.',
  tags: ['Findings'],
  scope: 'read',
  request: { query: exportQuery },
  responses: {
    200: {
      description: 'A SARIF log.',
      content: {
        'application/sarif+json': {
          schema: z.object({ version: z.literal('2.1.0'), runs: z.array(z.unknown()) }).catchall(z.unknown()),
          example: { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [] },
        },
      },
    },
  },
});

async function filterOf(c: Context<ApiEnv>, q: FilterInput): Promise<FindingFilter> {
  const labelSelector = q.labelSelector ? parseLabelSelector(q.labelSelector) : undefined;
  const clusterIds = await clusterScope(c, {
    ...(q.clusterId ? { clusterIds: [q.clusterId] } : {}),
    ...(labelSelector ? { labelSelector } : {}),
    liveOnly: true,
  });
  const subject = q.subjectName
    ? {
        name: q.subjectName,
        ...(q.subjectKind ? { kind: q.subjectKind } : {}),
        ...(q.subjectNamespace ? { namespace: q.subjectNamespace } : {}),
      }
    : undefined;
  return {
    ...(clusterIds ? { clusterIds } : {}),
    ...(q.status ? { states: q.status as LifecycleState[] } : {}),
    ...(q.severity ? { severities: q.severity as Severity[] } : {}),
    ...(q.checkId ? { checkIds: q.checkId } : {}),
    ...(q.control ? { control: q.control } : {}),
    ...(subject ? { subject } : {}),
    ...(q.resourceKind ? { resourceKind: q.resourceKind } : {}),
    ...(q.firstSeenSince ? { firstSeenSince: new Date(q.firstSeenSince) } : {}),
  };
}

const CSV_HEADER = [
  'cluster_id',
  'cluster_name',
  'fingerprint',
  'state',
  'severity',
  'check_id',
  'title',
  'resource_kind',
  'resource_namespace',
  'resource_name',
  'subject_kind',
  'subject_namespace',
  'subject_name',
  'message',
  'controls',
  'first_seen_at',
  'last_seen_at',
  'resolved_at',
  'reopened_count',
  'suppression_reason',
];

const EXPORT_PAGE = 500;

async function exportStream(
  c: Context<ApiEnv>,
  q: FilterInput,
  format: {
    head: string;
    tail: string;
    separator?: string;
    render: (f: FindingLifecycle, cluster: string) => string;
  },
): Promise<ReadableStream<Uint8Array>> {
  const { db, logger } = c.var.services;
  const filter = await filterOf(c, q);
  const directory = await c.var.services.clusterDirectory();
  const first = await listFindings(db, { ...filter, limit: EXPORT_PAGE });
  return pagedBody({
    first,
    fetchPage: (cursor) => listFindings(db, { ...filter, limit: EXPORT_PAGE, cursor }),
    render: (f) => format.render(f, directory.live.get(f.clusterId)?.name ?? ''),
    head: format.head,
    tail: format.tail,
    ...(format.separator ? { separator: format.separator } : {}),
    logger,
    requestId: c.var.requestId,
  });
}

export function findingRoutes() {
  return createRouter()
    .openapi(list, async (c) => {
      const { limit, cursor, ...q } = c.req.valid('query');
      const filter = await filterOf(c, q);
      const page = await listFindingsIso(c.var.services.db, {
        ...filter,
        ...(limit ? { limit } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return c.json({ items: page.items.map(toFindingListDto), nextCursor: page.nextCursor }, 200);
    })
    .openapi(get, async (c) => {
      const { clusterId, fingerprint } = c.req.valid('param');
      await requireCluster(c, clusterId);
      const finding = await getFinding(c.var.services.db, clusterId, fingerprint);
      if (!finding) throw notFound('finding', `${clusterId}/${fingerprint}`);
      return c.json(toFindingDetailDto(finding), 200);
    })
    .openapi(exportCsv, async (c) => {
      const body = await exportStream(c, c.req.valid('query'), {
        head: csvRow(CSV_HEADER),
        tail: '',
        render: (f, cluster) =>
          csvRow([
            f.clusterId,
            cluster,
            f.fingerprint,
            f.state,
            f.severity,
            f.checkId,
            f.title,
            f.resource.kind,
            f.resource.namespace,
            f.resource.name,
            f.subject?.kind,
            f.subject?.namespace,
            f.subject?.name,
            f.message,
            f.controls.join(' '),
            f.firstSeenAt.toISOString(),
            f.lastSeenAt.toISOString(),
            f.resolvedAt?.toISOString(),
            f.reopenedCount,
            f.suppression?.reason,
          ]),
      });
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': 'attachment; filename="vigil-findings.csv"',
        },
      });
    })
    .openapi(exportSarif, async (c) => {
      const { rules, ruleIndex } = sarifRules(CHECKS);
      const parts = sarifStream({
        toolVersion: TOOL_VERSION,
        rules,
        automationId: 'vigil/fleet/',
        properties: { generatedAt: c.var.services.now().toISOString() },
      });
      const body = await exportStream(c, c.req.valid('query'), {
        head: parts.head,
        tail: parts.tail,
        separator: parts.separator,
        render: (f, cluster) =>
          JSON.stringify(
            toSarifResult(
              {
                checkId: f.checkId,
                severity: f.severity,
                message: f.message,
                resource: f.resource,
                ...(f.subject ? { subject: f.subject } : {}),
                controls: f.controls,
                fingerprint: f.fingerprint,
                ...(f.suppression ? { suppression: f.suppression } : {}),
                resolved: f.state === 'resolved',
                properties: {
                  clusterId: f.clusterId,
                  state: f.state,
                  firstSeenAt: f.firstSeenAt.toISOString(),
                  lastSeenAt: f.lastSeenAt.toISOString(),
                },
              },
              { cluster: cluster || f.clusterId, ruleIndex, unknownRules: 'unindexed' },
            ),
          ),
      });
      // A streamed body: the route's JSON typing cannot describe it, the document does.
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': 'application/sarif+json',
          'content-disposition': 'attachment; filename="vigil-findings.sarif"',
        },
      }) as never;
    });
}
