import type { BoundRole } from '../../rbac/index-builder.ts';
import type { PolicyRule } from '../../snapshot/model.ts';

/**
 * What "no more than discovery" means for the groups every client is in (system:authenticated,
 * system:unauthenticated): reading the API's description of itself and its health, and asking what one may do
 * oneself. These are what the default system:discovery, system:basic-user and system:public-info-viewer
 * ClusterRoles grant.
 */

/** Non-resource paths that describe the API, its health or its token issuer. */
const DISCOVERY_PATHS: ReadonlySet<string> = new Set([
  '/api',
  '/apis',
  '/openapi',
  '/version',
  '/version/',
  '/healthz',
  '/livez',
  '/readyz',
  '/.well-known/openid-configuration',
  '/.well-known/openid-configuration/',
  '/openid/v1/jwks',
  '/openid/v1/jwks/',
]);

/** `/api/*` and the like: every path under these is discovery or health too. */
const DISCOVERY_PREFIXES = ['/api/', '/apis/', '/openapi/', '/healthz/', '/livez/', '/readyz/'];

const READ_VERBS: ReadonlySet<string> = new Set(['get', 'head']);

/** Reviews that only answer questions about the caller itself; create is all they support. */
const SELF_REVIEW_GROUPS: ReadonlySet<string> = new Set(['authorization.k8s.io', 'authentication.k8s.io']);
const SELF_REVIEWS: ReadonlySet<string> = new Set([
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'selfsubjectreviews',
]);

function isDiscoveryPath(spec: string): boolean {
  if (DISCOVERY_PATHS.has(spec)) return true;
  if (!spec.endsWith('*')) return false;
  const prefix = spec.replace(/\*+$/, '');
  return DISCOVERY_PREFIXES.some((allowed) => prefix.startsWith(allowed));
}

/**
 * True when the rule grants nothing beyond discovery in the given scope. Non-resource URLs only take effect
 * through a cluster-wide binding; resources must be self-reviews in their own API groups.
 */
export function isDiscoveryOnlyRule(rule: PolicyRule, clusterWide: boolean): boolean {
  if (rule.verbs.length === 0) return true;
  if (clusterWide && rule.nonResourceURLs.length > 0) {
    if (!rule.verbs.every((verb) => READ_VERBS.has(verb))) return false;
    if (!rule.nonResourceURLs.every(isDiscoveryPath)) return false;
  }
  if (rule.apiGroups.length > 0 && rule.resources.length > 0) {
    if (!rule.apiGroups.every((group) => SELF_REVIEW_GROUPS.has(group))) return false;
    if (!rule.resources.every((resource) => SELF_REVIEWS.has(resource))) return false;
  }
  return true;
}

/** The rules of a bound role that grant more than discovery, with their index in the role. */
export function rulesBeyondDiscovery(bound: BoundRole): { ruleIndex: number; rule: PolicyRule }[] {
  const out: { ruleIndex: number; rule: PolicyRule }[] = [];
  bound.role.rules.forEach((rule, ruleIndex) => {
    if (!isDiscoveryOnlyRule(rule, bound.namespace === null)) out.push({ ruleIndex, rule });
  });
  return out;
}

/** `get,list on secrets`, `get on /metrics`, `* on * in every API group`: a rule in a few words for a message. */
export function summariseRule(rule: PolicyRule): string {
  const verbs = rule.verbs.join(',');
  const urls = rule.nonResourceURLs.join(', ');
  if (rule.resources.length === 0) return `${verbs} on ${urls}`;
  let groups: string;
  if (rule.apiGroups.includes('*')) groups = ' in every API group';
  else if (rule.apiGroups.length === 1) groups = rule.apiGroups[0] ? ` in ${rule.apiGroups[0]}` : '';
  else groups = ` in API groups ${rule.apiGroups.map((g) => g || 'core').join(', ')}`;
  const names = rule.resourceNames.length > 0 ? ` (only ${rule.resourceNames.join(', ')})` : '';
  return `${verbs} on ${rule.resources.join(', ')}${groups}${names}${urls ? ` and ${urls}` : ''}`;
}
