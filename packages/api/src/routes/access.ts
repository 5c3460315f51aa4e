import { z } from '@hono/zod-openapi';
import {
  type BoundRole,
  type Grant,
  InputError,
  implicitGroups,
  type PolicyRule,
  parseResourceArg,
  type SubjectRef,
  subjectKey,
  type WhoCanQuery,
} from '@vigil/core';
import { DEFAULT_PAGE_LIMIT, decodeCursor, encodeCursor, MAX_PAGE_LIMIT } from '@vigil/db';
import type { Context } from 'hono';
import { requireCluster } from '../auth/visibility.ts';
import type { ApiEnv } from '../http/env.ts';
import { ApiError, badRequest } from '../http/problem.ts';
import type { ClusterRbac } from '../http/rbac-cache.ts';
import {
  EXAMPLE_CLUSTER_ID,
  EXAMPLE_RUN_ID,
  objectRefSchema,
  pageQuery,
  subjectRefSchema,
  uuidSchema,
} from '../openapi/schemas.ts';
import { clusterIdParams } from './clusters.ts';
import { createRouter, defineRoute } from './route-kit.ts';

/** The inputs an RBAC answer depends on; if one was not read completely the answer may leave someone out. */
const RBAC_SOURCES = [
  'clusterroles',
  'roles',
  'clusterrolebindings',
  'rolebindings',
  'awsAuth',
  'accessEntries',
] as const;

const ruleSchema = z
  .object({
    verbs: z.array(z.string()).optional(),
    apiGroups: z.array(z.string()).optional(),
    resources: z.array(z.string()).optional(),
    resourceNames: z.array(z.string()).optional(),
    nonResourceURLs: z.array(z.string()).optional(),
  })
  .openapi('PolicyRule', { example: { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] } });

const roleRefSchema = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  exists: z.boolean().optional(),
});

const snapshotRefSchema = z
  .object({ scanId: uuidSchema, takenAt: z.iso.datetime({ offset: true }) })
  .openapi({ description: 'The stored snapshot (of the latest complete scan) the answer comes from.' });

const answerSchema = z
  .object({
    subject: subjectRefSchema,
    scope: z.union([z.object({ cluster: z.literal(true) }), z.object({ namespace: z.string() })]),
    binding: objectRefSchema,
    role: roleRefSchema,
    match: z.enum(['all', 'names']).openapi({ description: '`names`: only the objects in `resourceNames`.' }),
    resourceNames: z.array(z.string()).optional(),
    via: z
      .object({
        mapping: z.enum(['aws-auth', 'access-entry']),
        principalArn: z.string(),
        list: z.string().optional(),
        index: z.number().int().optional(),
        as: subjectRefSchema,
      })
      .optional()
      .openapi({ description: 'For an IAM principal: the mapping and the user or group it becomes.' }),
    rule: ruleSchema,
  })
  .openapi('WhoCanAnswer');

const whoCanSchema = z
  .object({
    clusterId: uuidSchema,
    snapshot: snapshotRefSchema,
    query: z.object({
      verb: z.string(),
      resource: z.string().optional(),
      apiGroup: z.string().optional(),
      subresource: z.string().optional(),
      name: z.string().optional(),
      namespace: z.string().optional(),
      nonResourceURL: z.string().optional(),
    }),
    complete: z.boolean(),
    incomplete: z
      .array(z.string())
      .openapi({ description: 'RBAC inputs the snapshot did not read completely.' }),
    answers: z.array(answerSchema),
  })
  .openapi('WhoCan', {
    example: {
      clusterId: EXAMPLE_CLUSTER_ID,
      snapshot: { scanId: EXAMPLE_RUN_ID, takenAt: '2026-11-26T06:00:04.201Z' },
      query: { verb: 'get', resource: 'secrets', apiGroup: '', namespace: 'payments' },
      complete: true,
      incomplete: [],
      answers: [
        {
          subject: { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
          scope: { cluster: true },
          binding: { kind: 'ClusterRoleBinding', name: 'ci-deployer-cluster-admin' },
          role: { kind: 'ClusterRole', name: 'cluster-admin' },
          match: 'all',
          rule: { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        },
      ],
    },
  });

const EXAMPLE_SUBJECT = {
  subject: { kind: 'Group', name: 'payments-devs' },
  clusterAdminEquivalent: false,
  mappedFrom: [{ kind: 'access-entry', principalArn: 'arn:aws:iam::111122223333:role/payments-dev' }],
  permissions: [
    {
      binding: { kind: 'RoleBinding', name: 'payments-edit', namespace: 'payments' },
      role: { kind: 'ClusterRole', name: 'edit', exists: true },
      namespace: 'payments',
      rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['secrets'] }],
    },
  ],
};

