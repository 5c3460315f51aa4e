import {
  type Coverage,
  type KubernetesObject,
  parseKubernetesObject,
  type Source,
} from '@vigil/core/snapshot';
import { z } from 'zod';
import { excerpt } from '../redact.ts';
import type { RetryResult } from '../retry.ts';
import {
  describeFailure,
  getWithRetry,
  type KubeContext,
  RetryableStatusError,
  statusMessage,
} from './fetch.ts';
import { type KubeResponse, TransportError } from './transport.ts';

/** A kind the checks read, and where the API serves all of its objects (every namespace at once). */
export interface KindSpec {
  source: Exclude<Source, 'awsAuth' | 'eksCluster' | 'accessEntries' | 'identityProviderConfigs' | 'kmsKey'>;
  kind: KubernetesObject['kind'];
  apiVersion: string;
  path: string;
}

const RBAC = 'rbac.authorization.k8s.io/v1';

/** Largest first, so the long lists start early when fetched concurrently. */
export const KIND_SPECS: readonly KindSpec[] = [
  { source: 'pods', kind: 'Pod', apiVersion: 'v1', path: '/api/v1/pods' },
  {
    source: 'rolebindings',
    kind: 'RoleBinding',
    apiVersion: RBAC,
    path: '/apis/rbac.authorization.k8s.io/v1/rolebindings',
  },
  { source: 'roles', kind: 'Role', apiVersion: RBAC, path: '/apis/rbac.authorization.k8s.io/v1/roles' },
  { source: 'serviceaccounts', kind: 'ServiceAccount', apiVersion: 'v1', path: '/api/v1/serviceaccounts' },
  {
    source: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    apiVersion: RBAC,
    path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  },
  {
    source: 'clusterroles',
    kind: 'ClusterRole',
    apiVersion: RBAC,
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  },
  { source: 'namespaces', kind: 'Namespace', apiVersion: 'v1', path: '/api/v1/namespaces' },
];

/** Why a kind could not be read, coarsely: decides whether a cluster with no kind read is unreachable. */
export type FailureClass = 'unreachable' | 'unauthorized' | 'other';

export interface KindOutcome {
  source: Source;
  objects: KubernetesObject[];
  coverage: Coverage;
  warnings: string[];
  failure?: FailureClass;
}

/** How often an expired continue token may restart a list before the kind is given up. */
const MAX_RESTARTS = 3;
const MAX_REPORTED_MALFORMED = 3;

const listPageSchema = z.object({
  kind: z.string().optional(),
  metadata: z
    .object({ continue: z.string().max(16_384).optional(), resourceVersion: z.string().optional() })
    .nullish(),
  items: z.array(z.unknown()).nullable(),
});

type ListPage = { items: unknown[]; continueToken: string | undefined };

function parsePage(body: Buffer, spec: KindSpec): ListPage | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return `the answer is not JSON (${excerpt(body.subarray(0, 80).toString('utf8'))})`;
  }
  const parsed = listPageSchema.safeParse(value);
  if (!parsed.success) return 'the answer is not a Kubernetes list';
  if (parsed.data.kind !== undefined && parsed.data.kind !== `${spec.kind}List`) {
    return `the answer is a ${excerpt(parsed.data.kind, [], 60)}, not a ${spec.kind}List`;
  }
  return { items: parsed.data.items ?? [], continueToken: parsed.data.metadata?.continue || undefined };
}

