import type { Check } from '../../audit/types.ts';
import {
  type BindingHolding,
  describeHeldSet,
  describeHolder,
  describeRoute,
  groupBySubjectAndBinding,
  holdingFinding,
  joinWords,
  type Permission,
  whoHolds,
} from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

const CREATE_TOKEN: Permission = {
  label: 'create serviceaccounts/token',
  query: { verb: 'create', apiGroup: '', resource: 'serviceaccounts', subresource: 'token' },
};

/** Which ServiceAccounts the holding can mint tokens for, in words. */
function tokenScope(holding: BindingHolding): string {
  const namespace = holding.grant.namespace;
  if (holding.held.some((item) => item.grant.match === 'all')) {
    return namespace === null
      ? 'any ServiceAccount in any namespace'
      : `any ServiceAccount in namespace ${namespace}`;
  }
  const names = joinWords(holding.held.flatMap((item) => item.grant.rule.resourceNames));
  return namespace === null
    ? `ServiceAccounts named ${names} in any namespace`
    : `ServiceAccount ${names} in namespace ${namespace}`;
}

export const check: Check = {
  meta,
  run({ rbac }) {
    return groupBySubjectAndBinding(whoHolds(rbac, [CREATE_TOKEN])).map((holding) =>
      holdingFinding(
        holding,
        `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ` +
          `${describeRoute(holding.grant)}: it can issue bearer tokens for ${tokenScope(holding)} and act with their permissions.`,
      ),
    );
  },
};