const permissionSchema = z.object({
  binding: objectRefSchema,
  role: roleRefSchema,
  namespace: z.string().nullable().openapi({ description: 'Where it applies; null: cluster-wide.' }),
  rules: z.array(ruleSchema),
  through: subjectRefSchema
    .optional()
    .openapi({ description: 'The group or user the binding names, when it is not the subject itself.' }),
});

const subjectSchema = z
  .object({
    subject: subjectRefSchema,
    clusterAdminEquivalent: z.boolean(),
    mappedFrom: z
      .array(z.object({ kind: z.enum(['aws-auth', 'access-entry']), principalArn: z.string() }))
      .openapi({ description: 'IAM principals that become this user or join this group.' }),
    permissions: z.array(permissionSchema),
  })
  .openapi('SubjectPermissions', {
    example: EXAMPLE_SUBJECT,
  });

const whoCan = defineRoute({
  method: 'get',
  path: '/v1/clusters/{clusterId}/who-can',
  operationId: 'whoCan',
  summary: 'Who can do VERB on RESOURCE',
  description:
    'Every subject that holds the permission in the latest complete snapshot, with the binding, role and ' +
    'rule that grant it, and the aws-auth entry or access entry an IAM principal comes through ' +
    '(like kubectl-who-can). 409 when no complete scan stored a snapshot yet.',
  tags: ['Clusters'],
  scope: 'read',
  errors: [404, 409],
  request: {
    params: clusterIdParams,
    query: z.strictObject({
      verb: z
        .string()
        .regex(/^[a-z*][a-zA-Z*-]{0,63}$/)
        .openapi({ example: 'get' }),
      resource: z.string().min(1).max(512).openapi({
        description:
          '`RESOURCE[.GROUP][/SUBRESOURCE]` (`pods`, `deployments.apps`, `pods/exec`) or a non-resource URL (`/metrics`).',
        example: 'secrets',
      }),
      namespace: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
        .optional()
        .openapi({
          description: 'Grants that apply there (namespaced and cluster-wide); absent: anywhere.',
          example: 'payments',
        }),
      name: z
        .string()
        .min(1)
        .max(253)
        .optional()
        .openapi({ description: 'One object (resourceNames rules).', example: 'db-credentials' }),
    }),
  },
  responses: {
    200: { description: 'The answer.', content: { 'application/json': { schema: whoCanSchema } } },
  },
});

