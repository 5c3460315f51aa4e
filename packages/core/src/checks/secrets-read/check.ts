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

// list and watch return Secret values too, so each verb alone is a read.
const READ_SECRETS: Permission[] = (['get', 'list', 'watch'] as const).map((verb) => ({
  label: `${verb} secrets`,
  query: { verb, apiGroup: '', resource: 'secrets' },
}));

export const check: Check = {
  meta,
  run({ rbac }) {
    return groupBySubjectAndBinding(whoHolds(rbac, READ_SECRETS)).map((holding) => {
      const namesOnly = holding.held.every((item) => item.grant.match === 'names');
      const namespace = holding.grant.namespace;
      const reach = namesOnly
        ? 'the values of the Secrets listed'
        : `the value of every Secret ${namespace === null ? 'in every namespace' : `in namespace ${namespace}`}`;
      return holdingFinding(
        holding,
        `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ` +
          `${describeRoute(holding.grant)}: it reads ${reach}.`,
        namesOnly ? { severity: 'medium' } : {},
      );
    });
  },
};
