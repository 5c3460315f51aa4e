import { ACCESS_POLICIES, accessPolicyName } from '../identity/access-policies.ts';
import { isTemplated } from '../identity/aws-auth.ts';
import { admittedAwsAuthMappings } from '../identity/aws-auth-resolution.ts';
import type { ClusterRole, PolicyRule, Snapshot } from '../snapshot/model.ts';
import { selectorMatches } from './labels.ts';
import {
  CLUSTER_SCOPED_RESOURCES,
  isFullWildcardRule,
  matchNonResourceRule,
  matchResourceRule,
  type ResourceRequest,
  type RuleMatch,
} from './match.ts';

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount' | 'IAMPrincipal';

/** Who holds a permission. IAM principals come from aws-auth entries and EKS access entries. */
export interface SubjectRef {
  kind: SubjectKind;
  name: string;
  namespace?: string;
}

export function subjectKey(subject: SubjectRef): string {
  return subject.kind === 'ServiceAccount'
    ? `ServiceAccount:${subject.namespace ?? ''}/${subject.name}`
    : `${subject.kind}:${subject.name}`;
}

/** A role as the index sees it: rules after aggregation, and whether the object exists at all. */
export interface RoleInfo {
  kind: 'ClusterRole' | 'Role' | 'AccessPolicy' | 'Authorizer';
  name: string;
  namespace?: string;
  exists: boolean;
  rules: PolicyRule[];
  /** ClusterRoles whose rules an aggregationRule pulled in. */
  aggregatedFrom?: string[];
  labels?: Record<string, string>;
}

export interface BindingRef {
  kind: 'ClusterRoleBinding' | 'RoleBinding' | 'AccessPolicyAssociation' | 'Authorizer';
  name: string;
  namespace?: string;
}

/** How an IAM principal reaches a Kubernetes identity. */
export interface PrincipalMapping {
  kind: 'aws-auth' | 'access-entry';
  principalArn: string;
  username?: string;
  groups: string[];
  /** aws-auth list and position, for evidence. */
  source?: 'mapRoles' | 'mapUsers';
  index?: number;
  accessPolicies?: { policyArn: string; scope: 'cluster' | 'namespace'; namespaces: string[] }[];
}

/** A role bound to subjects, in a namespace or (namespace null) cluster-wide. */
export interface BoundRole {
  binding: BindingRef;
  role: RoleInfo;
  namespace: string | null;
  subjects: SubjectRef[];
}

/** One way a subject holds a permission: subject -> (mapping) -> binding -> role -> rule. */
export interface Grant {
  subject: SubjectRef;
  binding: BindingRef;
  role: RoleInfo;
  ruleIndex: number;
  rule: PolicyRule;
  namespace: string | null;
  /** `names` when the rule only covers the objects listed in its resourceNames. */
  match: Exclude<RuleMatch, null>;
  /** For an IAM principal: the mapping and the Kubernetes user or group it reached the binding through. */
  via?: { mapping: PrincipalMapping; through: SubjectRef };
}

export type WhoCanQuery =
  | (ResourceRequest & { namespace?: string; nonResourceURL?: undefined })
  | { verb: string; nonResourceURL: string; namespace?: undefined };

export interface QueryOptions {
  /** Add rows for IAM principals mapped onto the users and groups found (default true). */
  expandPrincipals?: boolean;
}

/** Groups Kubernetes adds to every request of such a subject; bindings to them apply implicitly. */
export function implicitGroups(subject: SubjectRef): string[] {
  if (subject.kind === 'ServiceAccount') {
    return [
      'system:serviceaccounts',
      `system:serviceaccounts:${subject.namespace ?? ''}`,
      'system:authenticated',
    ];
  }
  if (subject.kind === 'User' || subject.kind === 'IAMPrincipal') {
    return subject.name === 'system:anonymous' ? ['system:unauthenticated'] : ['system:authenticated'];
  }
  return [];
}

