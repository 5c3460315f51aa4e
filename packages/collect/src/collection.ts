/** What both collection paths share: resolved options, the transport, and assembling the snapshot. */
import {
  type Coverage,
  type KubernetesObjects,
  type Snapshot,
  type SnapshotInput,
  SOURCES,
  type Source,
  snapshotSchema,
} from '@vigil/core/snapshot';
import { InvalidSourceError } from './errors.ts';
import type { AwsAuthRead } from './kube/aws-auth.ts';
import type { KubernetesCollection } from './kube/collect-kubernetes.ts';
import type { KubeContext } from './kube/fetch.ts';
import { KubeTransport } from './kube/transport.ts';
import { defaultSleep, type RetryTiming } from './retry.ts';
import type { CollectLogger, CollectOptions } from './types.ts';

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PAGE_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_OBJECTS_PER_KIND = 1_000_000;
export const EKS_SOURCES = ['eksCluster', 'accessEntries', 'identityProviderConfigs', 'kmsKey'] as const;

const silentLogger: CollectLogger = { info() {}, warn() {}, error() {} };

export interface Resolved {
  options: CollectOptions;
  timing: RetryTiming;
  logger: CollectLogger;
  pageSize: number;
  concurrency: number;
  requestTimeoutMs: number;
  maxPageBytes: number;
  maxObjectsPerKind: number;
}

export function resolveOptions(options: CollectOptions): Resolved {
  if (!Number.isFinite(options.deadline))
    throw new InvalidSourceError('collect needs a deadline (epoch milliseconds)');
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
    throw new InvalidSourceError(`page size must be an integer from 1 to 10000, not ${pageSize}`);
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new InvalidSourceError(`concurrency must be an integer from 1 to 64, not ${concurrency}`);
  }
  return {
    options,
    timing: {
      deadline: options.deadline,
      now: options.clock ?? Date.now,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
    },
    logger: options.logger ?? silentLogger,
    pageSize,
    concurrency,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxPageBytes: options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
    maxObjectsPerKind: options.maxObjectsPerKind ?? DEFAULT_MAX_OBJECTS_PER_KIND,
  };
}

export function kubeContext(resolved: Resolved, transport: KubeTransport): KubeContext {
  return {
    transport,
    timing: resolved.timing,
    retryPolicy: resolved.options.retry ?? {},
    pageSize: resolved.pageSize,
    maxObjectsPerKind: resolved.maxObjectsPerKind,
    logger: resolved.logger,
    scanId: resolved.options.scanId,
  };
}

export function newTransport(
  resolved: Resolved,
  kubeConfig: ConstructorParameters<typeof KubeTransport>[0],
  server: string,
) {
  return new KubeTransport(kubeConfig, server, {
    deadline: resolved.options.deadline,
    clock: resolved.timing.now,
    requestTimeoutMs: resolved.requestTimeoutMs,
    maxBytes: resolved.maxPageBytes,
    maxSockets: resolved.concurrency + 1,
  });
}

/**
 * Coverage of aws-auth once the platform is known. Only EKS (in a mode other than API) reads aws-auth, so
 * elsewhere it is not applicable whatever the read gave, unless it is there to see. On EKS an absent
 * ConfigMap is a complete read of "no mappings". `eks: 'unknown'` (no /version to tell by) keeps a failed
 * read as it is rather than guess.
 */
export function awsAuthCoverage(
  read: AwsAuthRead,
  platform: { eks: boolean | 'unknown'; authenticationMode?: string | undefined },
): Coverage {
  if (read.state === 'found') return { status: 'complete', count: 1 };
  const unreadable =
    read.state === 'failed'
      ? `; kube-system/aws-auth was not readable (${read.outcome.coverage.status})`
      : '';
  if (platform.eks === false) return { status: 'not_applicable', reason: `not an EKS cluster${unreadable}` };
  if (platform.eks === true && platform.authenticationMode === 'API') {
    return {
      status: 'not_applicable',
      reason: `authentication mode is API: EKS ignores aws-auth${unreadable}`,
    };
  }
  if (read.state === 'failed') return read.outcome.coverage;
  if (platform.eks === 'unknown') return { status: 'not_applicable', reason: 'not an EKS cluster' };
  return { status: 'complete', count: 0, reason: 'not present' };
}

/**
 * Validates the assembled snapshot against core's schema. The Kubernetes objects were each produced by
 * core's parseKubernetesObject with the very schemas the snapshot uses, so they are attached after the
 * check rather than parsed a second time: at 50k objects that second pass doubled the allocation.
 */
export function finish(
  candidate: Omit<SnapshotInput, 'kubernetes'>,
  kubernetes: KubernetesObjects,
  resolved: Resolved,
  started: number,
): Snapshot {
  // Coverage in the model's source order, so snapshot files and reports diff cleanly between runs.
  const coverage: Partial<Record<Source, Coverage>> = {};
  for (const source of SOURCES) {
    const entry = candidate.coverage?.[source];
    if (entry) coverage[source] = entry;
  }
  const { awsAuth, ...lists } = kubernetes;
  const envelope = snapshotSchema.parse({ ...candidate, coverage, kubernetes: { awsAuth } });
  const snapshot: Snapshot = { ...envelope, kubernetes: { ...lists, awsAuth: envelope.kubernetes.awsAuth } };
  const partial = Object.entries(snapshot.coverage).filter(
    ([, c]) => c.status !== 'complete' && c.status !== 'not_applicable',
  );
  resolved.logger.info({
    msg: 'collected',
    scanId: resolved.options.scanId,
    cluster: snapshot.cluster.name,
    status: partial.length ? 'partial' : 'complete',
    incomplete: partial.map(([source, c]) => `${source}:${c.status}`),
    durationMs: resolved.timing.now() - started,
  });
  return snapshot;
}

export function kubernetesPart(k8s: KubernetesCollection, awsAuth: Coverage) {
  return {
    kubernetes: { ...k8s.objects, awsAuth: k8s.awsAuth.state === 'found' ? k8s.awsAuth.awsAuth : null },
    coverage: { ...k8s.coverage, awsAuth } as Partial<Record<Source, Coverage>>,
  };
}
