import { z } from '@hono/zod-openapi';
import { CHECKS, type CheckMeta, controlMap, FRAMEWORKS, SEVERITIES, SOURCES } from '@vigil/core';
import { notFound } from '../http/problem.ts';
import { createRouter, defineRoute } from './route-kit.ts';

const EXAMPLE_CHECK = {
  id: 'cluster-admin',
  title: 'Subjects with cluster-admin power',
  severity: 'critical',
  category: 'rbac',
  rationale: 'A subject bound cluster-wide to cluster-admin controls the whole cluster.',
  remediation: { text: 'Replace the binding with a role that grants only what the subject needs.' },
  reads: ['clusterroles', 'clusterrolebindings', 'awsAuth', 'accessEntries'],
  controls: ['cis-eks-1.8.0:4.1.1', 'cis-k8s-1.12.0:5.1.1'],
};

const EXAMPLE_FRAMEWORK = {
  id: 'cis-eks-1.8.0',
  title: 'CIS Amazon EKS Benchmark',
  version: '1.8.0',
  controls: [
    {
      id: '4.1.1',
      qualifiedId: 'cis-eks-1.8.0:4.1.1',
      title: 'The cluster-admin role is used only where required',
      checks: ['cluster-admin'],
    },
  ],
};

const checkSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    category: z.enum(['rbac', 'identity', 'control-plane']),
    rationale: z.string(),
    remediation: z.object({
      text: z.string(),
      command: z.string().optional(),
      manifest: z.string().optional(),
    }),
    reads: z.array(z.enum(SOURCES)).openapi({ description: 'Inputs it needs; any missing: not_evaluated.' }),
    controls: z.array(z.string()),
    references: z.array(z.string()).optional(),
  })
  .openapi('Check', { example: EXAMPLE_CHECK });

const frameworkSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    version: z.string(),
    controls: z.array(
      z.object({
        id: z.string(),
        qualifiedId: z.string(),
        title: z.string(),
        checks: z.array(z.string()).openapi({ description: 'Checks that decide it; empty: manual.' }),
      }),
    ),
  })
  .openapi('Framework', { example: EXAMPLE_FRAMEWORK });

const list = defineRoute({
  method: 'get',
  path: '/v1/checks',
  operationId: 'listChecks',
  summary: 'List the check catalog',
  description: 'Every check with its severity, rationale, remediation, inputs and compliance controls.',
  tags: ['Checks'],
  scope: 'read',
  request: {
    query: z.strictObject({
      category: z.enum(['rbac', 'identity', 'control-plane']).optional(),
      severity: z.enum(SEVERITIES).optional(),
    }),
  },
  responses: {
    200: {
      description: 'The catalog (small: no paging).',
      content: {
        'application/json': {
          schema: z
            .object({ items: z.array(checkSchema) })
            .openapi('CheckList', { example: { items: [EXAMPLE_CHECK] } }),
        },
      },
    },
  },
});

const get = defineRoute({
  method: 'get',
  path: '/v1/checks/{checkId}',
  operationId: 'getCheck',
  summary: 'Get a check',
  tags: ['Checks'],
  scope: 'read',
  errors: [404],
  request: {
    params: z.strictObject({
      checkId: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,99}$/)
        .openapi({ param: { name: 'checkId', in: 'path' }, example: 'cluster-admin' }),
    }),
  },
  responses: { 200: { description: 'The check.', content: { 'application/json': { schema: checkSchema } } } },
});

const frameworks = defineRoute({
  method: 'get',
  path: '/v1/frameworks',
  operationId: 'listFrameworks',
  summary: 'List compliance frameworks',
  description: 'Each framework version with its controls and the checks that decide them.',
  tags: ['Checks'],
  scope: 'read',
  responses: {
    200: {
      description: 'The frameworks.',
      content: {
        'application/json': {
          schema: z
            .object({ items: z.array(frameworkSchema) })
            .openapi('FrameworkList', { example: { items: [EXAMPLE_FRAMEWORK] } }),
        },
      },
    },
  },
});

function toCheckDto(meta: CheckMeta) {
  return {
    id: meta.id,
    title: meta.title,
    severity: meta.severity,
    category: meta.category,
    rationale: meta.rationale,
    remediation: meta.remediation,
    reads: meta.reads,
    controls: meta.controls,
    ...(meta.references ? { references: meta.references } : {}),
  };
}

export function checkRoutes() {
  return createRouter()
    .openapi(list, (c) => {
      const q = c.req.valid('query');
      const items = CHECKS.map((check) => check.meta)
        .filter(
          (m) => (!q.category || m.category === q.category) && (!q.severity || m.severity === q.severity),
        )
        .map(toCheckDto);
      return c.json({ items }, 200);
    })
    .openapi(get, (c) => {
      const { checkId } = c.req.valid('param');
      const check = CHECKS.find((candidate) => candidate.meta.id === checkId);
      if (!check) throw notFound('check', checkId);
      return c.json(toCheckDto(check.meta), 200);
    })
    .openapi(frameworks, (c) => {
      const byControl = controlMap(CHECKS);
      const items = FRAMEWORKS.map((f) => ({
        id: f.id,
        title: f.title,
        version: f.version,
        controls: f.controls.map((control) => {
          const qualifiedId = `${f.id}:${control.id}`;
          return {
            id: control.id,
            qualifiedId,
            title: control.title,
            checks: byControl.get(qualifiedId) ?? [],
          };
        }),
      }));
      return c.json({ items }, 200);
    });
}