const NODE_ENTRY_GROUPS: Readonly<Record<string, readonly string[]>> = {
  EC2_LINUX: ['system:nodes'],
  EC2_WINDOWS: ['system:nodes'],
  HYBRID_LINUX: ['system:nodes'],
  FARGATE_LINUX: ['system:nodes', 'system:node-proxier'],
};

const SYSTEM_MASTERS_RULES: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] },
  { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ['*'] },
];

/**
 * The RBAC index of one snapshot: every binding resolved to its role's effective rules, every IAM principal
 * resolved to the users and groups it becomes. Built once per audit; every permission question is a query.
 */
export class RbacIndex {
  readonly roles = new Map<string, RoleInfo>();
  readonly boundRoles: BoundRole[] = [];
  readonly principals: PrincipalMapping[] = [];
  /** Bindings whose roleRef names a role that does not exist. */
  readonly danglingRoleRefs: BoundRole[] = [];
  private readonly bySubject = new Map<string, BoundRole[]>();
  private readonly principalsByUser = new Map<string, PrincipalMapping[]>();
  private readonly principalsByGroup = new Map<string, PrincipalMapping[]>();
  private readonly subjectsByKey = new Map<string, SubjectRef>();
  private readonly principalsByArn = new Map<string, PrincipalMapping[]>();
  /** Positions in boundRoles of the cluster-wide bound roles, and of each namespace's, in input order. */
  private readonly clusterWide: number[] = [];
  private readonly byNamespace = new Map<string, number[]>();
  /**
   * whoCan answers by query: checks ask the same questions (create pods, get secrets...) many times, and the
   * index never changes after construction.
   */
  private readonly answers = new Map<string, Grant[]>();
  private readonly adminEquivalent = new Map<string, boolean>();
  private readonly fullControl = new WeakMap<RoleInfo, boolean>();
  /** The distinct roles of boundRoles and the positions each is bound at (ascending), made on the first query. */
  private roleTable: { roles: RoleInfo[]; positions: number[][] } | undefined;

  constructor(snapshot: Snapshot) {
    const k8s = snapshot.kubernetes;
    this.indexClusterRoles(k8s.clusterRoles);
    for (const role of k8s.roles) {
      this.roles.set(roleKey('Role', role.name, role.namespace), {
        kind: 'Role',
        name: role.name,
        namespace: role.namespace,
        exists: true,
        rules: role.rules,
        labels: role.labels,
      });
    }
    // system:masters is answered by the authorizer before RBAC: its members can do everything.
    this.addBound({
      binding: { kind: 'Authorizer', name: 'system:masters' },
      role: { kind: 'Authorizer', name: 'system:masters', exists: true, rules: SYSTEM_MASTERS_RULES },
      namespace: null,
      subjects: [{ kind: 'Group', name: 'system:masters' }],
    });
    for (const binding of k8s.clusterRoleBindings) {
      this.bind(
        { kind: 'ClusterRoleBinding', name: binding.name },
        binding.roleRef.kind === 'ClusterRole' ? roleKey('ClusterRole', binding.roleRef.name) : null,
        binding.roleRef,
        null,
        binding.subjects.map((s) => toSubjectRef(s, undefined)),
      );
    }
    for (const binding of k8s.roleBindings) {
      const key =
        binding.roleRef.kind === 'ClusterRole'
          ? roleKey('ClusterRole', binding.roleRef.name)
          : roleKey('Role', binding.roleRef.name, binding.namespace);
      this.bind(
        { kind: 'RoleBinding', name: binding.name, namespace: binding.namespace },
        key,
        binding.roleRef,
        binding.namespace,
        binding.subjects.map((s) => toSubjectRef(s, binding.namespace)),
      );
    }
    this.indexPrincipals(snapshot);
  }