const subjects = defineRoute({
  method: 'get',
  path: '/v1/clusters/{clusterId}/subjects',
  operationId: 'listClusterSubjects',
  summary: 'List subjects with their effective permissions',
  description:
    'Every user, group, service account and IAM principal the latest complete snapshot names, with each ' +
    'role bound to it (directly, through a group it is implicitly in, or through its IAM mapping) and the ' +
    'rules that role holds. 409 when no complete scan stored a snapshot yet.',
  tags: ['Clusters'],
  scope: 'read',
  errors: [404, 409],
  request: {
    params: clusterIdParams,
    query: z.strictObject({
      kind: z.enum(['User', 'Group', 'ServiceAccount', 'IAMPrincipal']).optional(),
      q: z
        .string()
        .min(1)
        .max(253)
        .optional()
        .openapi({ description: 'Substring of the subject name.', example: 'deploy' }),
      ...pageQuery,
    }),
  },
  responses: {
    200: {
      description: 'A page of subjects, by kind and name.',
      content: {
        'application/json': {
          schema: z
            .object({
              snapshot: snapshotRefSchema,
              items: z.array(subjectSchema),
              nextCursor: z.string().nullable(),
            })
            .openapi('SubjectPage', {
              example: {
                snapshot: { scanId: EXAMPLE_RUN_ID, takenAt: '2026-11-26T06:00:04.201Z' },
                items: [EXAMPLE_SUBJECT],
                nextCursor: null,
              },
            }),
        },
      },
    },
  },
});

async function rbacOf(c: Context<ApiEnv>, clusterId: string): Promise<ClusterRbac> {
  const cluster = await requireCluster(c, clusterId);
  const rbac = await c.var.services.rbacOf(cluster.id);
  if (!rbac)
    throw new ApiError('conflict', `no complete scan of cluster ${cluster.name} has stored a snapshot yet`);
  return rbac;
}

function compact(rule: PolicyRule): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(rule)) if (value.length > 0) out[key] = value;
  return out;
}

function roleRef(role: Grant['role']) {
  return {
    kind: role.kind,
    name: role.name,
    ...(role.namespace ? { namespace: role.namespace } : {}),
    exists: role.exists,
  };
}

function toAnswer(grant: Grant) {
  return {
    subject: grant.subject,
    scope: grant.namespace === null ? { cluster: true as const } : { namespace: grant.namespace },
    binding: grant.binding,
    role: roleRef(grant.role),
    match: grant.match,
    ...(grant.match === 'names' ? { resourceNames: grant.rule.resourceNames } : {}),
    ...(grant.via
      ? {
          via: {
            mapping: grant.via.mapping.kind,
            principalArn: grant.via.mapping.principalArn,
            ...(grant.via.mapping.source ? { list: grant.via.mapping.source } : {}),
            ...(grant.via.mapping.index !== undefined ? { index: grant.via.mapping.index } : {}),
            as: grant.via.through,
          },
        }
      : {}),
    rule: compact(grant.rule),
  };
}

function queryOf(q: {
  verb: string;
  resource: string;
  namespace?: string | undefined;
  name?: string | undefined;
}): WhoCanQuery {
  if (q.resource.startsWith('/')) {
    if (q.namespace !== undefined || q.name !== undefined) {
      throw badRequest('a non-resource URL takes no namespace or name', [
        { name: 'query.resource', reason: 'non-resource URL with namespace or name' },
      ]);
    }
    return { verb: q.verb, nonResourceURL: q.resource };
  }
  try {
    return {
      verb: q.verb,
      ...parseResourceArg(q.resource),
      ...(q.namespace ? { namespace: q.namespace } : {}),
      ...(q.name ? { name: q.name } : {}),
    };
  } catch (error) {
    if (error instanceof InputError) {
      throw badRequest(`query.resource: ${error.message.replace(/^resource: /, '')}`, [
        { name: 'query.resource', reason: 'not RESOURCE[.GROUP][/SUBRESOURCE]' },
      ]);
    }
    throw error;
  }
}

function incompleteInputs(rbac: ClusterRbac): string[] {
  const problems: string[] = [];
  for (const source of RBAC_SOURCES) {
    const coverage = rbac.snapshot.coverage[source];
    if (coverage && coverage.status !== 'complete' && coverage.status !== 'not_applicable') {
      problems.push(`${source}: ${coverage.status}${coverage.reason ? ` (${coverage.reason})` : ''}`);
    }
  }
  return problems;
}