/** Coverage for a read that produced no usable answer after retries. */
export function failedReadOutcome(
  spec: { source: Source },
  result: Extract<RetryResult<KubeResponse>, { ok: false }>,
  ctx: KubeContext,
): KindOutcome {
  const error = result.error;
  const cause = describeFailure(error, ctx);
  const tries = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`;
  const base = { source: spec.source, objects: [], warnings: [] };
  if (result.stop === 'deadline') {
    return {
      ...base,
      coverage: { status: 'timed_out', reason: `scan deadline reached (${cause}, ${tries})` },
      failure: error instanceof TransportError ? 'unreachable' : 'other',
    };
  }
  if (error instanceof TransportError) {
    const timedOut = error.failure === 'timeout' || error.failure === 'deadline';
    return {
      ...base,
      coverage: { status: timedOut ? 'timed_out' : 'error', reason: `${cause} (${tries})` },
      failure: error.failure === 'network' || timedOut || error.failure === 'tls' ? 'unreachable' : 'other',
    };
  }
  if (error instanceof RetryableStatusError && error.response.status === 429) {
    return {
      ...base,
      coverage: { status: 'error', reason: `throttled by the API server: ${cause} (${tries})` },
    };
  }
  return { ...base, coverage: { status: 'error', reason: `${cause} (${tries})` } };
}

/** Coverage for an answer with a status code that is final (not 200, not retried). */
export function statusOutcome(
  spec: { source: Source },
  response: KubeResponse,
  path: string,
  ctx: KubeContext,
): KindOutcome {
  const message = statusMessage(response, ctx);
  const base = { source: spec.source, objects: [], warnings: [] };
  switch (response.status) {
    case 401:
      return {
        ...base,
        coverage: { status: 'error', reason: `the API server rejected the credentials (HTTP 401)` },
        failure: 'unauthorized',
      };
    case 403:
      return { ...base, coverage: { status: 'forbidden', reason: message ?? `HTTP 403 on ${path}` } };
    case 404:
      return {
        ...base,
        coverage: {
          status: 'not_found',
          reason: message ?? `the API server does not serve ${path} (HTTP 404)`,
        },
      };
    default:
      return {
        ...base,
        coverage: { status: 'error', reason: `HTTP ${response.status}${message ? `: ${message}` : ''}` },
      };
  }
}

/**
 * Lists every object of one kind, page by page. Each page is parsed into trimmed domain objects and then
 * dropped, so memory holds one raw page per kind at most. An expired continue token (410) restarts the
 * list from the beginning with the partial result thrown away, so the final list is one consistent read
 * with no duplicates and no gaps. Never throws: whatever goes wrong becomes the kind's coverage.
 */
export async function listKind(
  ctx: KubeContext,
  spec: KindSpec,
  onPage: (fetched: number) => void,
): Promise<KindOutcome> {
  let restarts = 0;
  restart: for (;;) {
    const objects: KubernetesObject[] = [];
    const malformed: string[] = [];
    let malformedCount = 0;
    let token: string | undefined;
    const seenTokens = new Set<string>();
    for (;;) {
      const path = `${spec.path}?limit=${ctx.pageSize}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const result = await getWithRetry(ctx, path, spec.source);
      if (!result.ok) return failedReadOutcome(spec, result, ctx);
      const response = result.value;
      if (response.status === 410 && token !== undefined) {
        restarts++;
        ctx.logger.warn({
          msg: 'continue token expired; restarting the list',
          scanId: ctx.scanId,
          source: spec.source,
          restarts,
        });
        if (restarts > MAX_RESTARTS) {
          return {
            source: spec.source,
            objects: [],
            warnings: [],
            coverage: {
              status: 'error',
              reason: `the list's continue token expired ${restarts} times (HTTP 410); the list changes faster than it can be read`,
            },
          };
        }
        continue restart;
      }
      if (response.status !== 200) return statusOutcome(spec, response, spec.path, ctx);
      const page = parsePage(response.body, spec);
      if (typeof page === 'string') {
        return {
          source: spec.source,
          objects: [],
          warnings: [],
          coverage: { status: 'error', reason: page },
        };
      }
      for (const item of page.items) {
        const parsed = parseKubernetesObject(item, spec.kind, spec.apiVersion);
        if (parsed.ok === true && parsed.object?.kind === spec.kind) {
          objects.push(parsed.object);
          continue;
        }
        malformedCount++;
        if (malformed.length < MAX_REPORTED_MALFORMED) {
          const other =
            parsed.ok === 'ignored' ? parsed.kind : (parsed.ok && parsed.object?.kind) || 'ConfigMap';
          const why = parsed.ok === false ? parsed.error : `an object of another kind (${other}) in the list`;
          malformed.push(excerpt(why, ctx.transport.secrets, 200));
        }
      }
      onPage(objects.length);
      if (objects.length + malformedCount > ctx.maxObjectsPerKind) {
        return {
          source: spec.source,
          objects: [],
          warnings: [],
          coverage: {
            status: 'error',
            reason: `more than ${ctx.maxObjectsPerKind} ${spec.kind} objects; the list was not read to the end`,
          },
        };
      }
      if (!page.continueToken) return finished(spec, objects, malformedCount, malformed);
      if (seenTokens.has(page.continueToken)) {
        return {
          source: spec.source,
          objects: [],
          warnings: [],
          coverage: {
            status: 'error',
            reason: 'the API server repeated a continue token (the list would never end)',
          },
        };
      }
      seenTokens.add(page.continueToken);
      token = page.continueToken;
    }
  }
}

/**
 * A malformed object is skipped, not fatal, but the kind is then not complete: the skipped object may be
 * the very binding a check would flag, so checks that read the kind report not_evaluated rather than pass.
 */
function finished(
  spec: KindSpec,
  objects: KubernetesObject[],
  malformedCount: number,
  malformed: string[],
): KindOutcome {
  if (malformedCount === 0) {
    return {
      source: spec.source,
      objects,
      warnings: [],
      coverage: { status: 'complete', count: objects.length },
    };
  }
  const summary = `${malformedCount} malformed ${spec.kind} object${malformedCount === 1 ? ' was' : 's were'} skipped`;
  return {
    source: spec.source,
    objects,
    warnings: [`${spec.source}: ${summary}: ${malformed.join('; ')}`],
    coverage: { status: 'error', reason: `${summary} (${malformed[0]})`, count: objects.length },
  };
}