  /**
   * Resolves aggregationRules the way the clusterrole-aggregation controller converges: an aggregated role
   * holds its own rules plus those of every ClusterRole its selectors reach, directly or through other
   * aggregated roles. Walking the reachable set (not recursing) makes chains of any length and cycles
   * (every role in a cycle ends up with the rules of all of them) independent of the order of the input.
   */
  private indexClusterRoles(clusterRoles: ClusterRole[]) {
    const byName = new Map<string, ClusterRole>();
    for (const role of clusterRoles) byName.set(role.name, role);
    const all = [...byName.values()];
    // `key=value` -> roles with that label, so a selector with matchLabels only looks at candidates.
    const byLabel = new Map<string, ClusterRole[]>();
    for (const role of all) {
      for (const [key, value] of Object.entries(role.labels)) pushTo(byLabel, `${key}=${value}`, role);
    }
    const selected = new Map<string, ClusterRole[]>();
    for (const role of all) {
      if (!role.aggregationRule) continue;
      const picked = new Set<ClusterRole>();
      for (const selector of role.aggregationRule.clusterRoleSelectors) {
        const first = Object.entries(selector.matchLabels ?? {})[0];
        const candidates = first ? (byLabel.get(`${first[0]}=${first[1]}`) ?? []) : all;
        for (const other of candidates) {
          if (other.name !== role.name && selectorMatches(selector, other.labels)) picked.add(other);
        }
      }
      // Input order, as the controller lists roles; keeps evidence stable.
      selected.set(
        role.name,
        all.filter((other) => picked.has(other)),
      );
    }
    for (const role of all) {
      const info: RoleInfo = {
        kind: 'ClusterRole',
        name: role.name,
        exists: true,
        rules: role.rules,
        labels: role.labels,
      };
      if (role.aggregationRule) {
        const rules = [...role.rules];
        const seen = new Set(rules.map(ruleSignature));
        const from: string[] = [];
        const visited = new Set<string>([role.name]);
        const queue = [...(selected.get(role.name) ?? [])];
        for (let i = 0; i < queue.length; i++) {
          const other = queue[i]!;
          if (visited.has(other.name)) continue;
          visited.add(other.name);
          from.push(other.name);
          for (const rule of other.rules) {
            const signature = ruleSignature(rule);
            if (!seen.has(signature)) {
              seen.add(signature);
              rules.push(rule);
            }
          }
          for (const next of selected.get(other.name) ?? []) if (!visited.has(next.name)) queue.push(next);
        }
        info.rules = rules;
        info.aggregatedFrom = from;
      }
      this.roles.set(roleKey('ClusterRole', role.name), info);
    }
  }

  private bind(
    binding: BindingRef,
    key: string | null,
    roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
    namespace: string | null,
    subjects: SubjectRef[],
  ) {
    const role = key ? this.roles.get(key) : undefined;
    if (!role) {
      const missing: RoleInfo = { kind: roleRef.kind, name: roleRef.name, exists: false, rules: [] };
      if (roleRef.kind === 'Role' && namespace) missing.namespace = namespace;
      this.danglingRoleRefs.push({ binding, role: missing, namespace, subjects });
      for (const subject of subjects) this.subjectsByKey.set(subjectKey(subject), subject);
      return;
    }
    this.addBound({ binding, role, namespace, subjects });
  }

  private addBound(bound: BoundRole) {
    const position = this.boundRoles.push(bound) - 1;
    if (bound.namespace === null) this.clusterWide.push(position);
    else pushTo(this.byNamespace, bound.namespace, position);
    for (const subject of bound.subjects) {
      const key = subjectKey(subject);
      this.subjectsByKey.set(key, subject);
      pushTo(this.bySubject, key, bound);
    }
  }

