import type { RbacIndex, RoleInfo, SubjectRef } from '../../rbac/index-builder.ts';
import { subjectKey } from '../../rbac/index-builder.ts';
import { matchResourceRule } from '../../rbac/match.ts';
import type { Snapshot } from '../../snapshot/model.ts';
import {
  allHeld,
  anyHeld,
  type GrantLookup,
  type Held,
  type LookupPermission,
  type PrivilegeMap,
  refOf,
  SYSTEM_MASTERS,
} from '../shared/escalation.ts';
import { describeSubject } from '../shared/grants.ts';
import { describeHeldSet, describeRef, type ResourceQuery } from '../shared/held-permissions.ts';

/**
 * The ways a subject that is not cluster-admin-equivalent can make itself so. Each detector returns routes:
 * the permissions the subject must hold (steps) and what they lead to (outcome, target). A route counts for a
 * subject only when it holds every step and at least one step through a grant of its own; routes held
 * entirely through an implicit group (system:authenticated, system:serviceaccounts...) belong to that group.
 */

export const PATH_KINDS = [
  'pod-service-account',
  'bind-role',
  'escalate-role',
  'impersonate',
  'token-request',
  'secret-token',
  'aws-auth',
] as const;
export type PathKind = (typeof PATH_KINDS)[number];

export interface Step {
  /** What the subject does: `run workloads in namespace ci`. */
  action: string;
  /** Where the permissions are needed, when that is one namespace: `in namespace ci`. */
  where?: string;
  held: Held;
}

export interface Route {
  severity: 'critical' | 'high';
  steps: Step[];
  /** Completes "it can <steps>": `, and run them as ServiceAccount ci/admin, which ...`. */
  outcome: string;
  target: Record<string, unknown>;
}

