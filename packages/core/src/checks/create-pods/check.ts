import type { Check, FindingDraft } from '../../audit/types.ts';
import {
  describeHeldSet,
  describeHolder,
  describeRoute,
  groupBySubjectAndBinding,
  holdingFinding,
  type Permission,
  whoHolds,
} from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

// whoHolds drops grants limited by resourceNames: a create request carries no name, so they never apply.
const CREATE_PODS: Permission[] = [
  { label: 'create pods', query: { verb: 'create', apiGroup: '', resource: 'pods' } },
];

/** Controllers that create pods from a template the subject writes. */
const CREATE_WORKLOADS: Permission[] = (
  [
    ['apps', 'deployments'],
    ['apps', 'daemonsets'],
    ['apps', 'statefulsets'],
    ['apps', 'replicasets'],
    ['batch', 'jobs'],
    ['batch', 'cronjobs'],
    ['', 'replicationcontrollers'],
  ] as const
).map(([apiGroup, resource]) => ({
  label: `create ${resource}`,
  query: { verb: 'create', apiGroup, resource },
}));

export const check: Check = {
  meta,
  run({ rbac }) {
    const findings: FindingDraft[] = [];
    for (const holding of groupBySubjectAndBinding(whoHolds(rbac, CREATE_PODS))) {
      findings.push(
        holdingFinding(
          holding,
          `${describeHolder(holding.grant)} can create pods through ${describeRoute(holding.grant)}: a pod ` +
            'runs as any service account of its namespace and can mount every Secret there.',
        ),
      );
    }
    for (const holding of groupBySubjectAndBinding(whoHolds(rbac, CREATE_WORKLOADS))) {
      findings.push({
        ...holdingFinding(
          holding,
          `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ` +
            `${describeRoute(holding.grant)}: their controllers create pods from the template it writes.`,
        ),
        discriminator: 'workload',
      });
    }
    return findings;
  },
};
