import {
  type BoundRole,
  type Grant,
  implicitGroups,
  type RbacIndex,
  type RoleInfo,
  type SubjectRef,
  subjectKey,
} from '../../rbac/index-builder.ts';
import { isFullWildcardRule, matchResourceRule } from '../../rbac/match.ts';
import type { Snapshot } from '../../snapshot/model.ts';
import { describeSubject } from './grants.ts';
import {
  describeRef,
  type HeldPermission,
  namesCanApply,
  type Permission,
  type ResourceQuery,
} from './held-permissions.ts';

/**
 * Building blocks for reasoning about escalation: who is already cluster-admin-equivalent (and why), and what
 * a subject holds, its own grants apart from those it inherits through the groups Kubernetes adds to it.
 */

/** A cluster-wide binding that gives full control, and the subject it names (the subject itself or a group). */
export interface AdminBinding {
  bound: BoundRole;
  through: SubjectRef;
}

export const SYSTEM_MASTERS: SubjectRef = { kind: 'Group', name: 'system:masters' };

/** Who is cluster-admin-equivalent, with the bindings that make it so. Answers are cached per subject. */
export class PrivilegeMap {
  private readonly rbac: RbacIndex;
  private readonly snapshot: Snapshot;
  private readonly cache = new Map<string, AdminBinding[]>();
  private readonly privileged = new Map<string, boolean>();
  private readonly roles = new Map<string, RoleInfo[]>();
  private serviceAccounts: SubjectRef[] | undefined;
  private usersAndGroups: SubjectRef[] | undefined;

  constructor(rbac: RbacIndex, snapshot: Snapshot) {
    this.rbac = rbac;
    this.snapshot = snapshot;
  }

  /** True when the subject holds `*` on `*` cluster-wide, directly, through IAM mappings or implicit groups. */
  isPrivileged(subject: SubjectRef): boolean {
    const key = subjectKey(subject);
    let answer = this.privileged.get(key);
    if (answer === undefined) {
      answer = this.rbac.isClusterAdminEquivalent(subject, { implicit: true });
      this.privileged.set(key, answer);
    }
    return answer;
  }

  /** The bindings behind isPrivileged, for evidence. */
  adminBindings(subject: SubjectRef): AdminBinding[] {
    const key = subjectKey(subject);
    const cached = this.cache.get(key);
    if (cached) return cached;
    // The identities the subject acts as: itself, its IAM mapping's user and groups, its implicit groups.
    const identities = new Set([key, ...implicitGroupKeys(subject)]);
    if (subject.kind === 'IAMPrincipal') {
      for (const mapping of this.rbac.principals) {
        if (mapping.principalArn !== subject.name) continue;
        if (mapping.username) identities.add(subjectKey({ kind: 'User', name: mapping.username }));
        for (const group of mapping.groups) identities.add(subjectKey({ kind: 'Group', name: group }));
      }
    }
    const out: AdminBinding[] = [];
    for (const bound of this.rbac.boundTo(subject, { implicit: true })) {
      if (bound.namespace !== null || !bound.role.rules.some(isFullWildcardRule)) continue;
      const through = bound.subjects.find((s) => identities.has(subjectKey(s))) ?? subject;
      out.push({ bound, through });
    }
    this.cache.set(key, out);
    return out;
  }

  /** `ClusterRoleBinding x gives it ClusterRole cluster-admin (through Group g)`. */
  describeAdmin(subject: SubjectRef): string {
    const first = this.adminBindings(subject)[0];
    if (!first) return 'it is cluster-admin-equivalent';
    if (first.bound.binding.kind === 'Authorizer') return 'as a member of system:masters it bypasses RBAC';
    const through =
      subjectKey(first.through) === subjectKey(subject) ? '' : ` through ${describeSubject(first.through)}`;
    return `${describeRef(first.bound.binding)} gives it ${describeRef(first.bound.role)}${through}`;
  }

  adminEvidence(subject: SubjectRef): Record<string, unknown>[] {
    return this.adminBindings(subject).map(({ bound, through }) => ({
      binding: refOf(bound.binding),
      role: refOf(bound.role),
      through,
    }));
  }

