import type { ResourceRef } from '../../audit/types.ts';
import type { Grant, SubjectRef } from '../../rbac/index-builder.ts';

/** `User alice`, `ServiceAccount ci/deployer`, `IAMPrincipal arn:aws:iam::...`. */
export function describeSubject(subject: SubjectRef): string {
  return subject.kind === 'ServiceAccount'
    ? `ServiceAccount ${subject.namespace ?? '?'}/${subject.name}`
    : `${subject.kind} ${subject.name}`;
}

function describeObject(ref: { kind: string; name: string; namespace?: string }): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** One sentence naming subject, mapping, binding and role, so a person can act without opening the cluster. */
export function describeGrant(grant: Grant): string {
  const via = grant.via
    ? ` (mapped by ${grant.via.mapping.kind === 'aws-auth' ? 'aws-auth' : 'an EKS access entry'} to ${describeSubject(grant.via.through)})`
    : '';
  if (grant.binding.kind === 'Authorizer') {
    return `${describeSubject(grant.subject)}${via} is a member of group system:masters, whose members the API server lets do anything without consulting RBAC`;
  }
  const where = grant.namespace === null ? 'cluster-wide' : `in namespace ${grant.namespace}`;
  const names = grant.match === 'names' ? ` (only for ${grant.rule.resourceNames.join(', ')})` : '';
  return `${describeSubject(grant.subject)}${via} is granted ${describeObject(grant.role)} ${where} by ${describeObject(grant.binding)}${names}`;
}

/** The binding is the object to change: findings about a subject's permission point at it. */
export function resourceOfGrant(grant: Grant): ResourceRef {
  const ref: ResourceRef = { kind: grant.binding.kind, name: grant.binding.name };
  if (grant.binding.namespace) ref.namespace = grant.binding.namespace;
  return ref;
}

/** Evidence that traces subject -> (mapping) -> binding -> role -> rule. */
export function grantEvidence(grant: Grant): Record<string, unknown> {
  const evidence: Record<string, unknown> = {
    trace: [
      ...(grant.via
        ? [
            {
              kind: grant.via.mapping.kind,
              principalArn: grant.via.mapping.principalArn,
              ...(grant.via.mapping.source
                ? { list: grant.via.mapping.source, index: grant.via.mapping.index }
                : {}),
              as: grant.via.through,
            },
          ]
        : []),
      {
        kind: grant.binding.kind,
        name: grant.binding.name,
        ...(grant.binding.namespace ? { namespace: grant.binding.namespace } : {}),
      },
      {
        kind: grant.role.kind,
        name: grant.role.name,
        ...(grant.role.namespace ? { namespace: grant.role.namespace } : {}),
      },
    ],
    ruleIndex: grant.ruleIndex,
    rule: compactRule(grant.rule),
    scope: grant.namespace === null ? 'cluster' : { namespace: grant.namespace },
  };
  if (grant.role.aggregatedFrom?.length) evidence.aggregatedFrom = grant.role.aggregatedFrom;
  return evidence;
}

function compactRule(rule: Grant['rule']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(rule)) if (value.length > 0) out[key] = value;
  return out;
}
