import { z } from '@hono/zod-openapi';
import { SEVERITIES, SOURCES } from '@vigil/core';
import {
  clusterLabelsSchema,
  clusterNameSchema,
  clusterSourceSchema,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
} from '@vigil/db';
import { SCOPES } from '../types.ts';

/**
 * Schemas of what the API accepts and answers. Request bodies are strict (unknown fields: 400); responses
 * are open objects so that adding a field later does not break clients that validate.
 */

export const EXAMPLE_CLUSTER_ID = '0b8e3c52-52a4-4a8f-9b3f-2f1a7d3c9e10';
export const EXAMPLE_RUN_ID = '7d4f0a3e-1c2b-4e5f-8a9b-0c1d2e3f4a5b';
export const EXAMPLE_FINGERPRINT = '3f2a9c1d4b5e6f708192a3b4c5d6e7f8';
const EXAMPLE_TIME = '2026-11-26T06:00:04.512Z';

/**
 * A nullable reference to a named schema. zod-to-openapi loses `null` (or writes an `allOf` that rejects
 * it) for `.nullable()` on a registered schema; an explicit union generates `anyOf: [$ref, null]`.
 */
export function orNull<T extends z.ZodType>(schema: T, description?: string) {
  const union = z.union([schema, z.null()]);
  return description ? union.openapi({ description }) : union;
}

export const EXAMPLE_CLUSTER = {
  id: EXAMPLE_CLUSTER_ID,
  name: 'prod-eu',
  source: {
    type: 'eks',
    arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu',
    region: 'eu-west-1',
    roleArn: 'arn:aws:iam::111122223333:role/vigil-scanner',
    externalId: 'vigil-prod-eu-4f2a',
  },
  labels: { env: 'prod', team: 'payments' },
  scheduleIntervalSeconds: 86_400,
  enabled: true,
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

export const EXAMPLE_RUN_FINDING = {
  fingerprint: EXAMPLE_FINGERPRINT,
  checkId: 'cluster-admin',
  title: 'Subjects bound to cluster-admin',
  severity: 'critical',
  status: 'fail',
  resource: { kind: 'ClusterRoleBinding', name: 'ci-deployer-cluster-admin' },
  subject: { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
  message: 'ServiceAccount ci/deployer is bound to cluster-admin',
  evidence: { binding: 'ci-deployer-cluster-admin' },
  controls: ['cis-eks-1.8.0:4.1.1'],
};

export const EXAMPLE_EXCEPTION = {
  id: '5c6d7e8f-0000-4000-8000-000000000001',
  clusterSelector: { matchLabels: { env: 'prod' } },
  checks: ['cluster-admin'],
  subject: { kind: 'Group', name: 'platform-break-glass' },
  resource: null,
  reason: 'Break-glass group, access reviewed quarterly (SEC-1234)',
  owner: 'platform-team',
  expiresAt: '2027-03-31T00:00:00.000Z',
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
  revokedAt: null,
};

export const EXAMPLE_API_KEY = {
  id: '9a8b7c6d-0000-4000-8000-000000000002',
  keyId: 'Q3vX81kd',
  name: 'payments portal',
  scopes: ['read'],
  clusterSelector: { matchLabels: { team: 'payments' } },
  createdBy: 'key:Adm1nK3y',
  createdAt: EXAMPLE_TIME,
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
};

export const uuidSchema = z.uuid();
const instant = z.iso.datetime({ offset: true });
const severitySchema = z.enum(SEVERITIES).openapi('Severity');
const severityCounts = z
  .object(
    Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int().nonnegative()])) as Record<
      (typeof SEVERITIES)[number],
      z.ZodNumber
    >,
  )
  .openapi('SeverityCounts', { example: { critical: 1, high: 4, medium: 7, low: 2, info: 0 } });

export const scopeSchema = z.enum(SCOPES).openapi('Scope');

