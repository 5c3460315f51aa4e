import type { Check } from '../../audit/types.ts';
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

const RBAC = 'rbac.authorization.k8s.io';

/**
 * The index scopes each question as the authorizer does: bind in the namespace of the binding being written
 * (ClusterRoles included), escalate where the role lives, impersonation of service accounts in their
 * namespace and of users, groups, uids and extras cluster-wide. Extras are impersonated per key
 * (userextras/KEY); asking without a key finds the broad grants (`*`, `userextras`), and key-specific ones
 * only matter together with user impersonation, which is reported on its own.
 */
const ESCALATING: Permission[] = [
  ...(['bind', 'escalate'] as const).flatMap((verb) =>
    (['roles', 'clusterroles'] as const).map((resource) => ({
      label: `${verb} ${resource}`,
      query: { verb, apiGroup: RBAC, resource },
    })),
  ),
  ...(
    [
      ['', 'users'],
      ['', 'groups'],
      ['', 'serviceaccounts'],
      ['authentication.k8s.io', 'uids'],
      ['authentication.k8s.io', 'userextras'],
    ] as const
  ).map(([apiGroup, resource]) => ({
    label: `impersonate ${resource}`,
    query: { verb: 'impersonate', apiGroup, resource },
  })),
];

export const check: Check = {
  meta,
  run({ rbac }) {
    return groupBySubjectAndBinding(whoHolds(rbac, ESCALATING)).map((holding) => {
      const namesOnly = holding.held.every((item) => item.grant.match === 'names');
      const verbs = [...new Set(holding.held.map((item) => item.permission.query.verb))];
      return holdingFinding(
        holding,
        `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ` +
          `${describeRoute(holding.grant)}: a way to gain permissions it was not given.`,
        { evidence: { verbs }, ...(namesOnly ? { severity: 'medium' as const } : {}) },
      );
    });
  },
};