  private indexPrincipals(snapshot: Snapshot) {
    // Only the entries EKS admits someone by: none in authentication mode API, one per ARN, none with an ARN
    // that never matches, none for a principal whose access entry wins. The identity checks report the rest.
    for (const entry of admittedAwsAuthMappings(snapshot)) {
      const mapping: PrincipalMapping = {
        kind: 'aws-auth',
        principalArn: entry.arn,
        groups: entry.groups,
        source: entry.source,
        index: entry.index,
      };
      if (entry.username !== undefined) mapping.username = entry.username;
      this.addPrincipal(mapping);
    }
    for (const entry of snapshot.eks?.accessEntries ?? []) {
      const groups = [...entry.kubernetesGroups];
      // EKS puts node-type entries in system:nodes (Fargate also in system:node-proxier) whether or not the
      // API response lists the group; listing it twice must not double every grant.
      if (entry.type && NODE_ENTRY_GROUPS[entry.type]) {
        for (const group of NODE_ENTRY_GROUPS[entry.type]!) if (!groups.includes(group)) groups.push(group);
      }
      const mapping: PrincipalMapping = {
        kind: 'access-entry',
        principalArn: entry.principalArn,
        groups,
        accessPolicies: entry.associatedAccessPolicies.map((p) => ({
          policyArn: p.policyArn,
          scope: p.accessScope.type,
          namespaces: p.accessScope.namespaces,
        })),
      };
      if (entry.username !== undefined) mapping.username = entry.username;
      this.addPrincipal(mapping);
      const subject: SubjectRef = { kind: 'IAMPrincipal', name: entry.principalArn };
      for (const policy of entry.associatedAccessPolicies) {
        const name = accessPolicyName(policy.policyArn);
        const definition = ACCESS_POLICIES[name];
        const role: RoleInfo = {
          kind: 'AccessPolicy',
          name,
          exists: definition !== undefined,
          rules: definition?.rules ?? [],
        };
        const binding: BindingRef = {
          kind: 'AccessPolicyAssociation',
          name: `${entry.principalArn} -> ${name}`,
        };
        if (policy.accessScope.type === 'cluster') {
          this.addBound({ binding, role, namespace: null, subjects: [subject] });
        } else {
          for (const ns of policy.accessScope.namespaces) {
            this.addBound({
              binding: { ...binding, namespace: ns },
              role,
              namespace: ns,
              subjects: [subject],
            });
          }
        }
      }
    }
  }

  private addPrincipal(mapping: PrincipalMapping) {
    this.principals.push(mapping);
    pushTo(this.principalsByArn, mapping.principalArn, mapping);
    this.subjectsByKey.set(`IAMPrincipal:${mapping.principalArn}`, {
      kind: 'IAMPrincipal',
      name: mapping.principalArn,
    });
    if (mapping.username && !isTemplated(mapping.username)) {
      pushTo(this.principalsByUser, mapping.username, mapping);
    }
    for (const group of mapping.groups) pushTo(this.principalsByGroup, group, mapping);
  }

  /** Every subject named by a binding or an identity mapping. */
  subjects(): SubjectRef[] {
    return [...this.subjectsByKey.values()];
  }

  /** Mappings that make an IAM principal the given Kubernetes user or a member of the given group. */
  principalsFor(subject: SubjectRef): PrincipalMapping[] {
    if (subject.kind === 'User') return this.principalsByUser.get(subject.name) ?? [];
    if (subject.kind === 'Group') return this.principalsByGroup.get(subject.name) ?? [];
    return [];
  }

  /** The roles bound directly to a subject (and, with `implicit`, to the groups Kubernetes adds to it). */
  boundTo(subject: SubjectRef, options: { implicit?: boolean } = {}): BoundRole[] {
    // A Set, filled without spreading: a group such as system:authenticated can be bound very many times.
    const out = new Set<BoundRole>();
    const add = (key: string) => {
      for (const bound of this.bySubject.get(key) ?? []) out.add(bound);
    };
    add(subjectKey(subject));
    if (subject.kind === 'IAMPrincipal') {
      for (const mapping of this.principalsByArn.get(subject.name) ?? []) {
        if (mapping.username && !isTemplated(mapping.username)) add(`User:${mapping.username}`);
        for (const group of mapping.groups) add(`Group:${group}`);
      }
    }
    if (options.implicit) {
      for (const group of implicitGroups(subject)) add(`Group:${group}`);
    }
    return [...out];
  }

  /** The roles bound in one namespace (`null`: cluster-wide), in input order. */
  boundIn(namespace: string | null): BoundRole[] {
    const positions = namespace === null ? this.clusterWide : (this.byNamespace.get(namespace) ?? []);
    return positions.map((position) => this.boundRoles[position]!);
  }