export const labelSelectorSchema = z
  .strictObject({
    matchLabels: z.record(z.string().max(317), z.string().max(63)).optional(),
    matchExpressions: z
      .array(
        z.strictObject({
          key: z.string().min(1).max(317),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string().max(63)).max(64).optional(),
        }),
      )
      .max(32)
      .optional(),
  })
  .openapi('LabelSelector', {
    description: 'A Kubernetes label selector over cluster labels; `{}` selects every cluster.',
    example: {
      matchLabels: { env: 'prod' },
      matchExpressions: [{ key: 'team', operator: 'In', values: ['payments'] }],
    },
  });

export const objectRefSchema = z
  .object({ kind: z.string(), name: z.string(), namespace: z.string().optional() })
  .openapi('ObjectRef', { example: { kind: 'ClusterRoleBinding', name: 'ci-deployer-cluster-admin' } });
export const subjectRefSchema = z
  .object({
    kind: z.enum(['User', 'Group', 'ServiceAccount', 'IAMPrincipal']),
    name: z.string(),
    namespace: z.string().optional(),
  })
  .openapi('SubjectRef', { example: { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' } });

const suppressionSchema = z
  .object({ exceptionId: z.string(), reason: z.string(), source: z.enum(['default', 'user']) })
  .openapi('Suppression');

/** The envelope of every list: `items` and the cursor of the next page (null on the last). */
export function pageSchema<T extends z.ZodType>(item: T, name: string, example: unknown) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page.' }),
    })
    .openapi(name, { example: { items: [example], nextCursor: 'WyJjbHVzdGVycyIsInByb2QtZXUiXQ' } });
}

export const pageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_LIMIT)
    .optional()
    .openapi({
      description: `Page size, 1-${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}); larger values are refused.`,
      example: 100,
    }),
  cursor: z.string().max(2048).optional().openapi({
    description: '`nextCursor` of the previous page, unchanged.',
    example: 'WyJmaW5kaW5ncyIsNDJd',
  }),
};

export const labelSelectorQuery = z.string().max(2048).optional().openapi({
  description:
    'Kubernetes label selector syntax over cluster labels: `env=prod,tier!=edge,team in (a,b),!legacy`.',
  example: 'env=prod',
});

// ---------- clusters

// @vigil/db's schemas may be built before @hono/zod-openapi extends zod (import order is the importer's),
// and zod 4 instances only get `.openapi` when constructed after it: `.describe` makes a fresh instance.
export const clusterSourceInputSchema = clusterSourceSchema
  .describe(
    'Where the cluster is read from. Only references are stored (a kubeconfig context name, a role to ' +
      'assume, an external id), never a token, key or certificate.',
  )
  .openapi('ClusterSource', {
    example: {
      type: 'eks',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::111122223333:role/vigil-scanner',
      externalId: 'vigil-prod-eu-4f2a',
    },
  });
const labelsSchema = clusterLabelsSchema
  .describe('Cluster labels (Kubernetes label syntax).')
  .openapi('ClusterLabels', {
    example: { env: 'prod', team: 'payments' },
  });
const scheduleSchema = z
  .number()
  .int()
  .min(60)
  .nullable()
  .openapi({ description: 'Seconds between scheduled scans; null: on demand only.', example: 86_400 });

export const clusterSchema = z
  .object({
    id: uuidSchema,
    name: z.string(),
    source: clusterSourceInputSchema,
    labels: z.record(z.string(), z.string()),
    scheduleIntervalSeconds: z.number().int().nullable(),
    enabled: z.boolean(),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Cluster', {
    example: EXAMPLE_CLUSTER,
  });

