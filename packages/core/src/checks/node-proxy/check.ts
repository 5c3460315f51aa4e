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

// Requests through the proxy carry the verb of their HTTP method; any of them reaches the kubelet.
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;
const NODE_PROXY: Permission[] = VERBS.map((verb) => ({
  label: `${verb} nodes/proxy`,
  query: { verb, apiGroup: '', resource: 'nodes', subresource: 'proxy' },
}));

export const check: Check = {
  meta,
  run({ rbac }) {
    return groupBySubjectAndBinding(whoHolds(rbac, NODE_PROXY)).map((holding) => {
      const namesOnly = holding.held.every((item) => item.grant.match === 'names');
      return holdingFinding(
        holding,
        `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ` +
          `${describeRoute(holding.grant)}: through the kubelet API it can run commands in any container on ` +
          `${namesOnly ? 'those nodes' : 'every node'}.`,
        namesOnly ? { severity: 'medium' } : {},
      );
    });
  },
};
