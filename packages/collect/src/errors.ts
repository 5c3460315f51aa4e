/**
 * Errors that stop the collection of one cluster. A problem with one kind never throws: it becomes that
 * kind's coverage. Messages name the cluster, role or file involved and never carry a credential or token.
 *
 * Shaped like core's VigilError (a stable `code`, `cause`) but not derived from it: core's root entry point
 * loads every check, which the collector (and a scan Lambda's cold start) has no use for.
 */
export class CollectError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The source description cannot be used: a malformed ARN, a missing kubeconfig, an unknown context. */
export class InvalidSourceError extends CollectError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_SOURCE', message, options);
  }
}

/** The API server did not answer at all (DNS, refused connection, TLS trust, timeouts on every try). */
export class ClusterUnreachableError extends CollectError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLUSTER_UNREACHABLE', message, options);
  }
}

/** The API server rejected the credentials (401), or they could not be obtained (exec plugin failed). */
export class ClusterAuthError extends CollectError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLUSTER_AUTH_FAILED', message, options);
  }
}

/** The endpoint answered, but not like a Kubernetes API server. */
export class InvalidResponseError extends CollectError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_RESPONSE', message, options);
  }
}

/** The scan's deadline passed before the cluster could be read at all. */
export class DeadlineExceededError extends CollectError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEADLINE_EXCEEDED', message, options);
  }
}

/** sts:AssumeRole failed: the trust policy does not trust the scanner, or the external id does not match. */
export class AssumeRoleError extends CollectError {
  readonly roleArn: string;
  constructor(roleArn: string, message: string, options?: { cause?: unknown }) {
    super('ASSUME_ROLE_FAILED', message, options);
    this.roleArn = roleArn;
  }
}

/** An EKS call every collection needs (DescribeCluster) was denied, throttled to the end, or failed. */
export class EksApiError extends CollectError {
  constructor(
    code: 'EKS_ACCESS_DENIED' | 'EKS_CLUSTER_NOT_FOUND' | 'EKS_API_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