  /**
   * Who can do this: every (subject, binding, role, rule) that grants the request, like kubectl-who-can.
   * With a namespace, grants in that namespace and cluster-wide ones; without, grants anywhere.
   * Rows come in input order of the bindings; the returned array is the caller's to change.
   */
  whoCan(query: WhoCanQuery, options: QueryOptions = {}): Grant[] {
    const expand = options.expandPrincipals !== false;
    const key = [
      query.verb,
      query.nonResourceURL === undefined ? 'r' : 'u',
      query.nonResourceURL ?? '',
      query.namespace ?? '\u0001',
      query.nonResourceURL === undefined ? (query.apiGroup ?? '\u0001') : '',
      query.nonResourceURL === undefined ? query.resource : '',
      query.nonResourceURL === undefined ? (query.subresource ?? '') : '',
      query.nonResourceURL === undefined ? (query.name ?? '\u0001') : '',
      expand ? 'x' : '',
    ].join('\u0000');
    let answer = this.answers.get(key);
    if (!answer) {
      answer = this.answer(query, expand);
      this.answers.set(key, answer);
    }
    return answer.slice();
  }

  private answer(query: WhoCanQuery, expand: boolean): Grant[] {
    const rows: Grant[] = [];
    // `bind` is authorized in the namespace of the binding being written, ClusterRoles included: a
    // RoleBinding may delegate binding chosen ClusterRoles inside its namespace, so it is not cluster-scoped.
    const clusterScoped =
      query.nonResourceURL !== undefined ||
      (CLUSTER_SCOPED_RESOURCES.has(query.resource) &&
        !(query.verb === 'bind' && query.resource === 'clusterroles'));
    // A role is usually bound many times (edit, view, a namespace's own Role): match its rules once.
    const matchesByRole = new Map<RoleInfo, RuleHit[]>();
    const visit = (bound: BoundRole) => {
      let hits = matchesByRole.get(bound.role);
      if (!hits) {
        hits = matchRules(bound.role.rules, query);
        matchesByRole.set(bound.role, hits);
      }
      for (const hit of hits) {
        for (const subject of bound.subjects) {
          rows.push({
            subject,
            binding: bound.binding,
            role: bound.role,
            ruleIndex: hit.ruleIndex,
            rule: hit.rule,
            namespace: bound.namespace,
            match: hit.match,
          });
        }
      }
    };
    if (clusterScoped) {
      // Non-resource URLs and cluster-scoped resources are only granted by roles bound cluster-wide.
      for (const position of this.clusterWide) visit(this.boundRoles[position]!);
    } else if (query.namespace !== undefined) {
      // Cluster-wide and this namespace's bindings, merged back into input order.
      const cluster = this.clusterWide;
      const local = this.byNamespace.get(query.namespace) ?? [];
      let i = 0;
      let j = 0;
      while (i < cluster.length || j < local.length) {
        const next =
          j >= local.length || (i < cluster.length && cluster[i]! < local[j]!) ? cluster[i++]! : local[j++]!;
        visit(this.boundRoles[next]!);
      }
    } else {
      // Anywhere: match each distinct role once, then visit only where the matching roles are bound (most
      // roles grant nothing a given question asks), in input order.
      const { roles, positions } = this.rolesByPosition();
      const selected: number[] = [];
      let matching = 0;
      for (let id = 0; id < roles.length; id++) {
        const role = roles[id]!;
        const hits = matchRules(role.rules, query);
        if (hits.length === 0) continue;
        matchesByRole.set(role, hits);
        matching++;
        for (const position of positions[id]!) selected.push(position);
      }
      const order = matching > 1 ? Int32Array.from(selected).sort() : selected;
      for (const position of order) visit(this.boundRoles[position]!);
    }
    if (!expand || this.principals.length === 0) return rows;
    const expanded: Grant[] = [];
    for (const row of rows) {
      for (const mapping of this.principalsFor(row.subject)) {
        expanded.push({
          subject: { kind: 'IAMPrincipal', name: mapping.principalArn },
          binding: row.binding,
          role: row.role,
          ruleIndex: row.ruleIndex,
          rule: row.rule,
          namespace: row.namespace,
          match: row.match,
          via: { mapping, through: row.subject },
        });
      }
    }
    return expanded.length ? rows.concat(expanded) : rows;
  }

