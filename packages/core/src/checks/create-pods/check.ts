import type { Check, FindingDraft } from '../../audit/types.ts';
import { subjectKey } from '../../rbac/index-builder.ts';
import {
  type BindingHolding,
  bindingKey,
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
    const workloads = new Map<string, BindingHolding>();
    for (const holding of groupBySubjectAndBinding(whoHolds(rbac, CREATE_WORKLOADS))) {
      workloads.set(holdingKey(holding), holding);
    }
    // One finding per subject and binding: a binding that allows both pods and workloads is one problem (the
    // pods a controller creates are the pods the subject could have created itself), reported once with both.
    for (const pods of groupBySubjectAndBinding(whoHolds(rbac, CREATE_PODS))) {
      const key = holdingKey(pods);
      const also = workloads.get(key);
      workloads.delete(key);
      const holding = also ? { ...pods, held: [...pods.held, ...also.held] } : pods;
      findings.push(
        holdingFinding(
          holding,
          also
            ? `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ` +
                `${describeRoute(holding.grant)}: a pod it creates, directly or through those controllers, runs ` +
                'as any service account of its namespace and can mount every Secret there.'
            : `${describeHolder(holding.grant)} can create pods through ${describeRoute(holding.grant)}: a pod ` +
                'runs as any service account of its namespace and can mount every Secret there.',
        ),
      );
    }
    // Workloads without pods: the finding people miss, since the subject never creates a pod itself.
    for (const holding of workloads.values()) {
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

function holdingKey(holding: BindingHolding): string {
  return `${subjectKey(holding.subject)}|${bindingKey(holding.grant.binding)}`;
}