const KIND_ORDER: Record<SubjectRef['kind'], number> = {
  User: 0,
  Group: 1,
  ServiceAccount: 2,
  IAMPrincipal: 3,
};
const SUBJECTS_LISTING = 'subjects';

/** The roles bound to a subject with what it reaches them through. */
function permissionsOf(rbac: ClusterRbac, subject: SubjectRef) {
  const own = subjectKey(subject);
  // What else the subject is: the groups Kubernetes adds to it, and what its IAM mappings make it.
  const reach = new Set(implicitGroups(subject).map((group) => `Group:${group}`));
  if (subject.kind === 'IAMPrincipal') {
    for (const mapping of rbac.index.principals) {
      if (mapping.principalArn !== subject.name) continue;
      if (mapping.username) reach.add(`User:${mapping.username}`);
      for (const group of mapping.groups) reach.add(`Group:${group}`);
    }
  }
  return rbac.index.boundTo(subject, { implicit: true }).map((bound: BoundRole) => {
    const direct = bound.subjects.some((s) => subjectKey(s) === own);
    const through = direct ? undefined : bound.subjects.find((s) => reach.has(subjectKey(s)));
    return {
      binding: bound.binding,
      role: roleRef(bound.role),
      namespace: bound.namespace,
      rules: bound.role.rules.map(compact),
      ...(through ? { through } : {}),
    };
  });
}

export function accessRoutes() {
  return createRouter()
    .openapi(whoCan, async (c) => {
      const { clusterId } = c.req.valid('param');
      const q = c.req.valid('query');
      const query = queryOf(q);
      const rbac = await rbacOf(c, clusterId);
      const seen = new Set<string>();
      const answers: ReturnType<typeof toAnswer>[] = [];
      for (const grant of rbac.index.whoCan(query)) {
        const answer = toAnswer(grant);
        const key = JSON.stringify([
          answer.subject,
          answer.scope,
          answer.binding,
          answer.role,
          answer.via ?? null,
        ]);
        if (seen.has(key)) continue;
        seen.add(key);
        answers.push(answer);
      }
      const incomplete = incompleteInputs(rbac);
      return c.json(
        {
          clusterId,
          snapshot: { scanId: rbac.runId, takenAt: rbac.takenAt.toISOString() },
          query: { ...query },
          complete: incomplete.length === 0,
          incomplete,
          answers,
        },
        200,
      );
    })
    .openapi(subjects, async (c) => {
      const { clusterId } = c.req.valid('param');
      const q = c.req.valid('query');
      const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
      const after = q.cursor ? decodeCursor(SUBJECTS_LISTING, q.cursor, ['string'])[0] : undefined;
      const rbac = await rbacOf(c, clusterId);
      const sortKey = (s: SubjectRef) => `${KIND_ORDER[s.kind]}\u0000${subjectKey(s)}`;
      const all = rbac.index
        .subjects()
        .filter(
          (s) => (!q.kind || s.kind === q.kind) && (!q.q || s.name.toLowerCase().includes(q.q.toLowerCase())),
        )
        .map((s) => ({ subject: s, key: sortKey(s) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .filter((entry) => after === undefined || entry.key > after);
      const pageItems = all.slice(0, Math.min(limit, MAX_PAGE_LIMIT));
      const last = pageItems[pageItems.length - 1];
      const items = pageItems.map(({ subject }) => ({
        subject,
        clusterAdminEquivalent: rbac.index.isClusterAdminEquivalent(subject, { implicit: true }),
        mappedFrom: rbac.index
          .principalsFor(subject)
          .map((m) => ({ kind: m.kind, principalArn: m.principalArn })),
        permissions: permissionsOf(rbac, subject),
      }));
      return c.json(
        {
          snapshot: { scanId: rbac.runId, takenAt: rbac.takenAt.toISOString() },
          items,
          nextCursor:
            all.length > pageItems.length && last ? encodeCursor(SUBJECTS_LISTING, [last.key]) : null,
        },
        200,
      );
    });
}