export interface EscalationContext {
  rbac: RbacIndex;
  snapshot: Snapshot;
  privileges: PrivilegeMap;
  lookup: GrantLookup;
  /** Permissions built once per audit and reused for every subject, so their answers are looked up once. */
  asks: Map<string, Ask>;
  /** Privileged ServiceAccounts grouped by namespace, computed on first use. */
  accountsByNamespace?: Map<string, SubjectRef[]>;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

// Pods run as any ServiceAccount of their namespace; so do pods that workload controllers create, and
// templates of existing controllers can be pointed at another account. Job templates are immutable.
const CREATE_UPDATE_PATCH = ['create', 'update', 'patch'];
const WORKLOADS: [string, string, string[]][] = [
  ['', 'pods', ['create']],
  ['', 'replicationcontrollers', CREATE_UPDATE_PATCH],
  ['apps', 'deployments', CREATE_UPDATE_PATCH],
  ['apps', 'replicasets', CREATE_UPDATE_PATCH],
  ['apps', 'statefulsets', CREATE_UPDATE_PATCH],
  ['apps', 'daemonsets', CREATE_UPDATE_PATCH],
  ['batch', 'jobs', ['create']],
  ['batch', 'cronjobs', CREATE_UPDATE_PATCH],
];

type Ask = LookupPermission;

function ask(
  ctx: EscalationContext,
  verb: string,
  apiGroup: string,
  resource: string,
  options: {
    subresource?: string;
    name?: string;
    namespace?: string;
    requestNamespace?: string;
    unnamed?: boolean;
  } = {},
): Ask {
  const key = `${verb}|${apiGroup}|${resource}|${options.subresource ?? ''}|${options.name ?? ''}|${options.namespace ?? ''}|${options.requestNamespace ?? ''}|${options.unnamed ? 1 : 0}`;
  const known = ctx.asks.get(key);
  if (known) return known;
  const query: ResourceQuery = { verb, apiGroup, resource };
  if (options.subresource) query.subresource = options.subresource;
  if (options.name !== undefined) query.name = options.name;
  if (options.namespace !== undefined) query.namespace = options.namespace;
  const label = `${verb} ${resource}${options.subresource ? `/${options.subresource}` : ''}`;
  const permission: Ask = { label, query };
  if (options.requestNamespace !== undefined) permission.requestNamespace = options.requestNamespace;
  if (options.unnamed) permission.unnamed = true;
  ctx.asks.set(key, permission);
  return permission;
}

function step(
  ctx: EscalationContext,
  subject: SubjectRef,
  action: string,
  asks: Ask[],
  namespace?: string,
): Step {
  const out: Step = { action, held: ctx.lookup.held(subject, asks) };
  if (namespace !== undefined) out.where = `in namespace ${namespace}`;
  return out;
}

/**
 * Every permission any route step needs, asked without names or namespaces. A subject none of whose bound
 * roles (its own or its implicit groups') matches one of these holds no step, and where it matches only through
 * RoleBindings, only those namespaces can hold steps: the detectors look nowhere else.
 */
const STEP_REQUESTS: ResourceQuery[] = [
  ...WORKLOADS.flatMap(([apiGroup, resource, verbs]) => verbs.map((verb) => ({ verb, apiGroup, resource }))),
  ...['clusterrolebindings', 'rolebindings'].map((resource) => ({
    verb: 'create',
    apiGroup: RBAC_GROUP,
    resource,
  })),
  ...['clusterroles', 'roles'].flatMap((resource) =>
    ['bind', 'escalate', 'update', 'patch', 'create'].map((verb) => ({
      verb,
      apiGroup: RBAC_GROUP,
      resource,
    })),
  ),
  ...['users', 'groups', 'serviceaccounts'].map((resource) => ({
    verb: 'impersonate',
    apiGroup: '',
    resource,
  })),
  { verb: 'create', apiGroup: '', resource: 'serviceaccounts', subresource: 'token' },
  ...['create', 'get', 'list'].map((verb) => ({ verb, apiGroup: '', resource: 'secrets' })),
  ...['create', 'update', 'patch'].map((verb) => ({ verb, apiGroup: '', resource: 'configmaps' })),
];

/** Where a subject can hold route steps: everywhere (a cluster-wide grant), or in these namespaces. */
export interface Reach {
  clusterWide: boolean;
  namespaces: ReadonlySet<string>;
}

/**
 * Whether a role grants any route step. Roles are shared by many bindings and every subject reaches the
 * implicit groups' bindings, so the answer is kept per role (the index's roles do not change).
 */
const stepRoles = new WeakMap<RoleInfo, boolean>();
function grantsAnyStep(role: RoleInfo): boolean {
  let relevant = stepRoles.get(role);
  if (relevant === undefined) {
    relevant = role.rules.some((rule) => STEP_REQUESTS.some((request) => matchResourceRule(rule, request)));
    stepRoles.set(role, relevant);
  }
  return relevant;
}

export function reachOf(ctx: EscalationContext, subject: SubjectRef): Reach {
  const namespaces = new Set<string>();
  let clusterWide = false;
  for (const bound of ctx.rbac.boundTo(subject, { implicit: true })) {
    if (bound.namespace === null ? clusterWide : namespaces.has(bound.namespace)) continue;
    if (!grantsAnyStep(bound.role)) continue;
    if (bound.namespace === null) clusterWide = true;
    else namespaces.add(bound.namespace);
  }
  return { clusterWide, namespaces };
}

function reaches(reach: Reach, namespace: string): boolean {
  return reach.clusterWide || reach.namespaces.has(namespace);
}

/** Every step held, at least one through the subject's own grant. */
function qualifies(steps: readonly Step[]): boolean {
  return steps.every((s) => anyHeld(s.held)) && steps.some((s) => s.held.own.length > 0);
}

/** Privileged ServiceAccounts by namespace. */
function privilegedByNamespace(ctx: EscalationContext): Map<string, SubjectRef[]> {
  if (ctx.accountsByNamespace) return ctx.accountsByNamespace;
  const out = new Map<string, SubjectRef[]>();
  for (const sa of ctx.privileges.privilegedServiceAccounts()) {
    const namespace = sa.namespace ?? '';
    const list = out.get(namespace);
    if (list) list.push(sa);
    else out.set(namespace, [sa]);
  }
  ctx.accountsByNamespace = out;
  return out;
}

function accountTarget(ctx: EscalationContext, sa: SubjectRef): Record<string, unknown> {
  return { serviceAccount: sa, clusterAdminThrough: ctx.privileges.adminEvidence(sa) };
}

function accountOutcome(ctx: EscalationContext, sa: SubjectRef): string {
  return `${describeSubject(sa)}, which is cluster-admin-equivalent (${ctx.privileges.describeAdmin(sa)})`;
}

/** `ServiceAccount ci/admin is cluster-admin-equivalent (ClusterRoleBinding x gives it ClusterRole cluster-admin)`. */
function adminFact(ctx: EscalationContext, subject: SubjectRef): string {
  return `${describeSubject(subject)} is cluster-admin-equivalent (${ctx.privileges.describeAdmin(subject)})`;
}

const workloadAskCache = new WeakMap<EscalationContext, Map<string, Ask[]>>();

function workloadAsks(ctx: EscalationContext, namespace: string): Ask[] {
  let perNamespace = workloadAskCache.get(ctx);
  if (!perNamespace) {
    perNamespace = new Map();
    workloadAskCache.set(ctx, perNamespace);
  }
  let asks = perNamespace.get(namespace);
  if (!asks) {
    asks = WORKLOADS.flatMap(([group, resource, verbs]) =>
      verbs.map((verb) => ask(ctx, verb, group, resource, { namespace })),
    );
    perNamespace.set(namespace, asks);
  }
  return asks;
}

function podServiceAccount(ctx: EscalationContext, subject: SubjectRef, reach: Reach): Route[] {
  const routes: Route[] = [];
  for (const [namespace, accounts] of privilegedByNamespace(ctx)) {
    if (!reaches(reach, namespace)) continue;
    const asks = workloadAsks(ctx, namespace);
    const run = step(ctx, subject, `run workloads in namespace ${namespace}`, asks, namespace);
    if (!qualifies([run])) continue;
    run.action = `${describeHeldSet(allHeld(run.held))} in namespace ${namespace}`;
    const sa = accounts[0]!;
    routes.push({
      severity: 'critical',
      steps: [run],
      outcome: `, and so run pods as ${accountOutcome(ctx, sa)}`,
      target: { namespace, serviceAccounts: accounts.map((a) => accountTarget(ctx, a)) },
    });
  }
  return routes;
}

function bindRole(ctx: EscalationContext, subject: SubjectRef, reach: Reach): Route[] {
  const routes: Route[] = [];
  const clusterRoles = ctx.privileges.fullControlRoles().filter((r) => r.kind === 'ClusterRole');
  if (clusterRoles.length > 0 && reach.clusterWide) {
    const create = step(ctx, subject, 'create ClusterRoleBindings', [
      ask(ctx, 'create', RBAC_GROUP, 'clusterrolebindings'),
    ]);
    for (const role of clusterRoles) {
      const bind = step(ctx, subject, `bind ${describeRef(role)}`, [
        ask(ctx, 'bind', RBAC_GROUP, 'clusterroles', { name: role.name }),
      ]);
      if (!qualifies([create, bind])) continue;
      routes.push({
        severity: 'critical',
        steps: [create, bind],
        outcome: `, so it can bind itself to ${describeRef(role)}, which grants every verb on every resource, cluster-wide`,
        target: { role: refOf(role), scope: 'cluster' },
      });
    }
  }
  // A RoleBinding to a full-control role makes the subject admin of one namespace: cluster admin when a
  // privileged ServiceAccount lives there.
  for (const [namespace, accounts] of privilegedByNamespace(ctx)) {
    if (!reaches(reach, namespace)) continue;
    const roles = ctx.privileges.fullControlRoles(namespace);
    if (roles.length === 0) continue;
    const create = step(
      ctx,
      subject,
      `create RoleBindings in namespace ${namespace}`,
      [ask(ctx, 'create', RBAC_GROUP, 'rolebindings', { namespace })],
      namespace,
    );
    const binds = roles.map((role) =>
      role.kind === 'ClusterRole'
        ? ask(ctx, 'bind', RBAC_GROUP, 'clusterroles', { name: role.name, requestNamespace: namespace })
        : ask(ctx, 'bind', RBAC_GROUP, 'roles', { name: role.name, namespace }),
    );
    const bind = step(
      ctx,
      subject,
      `bind ${roles.map(describeRef).join(' or ')} in namespace ${namespace}`,
      binds,
    );
    if (!qualifies([create, bind])) continue;
    const sa = accounts[0]!;
    routes.push({
      severity: 'high',
      steps: [create, bind],
      outcome: `, so it can make itself admin of namespace ${namespace} and run pods there as ${accountOutcome(ctx, sa)}`,
      target: {
        namespace,
        roles: roles.map(refOf),
        serviceAccounts: accounts.map((a) => accountTarget(ctx, a)),
      },
    });
  }
  return routes;
}

function escalateRole(ctx: EscalationContext, subject: SubjectRef, reach: Reach): Route[] {
  const routes: Route[] = [];
  const privilegedNamespaces = privilegedByNamespace(ctx);
  const seen = new Set<string>();
  for (const bound of ctx.rbac.boundTo(subject, { implicit: true })) {
    const role = bound.role;
    if (!role.exists || (role.kind !== 'ClusterRole' && role.kind !== 'Role')) continue;
    // ClusterRoles are changed by cluster-wide grants only; Roles by grants in their namespace.
    if (role.kind === 'ClusterRole' ? !reach.clusterWide : !reaches(reach, role.namespace ?? '')) continue;
    const accounts = bound.namespace === null ? undefined : privilegedNamespaces.get(bound.namespace);
    if (bound.namespace !== null && !accounts) continue;
    const key = `${role.kind}:${role.namespace ?? ''}/${role.name}|${bound.namespace ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let steps: Step[];
    let how: string;
    if (role.kind === 'ClusterRole' && role.aggregatedFrom !== undefined) {
      // The aggregation controller rewrites an aggregated role's rules: a new role carrying the labels the
      // aggregation selects is the way in. A create carries no name, so only unrestricted grants count.
      steps = [
        step(ctx, subject, 'escalate ClusterRoles', [
          ask(ctx, 'escalate', RBAC_GROUP, 'clusterroles', { unnamed: true }),
        ]),
        step(ctx, subject, 'create ClusterRoles', [ask(ctx, 'create', RBAC_GROUP, 'clusterroles')]),
      ];
      how = `create a ClusterRole with every permission that the aggregated ${describeRef(role)} picks up`;
    } else {
      const resource = role.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
      const scope = role.kind === 'Role' ? { namespace: role.namespace ?? '' } : {};
      steps = [
        step(
          ctx,
          subject,
          `escalate ${describeRef(role)}`,
          [ask(ctx, 'escalate', RBAC_GROUP, resource, { name: role.name, ...scope })],
          role.namespace,
        ),
        step(
          ctx,
          subject,
          `update ${describeRef(role)}`,
          [
            ask(ctx, 'update', RBAC_GROUP, resource, { name: role.name, ...scope }),
            ask(ctx, 'patch', RBAC_GROUP, resource, { name: role.name, ...scope }),
          ],
          role.namespace,
        ),
      ];
      how = `add every permission to ${describeRef(role)}`;
    }
    if (!qualifies(steps)) continue;
    const boundBy = `${describeRef(bound.binding)} binds it to that role ${bound.namespace === null ? 'cluster-wide' : `in namespace ${bound.namespace}`}`;
    if (bound.namespace === null) {
      routes.push({
        severity: 'critical',
        steps,
        outcome: `, so it can ${how}; ${boundBy}`,
        target: { role: refOf(role), binding: refOf(bound.binding), scope: 'cluster' },
      });
    } else {
      const sa = accounts![0]!;
      routes.push({
        severity: 'high',
        steps,
        outcome: `, so it can ${how}; ${boundBy}, which makes it admin there, and it can run pods as ${accountOutcome(ctx, sa)}`,
        target: {
          role: refOf(role),
          binding: refOf(bound.binding),
          namespace: bound.namespace,
          serviceAccounts: accounts!.map((a) => accountTarget(ctx, a)),
        },
      });
    }
  }
  return routes;
}

function impersonate(ctx: EscalationContext, subject: SubjectRef, reach: Reach): Route[] {
  const routes: Route[] = [];
  if (!reach.clusterWide && reach.namespaces.size === 0) return routes;
  // Impersonating groups needs an impersonated user (or ServiceAccount) in the same request.
  const asSomeone = step(ctx, subject, 'impersonate a user or ServiceAccount to carry the group', [
    ask(ctx, 'impersonate', '', 'users'),
    ask(ctx, 'impersonate', '', 'serviceaccounts'),
  ]);
  // Users and groups are cluster-scoped: only cluster-wide grants impersonate them.
  for (const target of reach.clusterWide ? ctx.privileges.privilegedUsersAndGroups() : []) {
    if (subjectKey(target) === subjectKey(subject)) continue;
    const masters = subjectKey(target) === subjectKey(SYSTEM_MASTERS);
    if (target.kind === 'User') {
      const steps = [
        step(ctx, subject, `impersonate ${describeSubject(target)}`, [
          ask(ctx, 'impersonate', '', 'users', { name: target.name }),
        ]),
      ];
      if (!qualifies(steps)) continue;
      routes.push({
        severity: 'critical',
        steps,
        outcome: `; ${adminFact(ctx, target)}`,
        target: { impersonates: target, clusterAdminThrough: ctx.privileges.adminEvidence(target) },
      });
    } else {
      const steps = [
        step(ctx, subject, `impersonate ${describeSubject(target)}`, [
          ask(ctx, 'impersonate', '', 'groups', { name: target.name }),
        ]),
        asSomeone,
      ];
      if (!qualifies(steps)) continue;
      routes.push({
        severity: 'critical',
        steps,
        outcome: masters
          ? ', and so act as a member of Group system:masters, whose members bypass RBAC'
          : `, and so act as a member of it; ${adminFact(ctx, target)}`,
        target: { impersonates: target, clusterAdminThrough: ctx.privileges.adminEvidence(target) },
      });
    }
  }
  for (const sa of ctx.privileges.privilegedServiceAccounts()) {
    if (!reaches(reach, sa.namespace ?? '')) continue;
    const steps = [
      step(
        ctx,
        subject,
        `impersonate ${describeSubject(sa)}`,
        [ask(ctx, 'impersonate', '', 'serviceaccounts', { name: sa.name, namespace: sa.namespace ?? '' })],
        sa.namespace,
      ),
    ];
    if (!qualifies(steps)) continue;
    routes.push({
      severity: 'critical',
      steps,
      outcome: `; ${adminFact(ctx, sa)}`,
      target: accountTarget(ctx, sa),
    });
  }
  return routes;
}

function tokenRequest(ctx: EscalationContext, subject: SubjectRef, reach: Reach): Route[] {
  const routes: Route[] = [];
  for (const sa of ctx.privileges.privilegedServiceAccounts()) {
    if (!reaches(reach, sa.namespace ?? '')) continue;
    const steps = [
      step(
        ctx,
        subject,
        `create tokens for ${describeSubject(sa)}`,
        [
          ask(ctx, 'create', '', 'serviceaccounts', {
            subresource: 'token',
            name: sa.name,
            namespace: sa.namespace ?? '',
          }),
        ],
        sa.namespace,
      ),
    ];
    if (!qualifies(steps)) continue;
    routes.push({
      severity: 'critical',
      steps,
      outcome: `; ${adminFact(ctx, sa)}`,
      target: accountTarget(ctx, sa),
    });
  }
  return routes;
}

/**
 * A Secret of type kubernetes.io/service-account-token annotated with a ServiceAccount's name is filled with a
 * long-lived token for that account by the token controller: create plus read of Secrets in the namespace
 * is a token for any ServiceAccount there. The subject names the Secret, so a read limited by name serves.
 */
function secretToken(ctx: EscalationContext, subject: SubjectRef, reach: Reach): Route[] {
  const routes: Route[] = [];
  for (const [namespace, accounts] of privilegedByNamespace(ctx)) {
    if (!reaches(reach, namespace)) continue;
    const steps = [
      step(
        ctx,
        subject,
        `create Secrets in namespace ${namespace}`,
        [ask(ctx, 'create', '', 'secrets', { namespace })],
        namespace,
      ),
      step(
        ctx,
        subject,
        `read Secrets in namespace ${namespace}`,
        [ask(ctx, 'get', '', 'secrets', { namespace }), ask(ctx, 'list', '', 'secrets', { namespace })],
        namespace,
      ),
    ];
    if (!qualifies(steps)) continue;
    const sa = accounts[0]!;
    routes.push({
      severity: 'critical',
      steps,
      outcome: `, so it can have the token controller issue a long-lived token for ${accountOutcome(ctx, sa)}`,
      target: { namespace, serviceAccounts: accounts.map((a) => accountTarget(ctx, a)) },
    });
  }
  return routes;
}

/** EKS reads kube-system/aws-auth unless the cluster authenticates through access entries only. */
function awsAuthApplies(snapshot: Snapshot): boolean {
  const mode = snapshot.eks?.cluster.accessConfig?.authenticationMode;
  if (mode === 'API') return false;
  return snapshot.kubernetes.awsAuth !== null || snapshot.cluster.platform === 'eks';
}

function awsAuth(ctx: EscalationContext, subject: SubjectRef, reach: Reach): Route[] {
  if (!awsAuthApplies(ctx.snapshot) || !reaches(reach, 'kube-system')) return [];
  const exists = ctx.snapshot.kubernetes.awsAuth !== null;
  const asks = [
    ask(ctx, 'update', '', 'configmaps', { name: 'aws-auth', namespace: 'kube-system' }),
    ask(ctx, 'patch', '', 'configmaps', { name: 'aws-auth', namespace: 'kube-system' }),
  ];
  // Where it does not exist yet, whoever creates it decides the mappings.
  if (!exists) asks.push(ask(ctx, 'create', '', 'configmaps', { namespace: 'kube-system' }));
  const steps = [
    step(ctx, subject, `${exists ? 'change' : 'create'} ConfigMap kube-system/aws-auth`, asks, 'kube-system'),
  ];
  if (!qualifies(steps)) return [];
  return [
    {
      severity: 'critical',
      steps,
      outcome:
        ', and so map an IAM identity it controls into Group system:masters, whose members bypass RBAC',
      target: {
        configMap: { namespace: 'kube-system', name: 'aws-auth', exists },
        authenticationMode: ctx.snapshot.eks?.cluster.accessConfig?.authenticationMode ?? 'unknown',
      },
    },
  ];
}

export const DETECTORS: Record<
  PathKind,
  (ctx: EscalationContext, subject: SubjectRef, reach: Reach) => Route[]
> = {
  'pod-service-account': podServiceAccount,
  'bind-role': bindRole,
  'escalate-role': escalateRole,
  impersonate,
  'token-request': tokenRequest,
  'secret-token': secretToken,
  'aws-auth': awsAuth,
};
