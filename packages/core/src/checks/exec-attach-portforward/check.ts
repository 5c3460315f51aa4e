import type { Check, FindingDraft } from '../../audit/types.ts';
import type { Snapshot } from '../../snapshot/model.ts';
import {
  describeHeldSet,
  describeHolder,
  describeRoute,
  groupBySubjectAndBinding,
  type HeldPermission,
  holdingFinding,
  joinWords,
  type Permission,
  type ResourceQuery,
  whoHolds,
} from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

const SUBRESOURCES = ['exec', 'attach', 'portforward'];

const PERMISSIONS: Permission<ResourceQuery>[] = SUBRESOURCES.flatMap((subresource) =>
  ['create', 'get'].map((verb) => ({
    label: `${verb} pods/${subresource}`,
    query: { verb, apiGroup: '', resource: 'pods', subresource },
  })),
);

/** Kubernetes 1.35 made WebSocket upgrades of exec, attach and portforward also require create. */
const WEBSOCKET_NEEDS_CREATE_SINCE = [1, 35] as const;

/** `1.33`, `v1.35.2`, `1.29.6-eks-a5565ad` -> [major, minor]; undefined when it does not parse. */
function parseMinorVersion(version: string | undefined): [number, number] | undefined {
  const match = version ? /^v?(\d+)\.(\d+)/.exec(version.trim()) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function websocketNeedsCreate(snapshot: Snapshot): boolean {
  const version = parseMinorVersion(snapshot.cluster.kubernetesVersion ?? snapshot.eks?.cluster.version);
  if (!version) return false;
  const [major, minor] = version;
  const [needMajor, needMinor] = WEBSOCKET_NEEDS_CREATE_SINCE;
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

const ACTIONS: Record<string, string> = {
  exec: 'run commands in',
  attach: 'attach to the running processes of',
  portforward: 'open tunnels to the ports of',
};

/** `run commands in and open tunnels to the ports of pods in namespace app, ...`. */
function describeAbility(held: readonly HeldPermission<ResourceQuery>[], namespace: string | null): string {
  const subresources = SUBRESOURCES.filter((s) => held.some((h) => h.permission.query.subresource === s));
  const named = held.every((h) => h.grant.match === 'names');
  const pods = named
    ? `the pods named (${[...new Set(held.flatMap((h) => h.grant.rule.resourceNames))].join(', ')})`
    : 'pods';
  const where = namespace === null ? 'in any namespace' : `in namespace ${namespace}`;
  const reads = subresources.includes('exec')
    ? ', reading their files, secrets and ServiceAccount tokens'
    : '';
  return `${joinWords(subresources.map((s) => ACTIONS[s] ?? s))} ${pods} ${where}${reads}`;
}

export const check: Check = {
  meta,
  run({ rbac, snapshot }) {
    const getIsEnough = !websocketNeedsCreate(snapshot);
    const findings: FindingDraft[] = [];
    for (const holding of groupBySubjectAndBinding(whoHolds(rbac, PERMISSIONS))) {
      const create = holding.held.filter((h) => h.permission.query.verb === 'create');
      if (create.length === 0 && !getIsEnough) continue;
      const effective = create.length > 0 ? create : holding.held;
      const route = `${describeHolder(holding.grant)} can ${describeHeldSet(holding.held)} through ${describeRoute(holding.grant)}`;
      const ability = describeAbility(effective, holding.grant.namespace);
      if (create.length > 0) {
        findings.push(holdingFinding(holding, `${route}: it can ${ability}.`));
      } else {
        findings.push(
          holdingFinding(
            holding,
            `${route}: clusters before Kubernetes 1.35 authorize the WebSocket form of these requests (what kubectl ` +
              `uses) as get, so it can ${ability}; from 1.35 the API server also requires create.`,
            {
              severity: 'medium',
              evidence: {
                websocketOnly: true,
                clusterVersion:
                  snapshot.cluster.kubernetesVersion ?? snapshot.eks?.cluster.version ?? 'unknown',
              },
            },
          ),
        );
      }
    }
    return findings;
  },
};
