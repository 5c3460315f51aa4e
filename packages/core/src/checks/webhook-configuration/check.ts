import type { Check } from '../../audit/types.ts';
import {
  describeHeldSet,
  describeHolder,
  describeRoute,
  groupBySubjectAndBinding,
  holdingFinding,
  type Permission,
  type ResourceQuery,
  whoHolds,
} from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

const RESOURCES = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'];
// deletecollection removes every configuration at once: a delete in all but name.
const VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

const PERMISSIONS: Permission<ResourceQuery>[] = RESOURCES.flatMap((resource) =>
  VERBS.map((verb) => ({
    label: `${verb} ${resource}`,
    query: { verb, apiGroup: 'admissionregistration.k8s.io', resource },
  })),
);

export const check: Check = {
  meta,
  run({ rbac }) {
    // Webhook configurations are cluster-scoped: only cluster-wide grants reach them, which whoCan ensures.
    return groupBySubjectAndBinding(whoHolds(rbac, PERMISSIONS)).map((holding) => {
      const can = (resource: string, verbs: string[]) =>
        holding.held.some(
          (h) => h.permission.query.resource === resource && verbs.includes(h.permission.query.verb),
        );
      const consequences: string[] = [];
      if (can('mutatingwebhookconfigurations', ['create', 'update', 'patch']))
        consequences.push(
          'point a mutating webhook at an endpoint of its choice, which sees and rewrites the objects it selects',
        );
      if (can('validatingwebhookconfigurations', ['create', 'update', 'patch']))
        consequences.push(
          'point a validating webhook at an endpoint of its choice, which sees the objects it selects and can weaken the policy it enforces',
        );
      if (consequences.length === 0)
        consequences.push(
          'delete webhook configurations and so switch off the admission policy they enforce',
        );
      const consequence = `it can ${consequences.join(', and ')}`;
      return holdingFinding(
        holding,
        `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ${describeRoute(holding.grant)}: ${consequence}.`,
      );
    });
  },
};