  private rolesByPosition(): { roles: RoleInfo[]; positions: number[][] } {
    if (!this.roleTable) {
      const ids = new Map<RoleInfo, number>();
      const roles: RoleInfo[] = [];
      const positions: number[][] = [];
      for (let position = 0; position < this.boundRoles.length; position++) {
        const role = this.boundRoles[position]!.role;
        let id = ids.get(role);
        if (id === undefined) {
          id = roles.length;
          ids.set(role, id);
          roles.push(role);
          positions.push([]);
        }
        positions[id]!.push(position);
      }
      this.roleTable = { roles, positions };
    }
    return this.roleTable;
  }

  /** Grants one subject holds for the request (direct, through its IAM mappings, and optionally implicit groups). */
  grantsFor(subject: SubjectRef, query: WhoCanQuery, options: { implicit?: boolean } = {}): Grant[] {
    const key = subjectKey(subject);
    const groups = options.implicit
      ? new Set(implicitGroups(subject).map((g) => `Group:${g}`))
      : new Set<string>();
    return this.whoCan(query).filter((row) => {
      const rowKey = subjectKey(row.subject);
      return rowKey === key || groups.has(rowKey);
    });
  }

  /** True when one of the role's rules is `*` on `*` in `*`: full control of whatever it is bound to. */
  grantsFullControl(role: RoleInfo): boolean {
    let full = this.fullControl.get(role);
    if (full === undefined) {
      full = role.rules.some(isFullWildcardRule);
      this.fullControl.set(role, full);
    }
    return full;
  }

  /** True when the subject holds `*` on `*` in `*` cluster-wide: full control of the cluster. */
  isClusterAdminEquivalent(subject: SubjectRef, options: { implicit?: boolean } = {}): boolean {
    // Asked for every subject, often several times (escalation paths): answered once per subject.
    const key = `${options.implicit ? 'i' : 'd'}|${subjectKey(subject)}`;
    let answer = this.adminEquivalent.get(key);
    if (answer === undefined) {
      answer = this.boundTo(subject, options).some(
        (bound) => bound.namespace === null && this.grantsFullControl(bound.role),
      );
      this.adminEquivalent.set(key, answer);
    }
    return answer;
  }
}

interface RuleHit {
  ruleIndex: number;
  rule: PolicyRule;
  match: Exclude<RuleMatch, null>;
}

function matchRules(rules: readonly PolicyRule[], query: WhoCanQuery): RuleHit[] {
  const hits: RuleHit[] = [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const match: RuleMatch =
      query.nonResourceURL !== undefined
        ? matchNonResourceRule(rule, query.verb, query.nonResourceURL)
          ? 'all'
          : null
        : matchResourceRule(rule, query);
    if (match) hits.push({ ruleIndex: i, rule, match });
  }
  return hits;
}

function toSubjectRef(
  subject: { kind: SubjectKind; name: string; namespace?: string | undefined },
  bindingNamespace: string | undefined,
): SubjectRef {
  if (subject.kind === 'ServiceAccount') {
    const namespace = subject.namespace ?? bindingNamespace;
    return namespace === undefined
      ? { kind: subject.kind, name: subject.name }
      : { kind: subject.kind, name: subject.name, namespace };
  }
  return { kind: subject.kind, name: subject.name };
}

export function roleKey(kind: 'Role' | 'ClusterRole', name: string, namespace?: string): string {
  return kind === 'Role' ? `Role:${namespace}/${name}` : `ClusterRole:${name}`;
}

function ruleSignature(rule: PolicyRule): string {
  return JSON.stringify([
    rule.verbs,
    rule.apiGroups,
    rule.resources,
    rule.resourceNames,
    rule.nonResourceURLs,
  ]);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function buildRbacIndex(snapshot: Snapshot): RbacIndex {
  return new RbacIndex(snapshot);
}
