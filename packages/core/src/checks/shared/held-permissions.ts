import type { FindingDraft, ResourceRef, Severity } from '../../audit/types.ts';
import {
  type BindingRef,
  type Grant,
  implicitGroups,
  type RbacIndex,
  type SubjectRef,
  subjectKey,
  type WhoCanQuery,
} from '../../rbac/index-builder.ts';
import type { PolicyRule } from '../../snapshot/model.ts';
import { describeSubject, grantEvidence, resourceOfGrant } from './grants.ts';

/**
 * Helpers for checks whose risk is a subject holding a permission: ask the RBAC index once per
 * permission, then report one finding per subject and binding however many rules of that binding match.
 */

/** A permission a check asks about, with the words its messages use. */
/** A question about a resource (not a non-resource URL). */
export type ResourceQuery = Extract<WhoCanQuery, { resource: string }>;

export interface Permission<Q extends WhoCanQuery = WhoCanQuery> {
  /** `create pods/exec`, `update validatingwebhookconfigurations`. */
  label: string;
  query: Q;
}

export interface HeldPermission<Q extends WhoCanQuery = WhoCanQuery> {
  permission: Permission<Q>;
  grant: Grant;
}

/**
 * A create (or deletecollection) of a top-level object reaches the authorizer without an object name, so
 * a rule limited by resourceNames never grants it. Subresource requests (`pods/exec`, `serviceaccounts/token`)
 * do carry the parent's name and stay limited to the names listed.
 */
export function namesCanApply(query: WhoCanQuery): boolean {
  if (query.nonResourceURL !== undefined) return true;
  if (query.subresource !== undefined || query.name !== undefined) return true;
  return query.verb !== 'create' && query.verb !== 'deletecollection';
}

/**
 * The authorizer's own entry for the system:masters group: not a finding about the group, which the
 * system:masters check reports through whoever is put into it (IAM principals mapped into it stay).
 */
export function isMastersEntry(grant: Grant): boolean {
  return grant.binding.kind === 'Authorizer' && grant.subject.kind === 'Group';
}

/**
 * A grant that reaches an IAM principal through group system:masters by a binding (the default `cluster-admin`
 * one, say). The authorizer lets members of the group do everything before RBAC is asked, so such a binding
 * changes nothing for them: the principal is reported once, through the authorizer's entry, instead of once
 * per binding that happens to name the group.
 */
export function isShadowedByMasters(grant: Grant): boolean {
  return (
    grant.binding.kind !== 'Authorizer' &&
    grant.via?.through.kind === 'Group' &&
    grant.via.through.name === 'system:masters'
  );
}

/** Every grant of each permission, without the ones the authorizer would never apply. */
export function whoHolds<Q extends WhoCanQuery>(
  rbac: RbacIndex,
  permissions: readonly Permission<Q>[],
): HeldPermission<Q>[] {
  const out: HeldPermission<Q>[] = [];
  for (const permission of permissions) {
    const namesApply = namesCanApply(permission.query);
    for (const grant of rbac.whoCan(permission.query)) {
      if (grant.match === 'names' && !namesApply) continue;
      if (isMastersEntry(grant) || isShadowedByMasters(grant)) continue;
      out.push({ permission, grant });
    }
  }
  return out;
}

export function bindingKey(binding: BindingRef): string {
  return `${binding.kind}:${binding.namespace ?? ''}/${binding.name}`;
}

/** What one subject holds through one binding. */
export interface BindingHolding<Q extends WhoCanQuery = WhoCanQuery> {
  subject: SubjectRef;
  /** The first grant found: its binding, role and mapping are the holding's. */
  grant: Grant;
  held: HeldPermission<Q>[];
}

/** Groups grants by subject and binding, keeping the order in which they were found. */
export function groupBySubjectAndBinding<Q extends WhoCanQuery>(
  held: readonly HeldPermission<Q>[],
): BindingHolding<Q>[] {
  const groups = new Map<string, BindingHolding<Q>>();
  for (const item of held) {
    const key = `${subjectKey(item.grant.subject)}|${bindingKey(item.grant.binding)}`;
    const group = groups.get(key);
    if (group) group.held.push(item);
    else groups.set(key, { subject: item.grant.subject, grant: item.grant, held: [item] });
  }
  return [...groups.values()];
}

