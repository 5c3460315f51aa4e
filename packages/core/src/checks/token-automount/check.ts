import type { Check, FindingDraft, ResourceRef } from '../../audit/types.ts';
import {
  type BoundRole,
  isFullWildcardRule,
  type RbacIndex,
  type SubjectRef,
  subjectKey,
} from '../../rbac/index.ts';
import type { Pod, PolicyRule, ServiceAccount } from '../../snapshot/model.ts';
import { joinWords } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

/** The roles Kubernetes binds to everyone so clients can discover the API; holding only these is harmless. */
const DISCOVERY_ROLES = new Set(['system:discovery', 'system:basic-user', 'system:public-info-viewer']);

/** A rule that grants something other than reading non-resource URLs such as /version or /healthz. */
function beyondDiscovery(rule: PolicyRule): boolean {
  if (rule.verbs.length === 0) return false;
  if (rule.resources.length > 0 && rule.apiGroups.length > 0) return true;
  return rule.nonResourceURLs.length > 0 && rule.verbs.some((verb) => verb !== 'get');
}

interface Privilege {
  bound: BoundRole;
  /** The group the account reaches the binding through, when the binding does not name it. */
  through?: string;
}

function describeRef(ref: { kind: string; name: string; namespace?: string }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

function describePrivilege({ bound, through }: Privilege): string {
  const where = bound.namespace === null ? 'cluster-wide' : `in namespace ${bound.namespace}`;
  const via = through ? ` (through Group ${through})` : '';
  return `${describeRef(bound.role)} ${where} by ${describeRef(bound.binding)}${via}`;
}

function privilegeEvidence({ bound, through }: Privilege): Record<string, unknown> {
  return {
    binding: {
      kind: bound.binding.kind,
      name: bound.binding.name,
      ...(bound.binding.namespace ? { namespace: bound.binding.namespace } : {}),
    },
    role: {
      kind: bound.role.kind,
      name: bound.role.name,
      ...(bound.role.namespace ? { namespace: bound.role.namespace } : {}),
    },
    scope: bound.namespace === null ? 'cluster' : { namespace: bound.namespace },
    ...(through ? { through: { kind: 'Group', name: through } } : {}),
  };
}

/** What an account's token can do beyond discovery: its own bindings and its service-account groups'. */
function privilegesOf(rbac: RbacIndex, account: SubjectRef): Privilege[] {
  const out: Privilege[] = [];
  const seen = new Set<BoundRole>();
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${account.namespace ?? ''}`];
  const sources: [SubjectRef, string | undefined][] = [
    [account, undefined],
    ...groups.map((name): [SubjectRef, string] => [{ kind: 'Group', name }, name]),
  ];
  for (const [subject, through] of sources) {
    for (const bound of rbac.boundTo(subject)) {
      if (seen.has(bound)) continue;
      seen.add(bound);
      if (bound.role.kind === 'ClusterRole' && DISCOVERY_ROLES.has(bound.role.name)) continue;
      if (!bound.role.rules.some(beyondDiscovery)) continue;
      out.push(through ? { bound, through } : { bound });
    }
  }
  return out;
}

const isAdminLike = (privileges: readonly Privilege[]) =>
  privileges.some((p) => p.bound.namespace === null && p.bound.role.rules.some(isFullWildcardRule));

type MountReason = 'pod' | 'serviceAccount' | 'default';

/** Whether the pod gets a token, and which setting decides it: the pod's overrides the account's. */
function mountOf(pod: Pod, account: ServiceAccount | undefined): MountReason | null {
  if (pod.automountServiceAccountToken !== undefined) return pod.automountServiceAccountToken ? 'pod' : null;
  if (account?.automountServiceAccountToken !== undefined)
    return account.automountServiceAccountToken ? 'serviceAccount' : null;
  return 'default';
}

const REASONS: Record<MountReason, string> = {
  pod: 'the pod sets automountServiceAccountToken: true',
  serviceAccount: 'the service account sets automountServiceAccountToken: true',
  default: 'neither the pod nor the service account turns automounting off',
};

/**
 * The object to change for a pod: a Deployment's pods are owned by a ReplicaSet named after the Deployment
 * plus the pod-template-hash label, so naming the Deployment keeps one finding across rollouts.
 */
function workloadOf(pod: Pod): { ref: ResourceRef; owner?: { kind: string; name: string } } {
  const owner = pod.owner;
  if (!owner) return { ref: { kind: 'Pod', name: pod.name, namespace: pod.namespace } };
  const hash = pod.labels['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) {
    const name = owner.name.slice(0, -(hash.length + 1));
    return { ref: { kind: 'Deployment', name, namespace: pod.namespace }, owner };
  }
  return { ref: { kind: owner.kind, name: owner.name, namespace: pod.namespace }, owner };
}

interface PodGroup {
  ref: ResourceRef;
  account: SubjectRef;
  privileges: Privilege[];
  pods: string[];
  owners: Map<string, { kind: string; name: string }>;
  reasons: Set<MountReason>;
}

const MAX_LISTED = 10;

export const check: Check = {
  meta,
  run({ snapshot, rbac }) {
    const findings: FindingDraft[] = [];
    const accounts = new Map<string, ServiceAccount>();
    for (const account of snapshot.kubernetes.serviceAccounts) {
      accounts.set(
        subjectKey({ kind: 'ServiceAccount', name: account.name, namespace: account.namespace }),
        account,
      );
    }
    const privilegeCache = new Map<string, Privilege[]>();
    const privilegesFor = (subject: SubjectRef) => {
      const key = subjectKey(subject);
      let privileges = privilegeCache.get(key);
      if (!privileges) {
        privileges = privilegesOf(rbac, subject);
        privilegeCache.set(key, privileges);
      }
      return privileges;
    };

    const groups = new Map<string, PodGroup>();
    const mountingPods = new Map<string, number>();
    for (const pod of snapshot.kubernetes.pods) {
      // Mirror pods of static manifests are owned by their Node and never get a service account token.
      if (pod.owner?.kind === 'Node') continue;
      const subject: SubjectRef = {
        kind: 'ServiceAccount',
        name: pod.serviceAccountName,
        namespace: pod.namespace,
      };
      const key = subjectKey(subject);
      const reason = mountOf(pod, accounts.get(key));
      if (!reason) continue;
      mountingPods.set(key, (mountingPods.get(key) ?? 0) + 1);
      const privileges = privilegesFor(subject);
      if (privileges.length === 0) continue;
      const { ref, owner } = workloadOf(pod);
      const groupKey = `${ref.kind}|${ref.namespace}|${ref.name}|${key}`;
      let group = groups.get(groupKey);
      if (!group) {
        group = { ref, account: subject, privileges, pods: [], owners: new Map(), reasons: new Set() };
        groups.set(groupKey, group);
      }
      group.pods.push(pod.name);
      if (owner) group.owners.set(`${owner.kind}/${owner.name}`, owner);
      group.reasons.add(reason);
    }

    // A workload that mounts the token only because its account leaves automounting on is the account's
    // finding: one setting, one finding, naming the workloads. A pod that turns mounting on itself (or whose
    // account is not in the snapshot) is a finding of its own.
    const byAccount = new Map<string, PodGroup[]>();
    const own: PodGroup[] = [];
    for (const group of groups.values()) {
      const key = subjectKey(group.account);
      if (group.reasons.has('pod') || !accounts.has(key)) own.push(group);
      else pushTo(byAccount, key, group);
    }

    for (const account of snapshot.kubernetes.serviceAccounts) {
      if (account.automountServiceAccountToken === false) continue;
      const subject: SubjectRef = {
        kind: 'ServiceAccount',
        name: account.name,
        namespace: account.namespace,
      };
      const privileges = privilegesFor(subject);
      if (privileges.length === 0) continue;
      const key = subjectKey(subject);
      const pods = mountingPods.get(key) ?? 0;
      const workloads = byAccount.get(key) ?? [];
      const finding: FindingDraft = {
        resource: { kind: 'ServiceAccount', name: account.name, namespace: account.namespace },
        subject,
        message:
          `ServiceAccount ${account.namespace}/${account.name} ` +
          `${account.automountServiceAccountToken === true ? 'sets automountServiceAccountToken: true' : 'does not turn token automounting off'}` +
          ` while it holds ${summarise(privileges)}; ${describeMounts(pods, workloads)}.`,
        evidence: {
          automountServiceAccountToken: account.automountServiceAccountToken ?? null,
          permissions: privileges.slice(0, MAX_LISTED).map(privilegeEvidence),
          permissionCount: privileges.length,
          podsMountingToken: pods,
          ...(workloads.length
            ? {
                mountedBy: workloads.slice(0, MAX_LISTED).map((w) => ({ ...w.ref, podCount: w.pods.length })),
                workloadCount: workloads.length,
              }
            : {}),
        },
      };
      if (isAdminLike(privileges)) finding.severity = 'high';
      findings.push(finding);
    }

    for (const group of own) {
      const { ref, account, privileges, pods } = group;
      const podsText =
        ref.kind === 'Pod'
          ? `Pod ${ref.namespace}/${ref.name} mounts`
          : `${describeRef(ref)} runs ${pods.length === 1 ? '1 pod that mounts' : `${pods.length} pods that mount`}`;
      const finding: FindingDraft = {
        resource: ref,
        subject: account,
        message:
          `${podsText} a token of ServiceAccount ${account.namespace}/${account.name} ` +
          `(${joinWords([...group.reasons].map((r) => REASONS[r]))}), which holds ${summarise(privileges)}.`,
        evidence: {
          podCount: pods.length,
          pods: [...pods].sort().slice(0, MAX_LISTED),
          ...(group.owners.size ? { owners: [...group.owners.values()] } : {}),
          mountedBecause: [...group.reasons],
          permissions: privileges.slice(0, MAX_LISTED).map(privilegeEvidence),
          permissionCount: privileges.length,
        },
      };
      if (isAdminLike(privileges)) finding.severity = 'high';
      findings.push(finding);
    }
    return findings;
  },
};

/** `2 pods mount its token (DaemonSet kube-system/aws-node)`, `no pod mounts its token`. */
function describeMounts(pods: number, workloads: readonly PodGroup[]): string {
  if (pods === 0) return 'no pod mounts its token';
  const count = pods === 1 ? '1 pod mounts' : `${pods} pods mount`;
  if (workloads.length === 0) return `${count} its token`;
  const shown = workloads.slice(0, 3).map((w) => describeRef(w.ref));
  const more = workloads.length > 3 ? ` and ${workloads.length - 3} more` : '';
  return `${count} its token (${joinWords(shown)}${more})`;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function summarise(privileges: readonly Privilege[]): string {
  const shown = privileges.slice(0, 3).map(describePrivilege);
  if (privileges.length <= 3) return joinWords(shown);
  return `${shown.join(', ')} and ${privileges.length - 3} more`;
}
