import { type AwsAuthConfigMap, awsAuthSchema, parseKubernetesObject } from '@vigil/core/snapshot';
import { excerpt } from '../redact.ts';
import { getWithRetry, type KubeContext } from './fetch.ts';
import { failedReadOutcome, type KindOutcome, statusOutcome } from './list.ts';

export const AWS_AUTH_PATH = '/api/v1/namespaces/kube-system/configmaps/aws-auth';

/** The keys EKS reads from aws-auth. Every other key (anything at all can be put there) is dropped unread. */
const AWS_AUTH_KEYS = ['mapRoles', 'mapUsers', 'mapAccounts'] as const;

export type AwsAuthRead =
  | { state: 'found'; awsAuth: AwsAuthConfigMap }
  | { state: 'absent' }
  | { state: 'failed'; outcome: KindOutcome };

/**
 * GETs the one ConfigMap kube-system/aws-auth (the scanner may read nothing else of its kind). 404 is
 * `absent`, which the caller turns into coverage: it means "no mappings" on EKS and "not applicable" elsewhere.
 */
export async function readAwsAuth(ctx: KubeContext): Promise<AwsAuthRead> {
  const result = await getWithRetry(ctx, AWS_AUTH_PATH, 'awsAuth');
  if (!result.ok) return { state: 'failed', outcome: failedReadOutcome({ source: 'awsAuth' }, result, ctx) };
  const response = result.value;
  if (response.status === 404) return { state: 'absent' };
  if (response.status !== 200) {
    return { state: 'failed', outcome: statusOutcome({ source: 'awsAuth' }, response, AWS_AUTH_PATH, ctx) };
  }
  const invalid = (reason: string): AwsAuthRead => ({
    state: 'failed',
    outcome: { source: 'awsAuth', objects: [], warnings: [], coverage: { status: 'error', reason } },
  });
  let raw: unknown;
  try {
    raw = JSON.parse(response.body.toString('utf8'));
  } catch {
    return invalid(
      `the answer for kube-system/aws-auth is not JSON (${excerpt(response.body.subarray(0, 80).toString('utf8'))})`,
    );
  }
  const parsed = parseKubernetesObject(raw, 'ConfigMap', 'v1');
  if (parsed.ok !== true || parsed.object !== null) {
    return invalid(
      `the answer for kube-system/aws-auth is not a ConfigMap${parsed.ok === false ? ` (${excerpt(parsed.error)})` : ''}`,
    );
  }
  const { namespace, name, data } = parsed.configMap;
  if (namespace !== 'kube-system' || name !== 'aws-auth') {
    return invalid('the answer for kube-system/aws-auth is another ConfigMap');
  }
  if (data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    return invalid('kube-system/aws-auth has a data field that is not a map');
  }
  const kept: Record<string, string> = {};
  for (const key of AWS_AUTH_KEYS) {
    const value = (data as Record<string, unknown> | null)?.[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return invalid(`kube-system/aws-auth ${key} is not a string`);
    kept[key] = value;
  }
  const checked = awsAuthSchema.safeParse(kept);
  if (!checked.success) return invalid('kube-system/aws-auth holds a value larger than 4 MiB');
  return { state: 'found', awsAuth: checked.data };
}