export const newClusterSchema = z
  .strictObject({
    name: clusterNameSchema,
    source: clusterSourceInputSchema,
    labels: labelsSchema.optional(),
    scheduleIntervalSeconds: scheduleSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .openapi('NewCluster', {
    example: {
      name: 'prod-eu',
      source: {
        type: 'eks',
        arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::111122223333:role/vigil-scanner',
        externalId: 'vigil-prod-eu-4f2a',
      },
      labels: { env: 'prod', team: 'payments' },
      scheduleIntervalSeconds: 86_400,
    },
  });

export const clusterPatchSchema = z
  .strictObject({
    name: clusterNameSchema.optional(),
    source: clusterSourceInputSchema.optional(),
    labels: labelsSchema.optional(),
    scheduleIntervalSeconds: scheduleSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .openapi('ClusterPatch', {
    description: 'The fields to change; absent fields stay as they are.',
    example: { labels: { env: 'prod', team: 'platform' }, enabled: false },
  });

// ---------- scans

const auditSummarySchema = z
  .object({
    findings: z.object({ fail: z.number().int(), suppressed: z.number().int() }),
    bySeverity: severityCounts,
    checks: z.object({
      pass: z.number().int(),
      fail: z.number().int(),
      not_evaluated: z.number().int(),
      not_applicable: z.number().int(),
    }),
  })
  .openapi('AuditSummary');

const transitionsSchema = z
  .object({
    opened: z.number().int(),
    reopened: z.number().int(),
    resolved: z.number().int(),
    suppressed: z.number().int(),
    regressed: z.number().int(),
    appliedToLifecycle: z.boolean(),
  })
  .openapi('RunTransitions');

export const runStatusSchema = z
  .enum(['queued', 'running', 'complete', 'partial', 'failed'])
  .openapi('RunStatus');

const scanSummaryShape = {
  id: uuidSchema,
  clusterId: uuidSchema,
  slot: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  status: runStatusSchema,
  attempts: z.number().int(),
  createdAt: instant,
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  recordedAt: instant.nullable(),
  durations: z
    .record(z.string(), z.number())
    .nullable()
    .openapi({ description: 'Phase durations in milliseconds.' }),
  summary: orNull(auditSummarySchema),
  findingsFailed: z.number().int().nullable(),
  findingsSuppressed: z.number().int().nullable(),
  openBySeverity: orNull(severityCounts),
  transitions: orNull(transitionsSchema),
  error: z.string().nullable(),
};

export const EXAMPLE_SCAN = {
  id: EXAMPLE_RUN_ID,
  clusterId: EXAMPLE_CLUSTER_ID,
  slot: '2026-11-26T06:00:00.000Z',
  trigger: 'schedule',
  status: 'complete',
  attempts: 1,
  createdAt: '2026-11-26T06:00:00.101Z',
  startedAt: '2026-11-26T06:00:00.512Z',
  finishedAt: '2026-11-26T06:00:04.201Z',
  recordedAt: EXAMPLE_TIME,
  durations: { collect: 2810, audit: 640, record: 230 },
  summary: {
    findings: { fail: 14, suppressed: 2 },
    bySeverity: { critical: 1, high: 4, medium: 7, low: 2, info: 0 },
    checks: { pass: 18, fail: 9, not_evaluated: 1, not_applicable: 2 },
  },
  findingsFailed: 14,
  findingsSuppressed: 2,
  openBySeverity: { critical: 1, high: 4, medium: 7, low: 2, info: 0 },
  transitions: { opened: 2, reopened: 0, resolved: 1, suppressed: 0, regressed: 0, appliedToLifecycle: true },
  error: null,
};

export const scanSummarySchema = z.object(scanSummaryShape).openapi('ScanSummary', { example: EXAMPLE_SCAN });

const coverageEntrySchema = z.object({
  status: z.enum([
    'complete',
    'forbidden',
    'not_found',
    'timed_out',
    'error',
    'not_collected',
    'not_applicable',
  ]),
  reason: z.string().optional(),
  count: z.number().int().optional(),
});
const checkResultSchema = z
  .object({
    checkId: z.string(),
    status: z.enum(['pass', 'fail', 'not_evaluated', 'not_applicable']),
    reason: z.string().optional(),
    failed: z.number().int(),
    suppressed: z.number().int(),
  })
  .openapi('CheckResult');
const controlStatusSchema = z
  .enum(['pass', 'fail', 'not_evaluated', 'not_applicable', 'manual'])
  .openapi('ControlStatus');
const controlCounts = z.object({
  pass: z.number().int(),
  fail: z.number().int(),
  not_evaluated: z.number().int(),
  not_applicable: z.number().int(),
  manual: z.number().int(),
});
export const frameworkResultSchema = z
  .object({
    framework: z.string(),
    title: z.string(),
    version: z.string(),
    summary: controlCounts,
    controls: z.array(
      z.object({
        id: z.string(),
        qualifiedId: z.string(),
        title: z.string(),
        status: controlStatusSchema,
        checks: z.array(z.string()),
        reason: z.string().optional(),
      }),
    ),
  })
  .openapi('FrameworkResult');

export const scanSchema = z
  .object({
    ...scanSummaryShape,
    coverage: z.partialRecord(z.enum(SOURCES), coverageEntrySchema).nullable(),
    checks: orNull(z.array(checkResultSchema)),
    compliance: orNull(z.array(frameworkResultSchema)),
    warnings: z.array(z.string()).nullable(),
  })
  .openapi('Scan', {
    example: {
      ...EXAMPLE_SCAN,
      coverage: {
        clusterrolebindings: { status: 'complete', count: 61 },
        awsAuth: { status: 'forbidden', reason: 'configmaps "aws-auth" is forbidden' },
      },
      checks: [{ checkId: 'cluster-admin', status: 'fail', failed: 2, suppressed: 1 }],
      compliance: [],
      warnings: [],
    },
  });

export const scanRequestedSchema = z
  .object({ runId: uuidSchema, slot: z.string(), status: runStatusSchema })
  .openapi('ScanRequested', {
    example: { runId: EXAMPLE_RUN_ID, slot: 'manual-2026-11-26T09:14:03.120Z', status: 'queued' },
  });

// ---------- findings

const findingShape = {
  id: z.number().int(),
  clusterId: uuidSchema,
  fingerprint: z.string(),
  state: z.enum(['open', 'resolved', 'suppressed']),
  checkId: z.string(),
  title: z.string(),
  severity: severitySchema,
  resource: objectRefSchema,
  subject: subjectRefSchema.optional(),
  message: z.string(),
  controls: z.array(z.string()),
  suppression: suppressionSchema.optional(),
  firstSeenAt: instant,
  lastSeenAt: instant,
  firstRunId: uuidSchema,
  lastRunId: uuidSchema,
  openedAt: instant.nullable(),
  resolvedAt: instant.nullable(),
  reopenedCount: z.number().int(),
  changedAt: instant,
};

export const EXAMPLE_FINDING = {
  id: 4211,
  clusterId: EXAMPLE_CLUSTER_ID,
  fingerprint: EXAMPLE_FINGERPRINT,
  state: 'open',
  checkId: 'cluster-admin',
  title: 'Subjects bound to cluster-admin',
  severity: 'critical',
  resource: { kind: 'ClusterRoleBinding', name: 'ci-deployer-cluster-admin' },
  subject: { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
  message:
    'ServiceAccount ci/deployer is bound to cluster-admin by ClusterRoleBinding ci-deployer-cluster-admin',
  controls: ['cis-eks-1.8.0:4.1.1', 'cis-k8s-1.12.0:5.1.1'],
  firstSeenAt: '2026-11-20T06:00:03.000Z',
  lastSeenAt: '2026-11-26T06:00:04.201Z',
  firstRunId: '1a2b3c4d-0000-4000-8000-00000000aaaa',
  lastRunId: EXAMPLE_RUN_ID,
  openedAt: '2026-11-20T06:00:03.000Z',
  resolvedAt: null,
  reopenedCount: 0,
  changedAt: '2026-11-20T06:00:03.000Z',
};

export const findingSchema = z.object(findingShape).openapi('Finding', { example: EXAMPLE_FINDING });

export const findingDetailSchema = z
  .object({
    ...findingShape,
    evidence: z.record(z.string(), z.unknown()).nullable().openapi({
      description: 'As the last run that reported it recorded it; null once retention removed it.',
    }),
  })
  .openapi('FindingDetail', {
    example: {
      ...EXAMPLE_FINDING,
      evidence: {
        binding: 'ci-deployer-cluster-admin',
        role: { kind: 'ClusterRole', name: 'cluster-admin' },
      },
    },
  });

export const runFindingSchema = z
  .object({
    fingerprint: z.string(),
    checkId: z.string(),
    title: z.string(),
    severity: severitySchema,
    status: z.enum(['fail', 'suppressed']),
    resource: objectRefSchema,
    subject: subjectRefSchema.optional(),
    message: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    controls: z.array(z.string()),
    suppression: suppressionSchema.optional(),
  })
  .openapi('RunFinding', {
    example: EXAMPLE_RUN_FINDING,
  });

// ---------- exceptions

const exceptionSubjectSchema = z.strictObject({
  kind: z.enum(['User', 'Group', 'ServiceAccount', 'IAMPrincipal']).optional(),
  name: z.string().min(1).max(512),
  namespace: z.string().min(1).max(253).optional(),
});
const exceptionResourceSchema = z.strictObject({
  kind: z.string().min(1).max(253).optional(),
  name: z.string().min(1).max(512),
  namespace: z.string().min(1).max(253).optional(),
});

export const newExceptionSchema = z
  .strictObject({
    clusterSelector: labelSelectorSchema.optional(),
    checks: z.array(z.string().min(1).max(200)).min(1).max(100),
    subject: exceptionSubjectSchema.optional(),
    resource: exceptionResourceSchema.optional(),
    reason: z.string().min(1).max(2000),
    owner: z.string().min(1).max(200).optional(),
    expiresAt: instant.optional().openapi({ description: 'From then on the finding is reported again.' }),
  })
  .openapi('NewException', {
    example: {
      clusterSelector: { matchLabels: { env: 'prod' } },
      checks: ['cluster-admin'],
      subject: { kind: 'Group', name: 'platform-break-glass' },
      reason: 'Break-glass group, access reviewed quarterly (SEC-1234)',
      owner: 'platform-team',
      expiresAt: '2027-03-31T00:00:00Z',
    },
  });

export const exceptionSchema = z
  .object({
    id: uuidSchema,
    clusterSelector: labelSelectorSchema,
    checks: z.array(z.string()),
    subject: exceptionSubjectSchema.nullable(),
    resource: exceptionResourceSchema.nullable(),
    reason: z.string(),
    owner: z.string().nullable(),
    expiresAt: instant.nullable(),
    createdAt: instant,
    updatedAt: instant,
    revokedAt: instant.nullable(),
  })
  .openapi('Exception', {
    example: EXAMPLE_EXCEPTION,
  });

// ---------- API keys

export const newApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    scopes: z.array(scopeSchema).min(1).max(3),
    clusterSelector: labelSelectorSchema.optional().openapi({
      description: 'Limit the key to clusters whose labels match; absent: every cluster.',
    }),
    expiresAt: instant.optional(),
  })
  .openapi('NewApiKey', {
    example: {
      name: 'payments portal',
      scopes: ['read'],
      clusterSelector: { matchLabels: { team: 'payments' } },
    },
  });

export const apiKeySchema = z
  .object({
    id: uuidSchema,
    keyId: z.string().openapi({ description: 'The non-secret part of the key, shown in it after `vgl_`.' }),
    name: z.string(),
    scopes: z.array(scopeSchema),
    clusterSelector: orNull(labelSelectorSchema),
    createdBy: z.string(),
    createdAt: instant,
    expiresAt: instant.nullable(),
    lastUsedAt: instant.nullable(),
    revokedAt: instant.nullable(),
  })
  .openapi('ApiKey', {
    example: EXAMPLE_API_KEY,
  });

export const createdApiKeySchema = z
  .object({
    apiKey: apiKeySchema,
    token: z.string().openapi({ description: 'The key. Shown only in this response; store it now.' }),
  })
  .openapi('CreatedApiKey', {
    example: {
      apiKey: {
        id: '9a8b7c6d-0000-4000-8000-000000000002',
        keyId: 'Q3vX81kd',
        name: 'payments portal',
        scopes: ['read'],
        clusterSelector: { matchLabels: { team: 'payments' } },
        createdBy: 'key:Adm1nK3y',
        createdAt: EXAMPLE_TIME,
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
      },
      token: 'vgl_Q3vX81kd_h2V9cK0pLm4Qx7Rt1Zb8Nw3Ys6Ud5Ef2G1a2B3',
    },
  });

// ---------- posture, compliance, diff, fleet

export const frameworkIdSchema = z.string().min(1).max(100);

export const postureSchema = z
  .object({
    clusterId: uuidSchema,
    name: z.string(),
    latestScan: orNull(scanSummarySchema, 'The newest run, whatever its status.'),
    lastRecordedScan: orNull(
      scanSummarySchema,
      'The newest complete or partial run: what `open` and `compliance` reflect.',
    ),
    open: orNull(severityCounts, 'Open findings now; null before the first recorded scan.'),
    stale: z
      .object({ lastSuccessAt: instant.nullable(), dueBy: instant })
      .nullable()
      .openapi({ description: 'Set when the last successful scan is older than the schedule allows.' }),
    compliance: z.array(
      z.object({ framework: z.string(), title: z.string(), version: z.string(), summary: controlCounts }),
    ),
  })
  .openapi('Posture', {
    example: {
      clusterId: EXAMPLE_CLUSTER_ID,
      name: 'prod-eu',
      latestScan: EXAMPLE_SCAN,
      lastRecordedScan: EXAMPLE_SCAN,
      open: { critical: 1, high: 4, medium: 7, low: 2, info: 0 },
      stale: null,
      compliance: [
        {
          framework: 'cis-eks-1.8.0',
          title: 'CIS Amazon EKS Benchmark',
          version: '1.8.0',
          summary: { pass: 9, fail: 4, not_evaluated: 1, not_applicable: 0, manual: 6 },
        },
      ],
    },
  });

export const clusterComplianceSchema = z
  .object({
    clusterId: uuidSchema,
    scan: z
      .object({ id: uuidSchema, status: runStatusSchema, recordedAt: instant.nullable() })
      .nullable()
      .openapi({ description: 'The recorded run the statuses come from; null before the first one.' }),
    frameworks: z.array(frameworkResultSchema),
  })
  .openapi('ClusterCompliance', {
    example: {
      clusterId: EXAMPLE_CLUSTER_ID,
      scan: { id: EXAMPLE_RUN_ID, status: 'complete', recordedAt: EXAMPLE_TIME },
      frameworks: [
        {
          framework: 'cis-eks-1.8.0',
          title: 'CIS Amazon EKS Benchmark',
          version: '1.8.0',
          summary: { pass: 1, fail: 1, not_evaluated: 0, not_applicable: 0, manual: 0 },
          controls: [
            {
              id: '4.1.1',
              qualifiedId: 'cis-eks-1.8.0:4.1.1',
              title: 'The cluster-admin role is used only where required',
              status: 'fail',
              checks: ['cluster-admin'],
            },
            {
              id: '4.1.3',
              qualifiedId: 'cis-eks-1.8.0:4.1.3',
              title: 'Wildcards in Roles and ClusterRoles are minimised',
              status: 'pass',
              checks: ['wildcards'],
            },
          ],
        },
      ],
    },
  });

const diffFindingSchema = z
  .object({
    fingerprint: z.string(),
    checkId: z.string(),
    severity: severitySchema,
    resource: objectRefSchema,
    subject: subjectRefSchema.optional(),
    message: z.string(),
  })
  .openapi('DiffFinding');

export const diffSchema = z
  .object({
    clusterId: uuidSchema,
    from: z.object({ id: uuidSchema, status: runStatusSchema, createdAt: instant }),
    to: z.object({ id: uuidSchema, status: runStatusSchema, createdAt: instant }),
    counts: z.object({ opened: z.number().int(), resolved: z.number().int(), unchanged: z.number().int() }),
    opened: z.array(diffFindingSchema),
    resolved: z.array(diffFindingSchema),
    unchanged: z.array(diffFindingSchema),
  })
  .openapi('RunDiff', {
    example: {
      clusterId: EXAMPLE_CLUSTER_ID,
      from: {
        id: '1a2b3c4d-0000-4000-8000-00000000aaaa',
        status: 'complete',
        createdAt: '2026-11-25T06:00:00.000Z',
      },
      to: { id: EXAMPLE_RUN_ID, status: 'complete', createdAt: '2026-11-26T06:00:00.000Z' },
      counts: { opened: 1, resolved: 0, unchanged: 0 },
      opened: [
        {
          fingerprint: EXAMPLE_FINGERPRINT,
          checkId: 'cluster-admin',
          severity: 'critical',
          resource: { kind: 'ClusterRoleBinding', name: 'ci-deployer-cluster-admin' },
          subject: { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
          message: 'ServiceAccount ci/deployer is bound to cluster-admin',
        },
      ],
      resolved: [],
      unchanged: [],
    },
  });

export const fleetSummarySchema = z
  .object({
    clusters: z.object({
      total: z.number().int(),
      reporting: z.number().int().openapi({ description: 'With at least one recorded scan.' }),
      stale: z.number().int(),
    }),
    open: severityCounts,
    worstClusters: z.array(
      z.object({
        clusterId: uuidSchema,
        name: z.string(),
        labels: z.record(z.string(), z.string()),
        openBySeverity: severityCounts,
        scanId: uuidSchema,
        recordedAt: instant,
      }),
    ),
    staleClusters: z.array(
      z.object({
        clusterId: uuidSchema,
        name: z.string(),
        scheduleIntervalSeconds: z.number().int(),
        lastSuccessAt: instant.nullable(),
        dueBy: instant,
      }),
    ),
  })
  .openapi('FleetSummary', {
    example: {
      clusters: { total: 3, reporting: 3, stale: 1 },
      open: { critical: 2, high: 9, medium: 15, low: 4, info: 1 },
      worstClusters: [
        {
          clusterId: EXAMPLE_CLUSTER_ID,
          name: 'prod-eu',
          labels: { env: 'prod' },
          openBySeverity: { critical: 1, high: 4, medium: 7, low: 2, info: 0 },
          scanId: EXAMPLE_RUN_ID,
          recordedAt: EXAMPLE_TIME,
        },
      ],
      staleClusters: [
        {
          clusterId: '2c3d4e5f-0000-4000-8000-000000000003',
          name: 'staging-onprem',
          scheduleIntervalSeconds: 86_400,
          lastSuccessAt: '2026-11-23T06:00:04.000Z',
          dueBy: '2026-11-24T07:00:04.000Z',
        },
      ],
    },
  });

export const fleetComplianceSchema = z
  .object({
    clustersReporting: z.number().int(),
    frameworks: z.array(
      z.object({
        framework: z.string(),
        title: z.string(),
        version: z.string(),
        controls: z.array(
          z.object({
            id: z.string(),
            qualifiedId: z.string(),
            title: z.string(),
            clusters: controlCounts.openapi({ description: 'Clusters with the control in each status.' }),
          }),
        ),
      }),
    ),
  })
  .openapi('FleetCompliance', {
    example: {
      clustersReporting: 3,
      frameworks: [
        {
          framework: 'cis-eks-1.8.0',
          title: 'CIS Amazon EKS Benchmark',
          version: '1.8.0',
          controls: [
            {
              id: '4.1.1',
              qualifiedId: 'cis-eks-1.8.0:4.1.1',
              title: 'The cluster-admin role is used only where required',
              clusters: { pass: 1, fail: 2, not_evaluated: 0, not_applicable: 0, manual: 0 },
            },
          ],
        },
      ],
    },
  });
