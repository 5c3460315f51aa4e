import type {
  ClusterRole,
  ClusterRoleBinding,
  Coverage,
  KubernetesObjects,
  Namespace,
  Pod,
  Role,
  RoleBinding,
  ServiceAccount,
  Source,
} from '@vigil/core/snapshot';
import { ClusterAuthError, ClusterUnreachableError } from '../errors.ts';
import { mapWithConcurrency } from '../pool.ts';
import type { CollectProgress } from '../types.ts';
import { type AwsAuthRead, readAwsAuth } from './aws-auth.ts';
import type { KubeContext } from './fetch.ts';
import { KIND_SPECS, type KindOutcome, listKind } from './list.ts';
import { probeApiServer } from './probe.ts';

export interface KubernetesCollection {
  objects: Omit<KubernetesObjects, 'awsAuth'>;
  /** Coverage of the listed kinds; aws-auth's depends on the platform and is left to the caller. */
  coverage: Partial<Record<Source, Coverage>>;
  awsAuth: AwsAuthRead;
  warnings: string[];
  gitVersion: string | undefined;
}

/**
 * Reads everything the checks need from one API server: the probe first (which throws when the cluster
 * cannot be used at all), then every kind and aws-auth, `concurrency` at a time. A kind that fails is
 * recorded in coverage; only when nothing at all could be read (every kind failing to connect or
 * authenticate) does the collection throw, because that is an unreachable cluster, not a partial one.
 */
export async function collectKubernetes(
  ctx: KubeContext,
  options: { concurrency: number; onProgress: ((progress: CollectProgress) => void) | undefined },
): Promise<KubernetesCollection> {
  const { gitVersion } = await probeApiServer(ctx);
  const progress = (source: Source, fetched: number, done: boolean) =>
    options.onProgress?.({ source, fetched, done });
  type Task = { type: 'kind'; spec: (typeof KIND_SPECS)[number] } | { type: 'awsAuth' };
  const tasks: Task[] = [...KIND_SPECS.map((spec) => ({ type: 'kind' as const, spec })), { type: 'awsAuth' }];
  let awsAuth = { state: 'absent' } as AwsAuthRead;
  const outcomes = await mapWithConcurrency(
    tasks,
    options.concurrency,
    async (task): Promise<KindOutcome | null> => {
      if (task.type === 'awsAuth') {
        awsAuth = await readAwsAuth(ctx);
        progress('awsAuth', awsAuth.state === 'found' ? 1 : 0, true);
        return awsAuth.state === 'failed' ? awsAuth.outcome : null;
      }
      const outcome = await listKind(ctx, task.spec, (fetched) => progress(task.spec.source, fetched, false));
      progress(task.spec.source, outcome.objects.length, true);
      ctx.logger.info({
        msg: 'listed',
        scanId: ctx.scanId,
        source: outcome.source,
        status: outcome.coverage.status,
        count: outcome.objects.length,
        ...(outcome.coverage.reason ? { reason: outcome.coverage.reason } : {}),
      });
      return outcome;
    },
  );

  const listed = outcomes.filter((o): o is KindOutcome => o !== null);
  // Anything answered (a list, a 403, a 404, aws-auth present or absent) means the cluster is there.
  const answered =
    awsAuth.state !== 'failed' || listed.some((o) => o.failure === undefined || o.failure === 'other');
  if (!answered) {
    const first = listed[0]!;
    const server = ctx.transport.server.origin;
    if (listed.every((o) => o.failure === 'unauthorized')) {
      throw new ClusterAuthError(`${server} stopped accepting the credentials: ${first.coverage.reason}`);
    }
    throw new ClusterUnreachableError(
      `${server} answered /version but no list could be read: ${first.coverage.reason}`,
    );
  }

  const bySource = new Map(listed.map((o) => [o.source, o]));
  const coverage: Partial<Record<Source, Coverage>> = {};
  const warnings: string[] = [];
  for (const outcome of outcomes) {
    if (!outcome || outcome.source === 'awsAuth') continue;
    coverage[outcome.source] = outcome.coverage;
    warnings.push(...outcome.warnings);
  }
  const pick = <T>(source: Source) => (bySource.get(source)?.objects ?? []) as T[];
  return {
    objects: {
      clusterRoles: pick<ClusterRole>('clusterroles'),
      roles: pick<Role>('roles'),
      clusterRoleBindings: pick<ClusterRoleBinding>('clusterrolebindings'),
      roleBindings: pick<RoleBinding>('rolebindings'),
      serviceAccounts: pick<ServiceAccount>('serviceaccounts'),
      namespaces: pick<Namespace>('namespaces'),
      pods: pick<Pod>('pods'),
    },
    coverage,
    awsAuth,
    warnings,
    gitVersion,
  };
}