  /**
   * ServiceAccounts that are cluster-admin-equivalent. Those named by a binding are checked one by one; where a
   * namespace's whole group (system:serviceaccounts:NS) or every ServiceAccount (system:serviceaccounts) is
   * privileged, the `default` ServiceAccount, which every namespace has, stands for all of them.
   */
  privilegedServiceAccounts(): SubjectRef[] {
    if (this.serviceAccounts) return this.serviceAccounts;
    const found = new Map<string, SubjectRef>();
    const add = (namespace: string, name: string) => {
      const sa: SubjectRef = { kind: 'ServiceAccount', namespace, name };
      found.set(subjectKey(sa), sa);
    };
    const subjects = this.rbac.subjects();
    for (const subject of subjects) {
      if (subject.kind === 'ServiceAccount' && subject.namespace && this.isPrivileged(subject)) {
        add(subject.namespace, subject.name);
      }
      if (subject.kind === 'Group' && subject.name.startsWith('system:serviceaccounts:')) {
        const namespace = subject.name.slice('system:serviceaccounts:'.length);
        if (namespace && this.isPrivileged(subject)) add(namespace, 'default');
      }
    }
    if (this.isPrivileged({ kind: 'Group', name: 'system:serviceaccounts' })) {
      const namespaces = new Set(['default', 'kube-system']);
      for (const ns of this.snapshot.kubernetes.namespaces) namespaces.add(ns.name);
      for (const bound of this.rbac.boundRoles) if (bound.namespace) namespaces.add(bound.namespace);
      for (const namespace of namespaces) add(namespace, 'default');
    }
    this.serviceAccounts = [...found.values()].sort((a, b) => subjectKey(a).localeCompare(subjectKey(b)));
    return this.serviceAccounts;
  }

  /** Users and groups named anywhere that are cluster-admin-equivalent; system:masters always is. */
  privilegedUsersAndGroups(): SubjectRef[] {
    if (this.usersAndGroups) return this.usersAndGroups;
    const out = new Map<string, SubjectRef>([[subjectKey(SYSTEM_MASTERS), SYSTEM_MASTERS]]);
    for (const subject of this.rbac.subjects()) {
      if ((subject.kind === 'User' || subject.kind === 'Group') && this.isPrivileged(subject)) {
        out.set(subjectKey(subject), subject);
      }
    }
    this.usersAndGroups = [...out.values()].sort((a, b) => subjectKey(a).localeCompare(subjectKey(b)));
    return this.usersAndGroups;
  }

  /** ClusterRoles (and, with a namespace, Roles there) whose rules give full control of their scope. */
  fullControlRoles(namespace?: string): RoleInfo[] {
    const cached = this.roles.get(namespace ?? '');
    if (cached) return cached;
    const out: RoleInfo[] = [];
    for (const role of this.rbac.roles.values()) {
      if (!role.exists || !role.rules.some(isFullWildcardRule)) continue;
      if (
        role.kind === 'ClusterRole' ||
        (role.kind === 'Role' && namespace && role.namespace === namespace)
      ) {
        out.push(role);
      }
    }
    out.sort((a, b) => `${a.kind}:${a.name}`.localeCompare(`${b.kind}:${b.name}`));
    this.roles.set(namespace ?? '', out);
    return out;
  }
}

export function refOf(ref: { kind: string; name: string; namespace?: string }): {
  kind: string;
  name: string;
  namespace?: string;
} {
  return ref.namespace
    ? { kind: ref.kind, name: ref.name, namespace: ref.namespace }
    : { kind: ref.kind, name: ref.name };
}

/** What a subject holds of some permissions: its own grants, and those it inherits through implicit groups. */
export interface Held {
  own: readonly HeldPermission[];
  inherited: readonly HeldPermission[];
}

const NONE: readonly HeldPermission[] = Object.freeze([]);

export function anyHeld(held: Held): boolean {
  return held.own.length > 0 || held.inherited.length > 0;
}

export function allHeld(held: Held): HeldPermission[] {
  return [...held.own, ...held.inherited];
}

/**
 * A permission with two refinements of the request: `requestNamespace` asks in a namespace even though the
 * resource is cluster-scoped (the check Kubernetes makes before a RoleBinding there may refer to a ClusterRole,
 * `bind` on clusterroles with the binding's namespace, is granted by RoleBindings in that namespace too).
 */
