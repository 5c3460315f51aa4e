import { InputError } from '../errors.ts';
import type { PolicyRule } from '../snapshot/model.ts';

/**
 * One request as the Kubernetes authorizer sees it. `apiGroup` undefined means "any group" (used when a
 * question names a resource whose group is not known); `name` undefined means "any object of that resource".
 */
export interface ResourceRequest {
  verb: string;
  apiGroup?: string;
  resource: string;
  subresource?: string;
  name?: string;
}

/**
 * How a rule matches a request: `all` grants it for every object, `names` only for the objects listed in
 * the rule's resourceNames (a request without a name then matches just those), or `null` not at all.
 */
export type RuleMatch = 'all' | 'names' | null;

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  const verbs = rule.verbs;
  for (let i = 0; i < verbs.length; i++) {
    const v = verbs[i];
    if (v === ALL || v === verb) return true;
  }
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string | undefined): boolean {
  if (group === undefined) return rule.apiGroups.length > 0;
  const groups = rule.apiGroups;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g === ALL || g === group) return true;
  }
  return false;
}

/**
 * The authorizer's resource match: `*` matches everything (subresources too), an exact `resource` or
 * `resource/subresource` matches itself, and `*\/subresource` matches that subresource of any resource.
 * `pods` does not match `pods/exec`, and `pods/*` is not a wildcard.
 */
export function resourceMatches(rule: PolicyRule, resource: string, subresource?: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  const resources = rule.resources;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    if (r === ALL || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) {
      return true;
    }
  }
  return false;
}

export function resourceNameMatch(rule: PolicyRule, name: string | undefined): RuleMatch {
  if (rule.resourceNames.length === 0) return 'all';
  if (name === undefined) return 'names';
  return rule.resourceNames.includes(name) ? 'all' : null;
}

/** Does this rule grant the request? */
export function matchResourceRule(rule: PolicyRule, request: ResourceRequest): RuleMatch {
  if (!verbMatches(rule, request.verb)) return null;
  if (!apiGroupMatches(rule, request.apiGroup)) return null;
  if (!resourceMatches(rule, request.resource, request.subresource)) return null;
  return resourceNameMatch(rule, request.name);
}

/**
 * Non-resource URLs: `*`, an exact path, or a prefix ending in `*` (`/healthz/*`). Like the authorizer's
 * strings.TrimRight, every trailing `*` is dropped before the prefix comparison (`/api**` is `/api*`).
 */
export function matchNonResourceRule(rule: PolicyRule, verb: string, path: string): boolean {
  if (!verbMatches(rule, verb)) return false;
  for (const spec of rule.nonResourceURLs) {
    if (spec === ALL || spec === path) return true;
    if (spec.endsWith('*') && path.startsWith(trimTrailingStars(spec))) return true;
  }
  return false;
}

function trimTrailingStars(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 42 /* '*' */) end--;
  return value.slice(0, end);
}

/** A rule equivalent to `*` verbs on `*` resources in `*` groups: full control of whatever it is scoped to. */
export function isFullWildcardRule(rule: PolicyRule): boolean {
  return (
    rule.verbs.includes(ALL) &&
    rule.apiGroups.includes(ALL) &&
    rule.resources.includes(ALL) &&
    rule.resourceNames.length === 0
  );
}

/**
 * Well-known resources and their API groups, so a question like `who-can get deployments` needs no
 * discovery call. `resource.group` spelled out always wins.
 */
export const KNOWN_RESOURCE_GROUPS: Readonly<Record<string, string>> = {
  pods: '',
  secrets: '',
  configmaps: '',
  services: '',
  endpoints: '',
  namespaces: '',
  nodes: '',
  persistentvolumes: '',
  persistentvolumeclaims: '',
  serviceaccounts: '',
  events: '',
  replicationcontrollers: '',
  resourcequotas: '',
  limitranges: '',
  deployments: 'apps',
  daemonsets: 'apps',
  statefulsets: 'apps',
  replicasets: 'apps',
  controllerrevisions: 'apps',
  jobs: 'batch',
  cronjobs: 'batch',
  roles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io',
  clusterroles: 'rbac.authorization.k8s.io',
  clusterrolebindings: 'rbac.authorization.k8s.io',
  certificatesigningrequests: 'certificates.k8s.io',
  signers: 'certificates.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  validatingadmissionpolicies: 'admissionregistration.k8s.io',
  validatingadmissionpolicybindings: 'admissionregistration.k8s.io',
  customresourcedefinitions: 'apiextensions.k8s.io',
  networkpolicies: 'networking.k8s.io',
  ingresses: 'networking.k8s.io',
  storageclasses: 'storage.k8s.io',
  podsecuritypolicies: 'policy',
  poddisruptionbudgets: 'policy',
  tokenreviews: 'authentication.k8s.io',
  subjectaccessreviews: 'authorization.k8s.io',
  selfsubjectaccessreviews: 'authorization.k8s.io',
  selfsubjectrulesreviews: 'authorization.k8s.io',
  leases: 'coordination.k8s.io',
  horizontalpodautoscalers: 'autoscaling',
  users: '',
  groups: '',
  userextras: 'authentication.k8s.io',
  uids: 'authentication.k8s.io',
};

/** Kinds that are not namespaced: a RoleBinding can never grant them. */
export const CLUSTER_SCOPED_RESOURCES: ReadonlySet<string> = new Set([
  'nodes',
  'namespaces',
  'persistentvolumes',
  'clusterroles',
  'clusterrolebindings',
  'certificatesigningrequests',
  'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'customresourcedefinitions',
  'storageclasses',
  'podsecuritypolicies',
  'tokenreviews',
  'subjectaccessreviews',
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'users',
  'groups',
  'userextras',
  'uids',
  'signers',
  'componentstatuses',
  'apiservices',
  'priorityclasses',
  'runtimeclasses',
  'ingressclasses',
  'csidrivers',
  'csinodes',
  'volumeattachments',
  'flowschemas',
  'prioritylevelconfigurations',
  'mutatingadmissionpolicies',
  'mutatingadmissionpolicybindings',
  'selfsubjectreviews',
  'clustertrustbundles',
]);

/**
 * Parses `RESOURCE[.GROUP][/SUBRESOURCE]` as kubectl writes it (`deployments.apps`, `pods/exec`).
 * The group is looked up for well-known resources; otherwise it stays undefined (any group).
 */
export function parseResourceArg(arg: string): { resource: string; apiGroup?: string; subresource?: string } {
  const parts = arg.split('/');
  const [head = '', subresource] = parts;
  if (parts.length > 2 || head === '' || head.startsWith('.') || subresource === '') {
    throw new InputError(
      'resource',
      `"${arg.slice(0, 200)}" is not RESOURCE[.GROUP][/SUBRESOURCE] (e.g. pods, deployments.apps, pods/exec)`,
    );
  }
  const dot = head.indexOf('.');
  const resource = dot === -1 ? head : head.slice(0, dot);
  const group = dot === -1 ? KNOWN_RESOURCE_GROUPS[resource] : head.slice(dot + 1);
  const out: { resource: string; apiGroup?: string; subresource?: string } = { resource };
  if (group !== undefined) out.apiGroup = group;
  if (subresource) out.subresource = subresource;
  return out;
}
