import type { Check, FindingDraft, Severity } from '../../audit/types.ts';
import { MissingInputError } from '../../errors.ts';
import { clusterRef, eksClusterOf } from '../shared/eks.ts';
import { meta } from './meta.ts';

const REQUIRED: { type: string; severity: Severity; loses: string }[] = [
  { type: 'audit', severity: 'high', loses: 'no record of who did what through the Kubernetes API' },
  {
    type: 'authenticator',
    severity: 'medium',
    loses: 'no record of which IAM principal each Kubernetes user was',
  },
  { type: 'api', severity: 'low', loses: 'no API server diagnostics' },
];

export const check: Check = {
  meta,
  run({ snapshot }) {
    const cluster = eksClusterOf(snapshot);
    if (!cluster.logging) {
      // describe-cluster always prints logging; its absence means the description is incomplete, not that logs are on.
      throw new MissingInputError('the cluster description has no logging section');
    }
    const enabled = new Set(cluster.logging.clusterLogging.filter((l) => l.enabled).flatMap((l) => l.types));
    const findings: FindingDraft[] = [];
    for (const { type, severity, loses } of REQUIRED) {
      if (enabled.has(type)) continue;
      findings.push({
        resource: clusterRef(cluster),
        message: `EKS cluster ${cluster.name} does not send the ${type} control-plane log: ${loses}.`,
        evidence: {
          field: 'cluster.logging.clusterLogging',
          logType: type,
          enabledTypes: [...enabled].sort(),
        },
        severity,
        discriminator: type,
      });
    }
    return findings;
  },
};