export interface LookupPermission extends Permission<ResourceQuery> {
  requestNamespace?: string;
  /** The request carries no object name (it creates one), so rules limited by resourceNames never apply. */
  unnamed?: boolean;
}

/** Answers "which grants give this permission", once per permission, indexed by subject. */
export class GrantLookup {
  private readonly rbac: RbacIndex;
  private readonly cache = new Map<string, Map<string, HeldPermission[]>>();
  private readonly byObject = new WeakMap<Permission | LookupPermission, Map<string, HeldPermission[]>>();

  constructor(rbac: RbacIndex) {
    this.rbac = rbac;
  }

  private index(permission: Permission | LookupPermission): Map<string, HeldPermission[]> {
    const known = this.byObject.get(permission);
    if (known) return known;
    const answer = this.build(permission);
    this.byObject.set(permission, answer);
    return answer;
  }

  private build(permission: Permission | LookupPermission): Map<string, HeldPermission[]> {
    const namespaced = 'requestNamespace' in permission ? permission.requestNamespace : undefined;
    const unnamed = 'unnamed' in permission && permission.unnamed === true;
    const key = `${JSON.stringify(permission.query)}|${namespaced ?? ''}|${unnamed}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const namesApply = !unnamed && namesCanApply(permission.query);
    const grants =
      namespaced === undefined
        ? this.rbac.whoCan(permission.query)
        : [
            ...this.rbac.whoCan(permission.query).filter((g) => g.namespace === null),
            ...namespacedGrants(this.rbac, permission.query as ResourceQuery, namespaced),
          ];
    const out = new Map<string, HeldPermission[]>();
    for (const grant of grants) {
      if (grant.match === 'names' && !namesApply) continue;
      const key = subjectKey(grant.subject);
      const list = out.get(key);
      const item = { permission, grant };
      if (list) list.push(item);
      else out.set(key, [item]);
    }
    this.cache.set(key, out);
    return out;
  }

  /** What the subject holds of any of these permissions. */
  held(subject: SubjectRef, permissions: readonly (Permission | LookupPermission)[]): Held {
    const keys = this.keysOf(subject);
    let own: HeldPermission[] | undefined;
    let inherited: HeldPermission[] | undefined;
    for (const permission of permissions) {
      const index = this.index(permission);
      if (index.size === 0) continue;
      const mine = index.get(keys.own);
      if (mine) {
        own ??= [];
        for (const item of mine) own.push(item);
      }
      for (const group of keys.groups) {
        const theirs = index.get(group);
        if (!theirs) continue;
        inherited ??= [];
        for (const item of theirs) inherited.push(item);
      }
    }
    return { own: own ?? NONE, inherited: inherited ?? NONE };
  }

  private readonly keys = new WeakMap<SubjectRef, { own: string; groups: string[] }>();

  private keysOf(subject: SubjectRef): { own: string; groups: string[] } {
    let keys = this.keys.get(subject);
    if (!keys) {
      keys = { own: subjectKey(subject), groups: implicitGroupKeys(subject) };
      this.keys.set(subject, keys);
    }
    return keys;
  }
}

function implicitGroupKeys(subject: SubjectRef): string[] {
  return implicitGroups(subject).map((name) => subjectKey({ kind: 'Group', name }));
}

/** Grants from RoleBindings in one namespace for a request made in that namespace, IAM principals expanded. */
function namespacedGrants(rbac: RbacIndex, query: ResourceQuery, namespace: string): Grant[] {
  const rows: Grant[] = [];
  for (const bound of rbac.boundRoles) {
    if (bound.namespace !== namespace) continue;
    bound.role.rules.forEach((rule, ruleIndex) => {
      const match = matchResourceRule(rule, query);
      if (!match) return;
      for (const subject of bound.subjects) {
        rows.push({ subject, binding: bound.binding, role: bound.role, ruleIndex, rule, namespace, match });
      }
    });
  }
  const expanded: Grant[] = [];
  for (const row of rows) {
    for (const mapping of rbac.principalsFor(row.subject)) {
      expanded.push({
        ...row,
        subject: { kind: 'IAMPrincipal', name: mapping.principalArn },
        via: { mapping, through: row.subject },
      });
    }
  }
  return rows.concat(expanded);
}
