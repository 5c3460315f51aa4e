import type { Check, FindingDraft, ResourceRef, Severity } from '../../audit/types.ts';
import type { BoundRole, RbacIndex, RoleInfo } from '../../rbac/index-builder.ts';
import type { PolicyRule } from '../../snapshot/model.ts';
import { joinWords } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

type WildcardField = 'verbs' | 'resources' | 'apiGroups';

/**
 * The wildcard entries of one rule field. In resources both `*` and `*\/sub` (that subresource of every
 * resource) are wildcards for the authorizer; `pods/*` is not (it is matched literally and grants nothing).
 */
function wildcardsIn(rule: PolicyRule, field: WildcardField): string[] {
  if (field === 'resources') return rule.resources.filter((r) => r === '*' || r.startsWith('*/'));
  return rule[field].filter((value) => value === '*');
}

const FIELDS: readonly WildcardField[] = ['verbs', 'resources', 'apiGroups'];

function refOf(role: RoleInfo): ResourceRef {
  return role.namespace
    ? { kind: role.kind, name: role.name, namespace: role.namespace }
    : { kind: role.kind, name: role.name };
}

function describeRole(role: RoleInfo): string {
  return role.namespace ? `${role.kind} ${role.namespace}/${role.name}` : `${role.kind} ${role.name}`;
}

const sameRule = (a: PolicyRule, b: PolicyRule) => JSON.stringify(a) === JSON.stringify(b);

/** The aggregated ClusterRoles that hold an identical rule: where an aggregated wildcard comes from. */
function sourcesOf(rbac: RbacIndex, role: RoleInfo, rule: PolicyRule): string[] {
  return (role.aggregatedFrom ?? []).filter((name) =>
    rbac.roles.get(`ClusterRole:${name}`)?.rules.some((other) => sameRule(other, rule)),
  );
}

export const check: Check = {
  meta,
  run({ rbac }) {
    const findings: FindingDraft[] = [];
    // The bindings of each role, found in one pass: filtering every binding per role grows with the square
    // of the cluster.
    const boundByRole = new Map<RoleInfo, BoundRole[]>();
    for (const bound of rbac.boundRoles) {
      const list = boundByRole.get(bound.role);
      if (list) list.push(bound);
      else boundByRole.set(bound.role, [bound]);
    }
    for (const role of rbac.roles.values()) {
      if (role.kind !== 'ClusterRole' && role.kind !== 'Role') continue;
      const fields = new Set<WildcardField>();
      const rules: Record<string, unknown>[] = [];
      let fullWildcard = false;
      const sources = new Set<string>();
      role.rules.forEach((rule, ruleIndex) => {
        const hits: Partial<Record<WildcardField, string[]>> = {};
        for (const field of FIELDS) {
          const found = wildcardsIn(rule, field);
          if (found.length > 0) {
            hits[field] = found;
            fields.add(field);
          }
        }
        if (Object.keys(hits).length === 0) return;
        if (hits.verbs && rule.resources.includes('*') && rule.apiGroups.includes('*')) fullWildcard = true;
        const from = sourcesOf(rbac, role, rule);
        for (const name of from) sources.add(name);
        rules.push({ ruleIndex, rule: compact(rule), wildcards: hits, ...(from.length ? { from } : {}) });
      });
      if (fields.size === 0) continue;
      const severity: Severity = fullWildcard
        ? 'high'
        : fields.has('verbs') || fields.has('resources')
          ? 'medium'
          : 'low';
      const ordered = FIELDS.filter((f) => fields.has(f));
      const bindings = (boundByRole.get(role) ?? []).map((bound) => ({
        kind: bound.binding.kind,
        name: bound.binding.name,
        ...(bound.binding.namespace ? { namespace: bound.binding.namespace } : {}),
      }));
      const aggregated = sources.size
        ? `, pulled in by aggregation from ${joinWords([...sources].map((s) => `ClusterRole ${s}`))}`
        : '';
      const where = rules.map((r) => r.ruleIndex).join(', ');
      const finding: FindingDraft = {
        resource: refOf(role),
        message:
          `${describeRole(role)} has \`*\` in ${joinWords(ordered)} (rule${rules.length > 1 ? 's' : ''} ${where}` +
          `${aggregated}), so it grants whatever those fields cover now or later` +
          `; ${usage(bindings.length)}.`,
        evidence: {
          fields: ordered,
          rules,
          bindings: bindings.slice(0, 20),
          bindingCount: bindings.length,
          ...(role.aggregatedFrom ? { aggregatedFrom: role.aggregatedFrom } : {}),
        },
      };
      if (severity !== meta.severity) finding.severity = severity;
      findings.push(finding);
    }
    return findings;
  },
};

function usage(count: number): string {
  if (count === 0) return 'no binding uses it yet';
  return count === 1 ? '1 binding uses it' : `${count} bindings use it`;
}

function compact(rule: PolicyRule): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(rule)) if (value.length > 0) out[key] = value;
  return out;
}
