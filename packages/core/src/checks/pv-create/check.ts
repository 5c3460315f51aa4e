import type { Check } from '../../audit/types.ts';
import {
  describeHolder,
  describeRoute,
  groupBySubjectAndBinding,
  holdingFinding,
  type Permission,
  whoHolds,
} from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

// Cluster-scoped, so the index answers with cluster-wide grants only; create never carries a name.
const CREATE_PV: Permission[] = [
  {
    label: 'create persistentvolumes',
    query: { verb: 'create', apiGroup: '', resource: 'persistentvolumes' },
  },
];

export const check: Check = {
  meta,
  run({ rbac }) {
    return groupBySubjectAndBinding(whoHolds(rbac, CREATE_PV)).map((holding) =>
      holdingFinding(
        holding,
        `${describeHolder(holding.grant)} can create persistentvolumes through ${describeRoute(holding.grant)}: ` +
          "a hostPath volume exposes a node's filesystem to the pods that claim it.",
      ),
    );
  },
};