/** `ClusterRole edit`, `Role ci/deployer`. */
export function describeRef(ref: { kind: string; name: string; namespace?: string }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** The authorizer's own grant has no role or binding to name. */
export const MASTERS_ROUTE =
  'membership of group system:masters, whose members the API server lets do anything without consulting RBAC';

/** The subject, and for an IAM principal how it reaches the Kubernetes identity that is bound. */
export function describeHolder(grant: Grant): string {
  if (!grant.via) return describeSubject(grant.subject);
  const by = grant.via.mapping.kind === 'aws-auth' ? 'aws-auth' : 'an EKS access entry';
  return `${describeSubject(grant.subject)} (mapped by ${by} to ${describeSubject(grant.via.through)})`;
}

/** `ClusterRole edit bound in namespace ci by RoleBinding ci/devs`. */
export function describeRoute(grant: Grant): string {
  if (grant.binding.kind === 'Authorizer') return MASTERS_ROUTE;
  const where = grant.namespace === null ? 'cluster-wide' : `in namespace ${grant.namespace}`;
  return `${describeRef(grant.role)} bound ${where} by ${describeRef(grant.binding)}`;
}

/** `create pods/exec (only web-0, web-1)`. */
export function describeHeld(item: HeldPermission): string {
  return item.grant.match === 'names'
    ? `${item.permission.label} (only ${item.grant.rule.resourceNames.join(', ')})`
    : item.permission.label;
}

/**
 * The permissions of a holding in words, verbs grouped per resource and resources with the same verbs merged:
 * `create and get pods/exec`, `update and patch mutatingwebhookconfigurations (only sidecar-injector)`. A
 * permission granted for every object by one rule is not narrowed by another rule's resourceNames.
 */
export function describeHeldSet(held: readonly HeldPermission[]): string {
  // The words depend only on the labels, matches and names, and thousands of holdings share them (every
  // RoleBinding to edit): phrase each combination once.
  let key = '';
  for (const item of held) {
    key += `${item.permission.label}\u0000${item.grant.match === 'all' ? 'a' : `n${item.grant.rule.resourceNames.join('\u0002')}`}\u0001`;
  }
  let words = heldSetWords.get(key);
  if (words === undefined) {
    words = phraseHeldSet(held);
    if (heldSetWords.size >= 10_000) heldSetWords.clear();
    heldSetWords.set(key, words);
  }
  return words;
}

const heldSetWords = new Map<string, string>();

function phraseHeldSet(held: readonly HeldPermission[]): string {
  // label -> names it is limited to (null: every object)
  const limits = new Map<string, Set<string> | null>();
  for (const item of held) {
    const label = item.permission.label;
    const current = limits.get(label);
    if (item.grant.match === 'all' || current === null) limits.set(label, null);
    else {
      const names = current ?? new Set<string>();
      for (const name of item.grant.rule.resourceNames) names.add(name);
      limits.set(label, names);
    }
  }
  // "verbs|names" -> targets, keeping first-seen order
  const phrases = new Map<string, { verbs: string[]; names: string; targets: string[] }>();
  const byTarget = new Map<string, Map<string, string[]>>();
  for (const [label, names] of limits) {
    const space = label.indexOf(' ');
    const verb = space === -1 ? label : label.slice(0, space);
    const target = space === -1 ? '' : label.slice(space + 1);
    const namesKey = names === null ? '' : [...names].join(', ');
    const perNames = byTarget.get(target) ?? new Map<string, string[]>();
    byTarget.set(target, perNames);
    const verbs = perNames.get(namesKey) ?? [];
    perNames.set(namesKey, verbs);
    if (!verbs.includes(verb)) verbs.push(verb);
  }
  for (const [target, perNames] of byTarget) {
    for (const [names, verbs] of perNames) {
      const key = `${verbs.join(',')}|${names}`;
      const phrase = phrases.get(key) ?? { verbs, names, targets: [] };
      phrases.set(key, phrase);
      phrase.targets.push(target);
    }
  }
  const words = [...phrases.values()].map(
    (p) => `${joinWords(p.verbs)} ${joinWords(p.targets)}${p.names ? ` (only ${p.names})` : ''}`,
  );
  // Phrases hold their own "and": a comma before the last one keeps them apart.
  if (words.length <= 1) return words[0] ?? '';
  return words.length === 2 && !words.some((w) => w.includes(' and '))
    ? joinWords(words)
    : `${words.slice(0, -1).join(', ')}, and ${words[words.length - 1]}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinWords(words: readonly string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
}

export function compactRule(rule: PolicyRule): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(rule)) if (value.length > 0) out[key] = value;
  return out;
}

/**
 * Evidence for one holding: the trace subject -> (mapping) -> binding -> role, then every matching rule with
 * the permissions it grants.
 */
export function holdingEvidence(holding: BindingHolding): Record<string, unknown> {
  const { ruleIndex: _ruleIndex, rule: _rule, ...base } = grantEvidence(holding.grant);
  const rules = new Map<number, { ruleIndex: number; rule: Record<string, string[]>; grants: string[] }>();
  for (const item of holding.held) {
    const entry = rules.get(item.grant.ruleIndex);
    if (entry) {
      if (!entry.grants.includes(item.permission.label)) entry.grants.push(item.permission.label);
    } else {
      rules.set(item.grant.ruleIndex, {
        ruleIndex: item.grant.ruleIndex,
        rule: compactRule(item.grant.rule),
        grants: [item.permission.label],
      });
    }
  }
  return { ...base, rules: [...rules.values()] };
}

/** One finding for one holding, pointing at its binding. */
export function holdingFinding(
  holding: BindingHolding,
  message: string,
  options: { severity?: Severity; evidence?: Record<string, unknown> } = {},
): FindingDraft {
  const finding: FindingDraft = {
    resource: resourceOfGrant(holding.grant),
    subject: holding.subject,
    message,
    evidence: { ...holdingEvidence(holding), ...options.evidence },
  };
  if (options.severity) finding.severity = options.severity;
  return finding;
}

/** Grants indexed by the subject that holds them. */
export type GrantsBySubject = Map<string, Grant[]>;

export function indexBySubject(grants: Iterable<Grant>): GrantsBySubject {
  const out: GrantsBySubject = new Map();
  for (const grant of grants) {
    const key = subjectKey(grant.subject);
    const list = out.get(key);
    if (list) list.push(grant);
    else out.set(key, [grant]);
  }
  return out;
}

/**
 * What a subject holds: `own` grants name it (directly or through its IAM mapping); `inherited` ones reach it
 * through a group Kubernetes adds to every request it makes (system:authenticated, system:serviceaccounts...).
 * A finding about what a subject can do combining several permissions must count both; it belongs to the
 * subject only when at least one of them is its own, otherwise it belongs to the group.
 */
export interface Holdings {
  own: Grant[];
  inherited: Grant[];
}

export function holdingsOf(subject: SubjectRef, index: GrantsBySubject): Holdings {
  const own = index.get(subjectKey(subject)) ?? [];
  const inherited: Grant[] = [];
  for (const group of implicitGroups(subject)) {
    inherited.push(...(index.get(subjectKey({ kind: 'Group', name: group })) ?? []));
  }
  return { own, inherited };
}

export function allOf(holdings: Holdings): Grant[] {
  return [...holdings.own, ...holdings.inherited];
}

export function isHeld(holdings: Holdings): boolean {
  return holdings.own.length > 0 || holdings.inherited.length > 0;
}

/** Deterministic order for grants: by binding, then rule. */
export function compareGrants(a: Grant, b: Grant): number {
  return (
    bindingKey(a.binding).localeCompare(bindingKey(b.binding)) ||
    a.role.name.localeCompare(b.role.name) ||
    a.ruleIndex - b.ruleIndex
  );
}

export function resourceOfFirst(grants: readonly Grant[]): ResourceRef | undefined {
  const first = [...grants].sort(compareGrants)[0];
  return first ? resourceOfGrant(first) : undefined;
}
