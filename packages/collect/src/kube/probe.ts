import { z } from 'zod';
import {
  ClusterAuthError,
  ClusterUnreachableError,
  DeadlineExceededError,
  InvalidResponseError,
} from '../errors.ts';
import { excerpt } from '../redact.ts';
import { describeFailure, getWithRetry, type KubeContext, RetryableStatusError } from './fetch.ts';
import { TransportError } from './transport.ts';

const versionSchema = z.object({ gitVersion: z.string().min(1).max(200) });

/**
 * Reads /version before anything else. It proves the endpoint is a Kubernetes API server that accepts our
 * credentials (and warms an exec plugin's token cache before concurrent requests), and gives the version.
 * This is where "the cluster cannot be reached at all" is decided: every failure here throws.
 */
export async function probeApiServer(ctx: KubeContext): Promise<{ gitVersion: string | undefined }> {
  const server = ctx.transport.server.origin + ctx.transport.server.pathname.replace(/\/+$/, '');
  const result = await getWithRetry(ctx, '/version', 'version');
  if (!result.ok) {
    const error = result.error;
    const cause = describeFailure(error, ctx);
    const tries = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
    if (error === undefined)
      throw new DeadlineExceededError(`the scan deadline passed before ${server} was contacted`);
    if (result.stop === 'deadline' || (error instanceof TransportError && error.failure === 'deadline')) {
      throw new DeadlineExceededError(`${server} did not answer before the scan deadline (${cause})`);
    }
    if (error instanceof TransportError && error.failure === 'credentials') {
      throw new ClusterAuthError(`cannot authenticate to ${server}: ${error.message}`);
    }
    if (error instanceof TransportError && error.failure === 'too_large') {
      throw new InvalidResponseError(`${server} answered /version with ${error.message}`);
    }
    if (error instanceof TransportError && error.failure === 'tls') {
      throw new ClusterUnreachableError(
        `cannot reach ${server}: ${error.message}; check the cluster's certificate authority in the kubeconfig`,
        { cause: error },
      );
    }
    if (error instanceof RetryableStatusError) {
      throw new ClusterUnreachableError(`${server} answered ${cause} on every try (${tries})`);
    }
    throw new ClusterUnreachableError(`cannot reach ${server}: ${cause} (${tries})`, { cause: error });
  }
  const response = result.value;
  if (response.status === 401) {
    throw new ClusterAuthError(`${server} rejected the credentials (HTTP 401 Unauthorized)`);
  }
  // Some clusters keep /version from non-admins; the lists that follow still say what can be read.
  if (response.status === 403 || response.status === 404) return { gitVersion: undefined };
  const body = response.body.toString('utf8');
  if (response.status !== 200) {
    throw new InvalidResponseError(
      `${server} answered /version with HTTP ${response.status}: ${excerpt(body, ctx.transport.secrets, 120)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    value = undefined;
  }
  const parsed = versionSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidResponseError(
      `${server} does not answer like a Kubernetes API server (/version gave: ${excerpt(body, ctx.transport.secrets, 120) || 'an empty body'})`,
    );
  }
  return { gitVersion: parsed.data.gitVersion };
}
