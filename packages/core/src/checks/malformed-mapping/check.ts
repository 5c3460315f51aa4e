import type { Check, CheckContext, FindingDraft } from '../../audit/types.ts';
import { type AwsAuthMapping, isTemplated } from '../../identity/aws-auth.ts';
import { clusterAwsAuth } from '../../identity/aws-auth-resolution.ts';
import type { SubjectRef } from '../../rbac/index-builder.ts';
import { AWS_AUTH_REF, awsAuthEntryEvidence, describeAwsAuthEntry } from '../shared/eks.ts';
import { meta } from './meta.ts';

/** Groups the API server authorizes without any binding: the RBAC bypass and the Node authorizer. */
const AUTHORIZER_GROUPS = new Set(['system:masters', 'system:nodes']);

export const check: Check = {
  meta,
  run(context) {
    const { snapshot } = context;
    const findings: FindingDraft[] = [];
    const { parsed: awsAuth, resolved } = clusterAwsAuth(snapshot);
    const hasContent = awsAuth.mappings.length + awsAuth.accounts.length + awsAuth.problems.length > 0;
    const mode = snapshot.eks?.cluster.accessConfig?.authenticationMode;

    if (mode === 'API') {
      if (hasContent) {
        findings.push({
          resource: AWS_AUTH_REF,
          message:
            'The aws-auth ConfigMap still holds entries, but the cluster authenticates in mode API, which ignores it: ' +
            'none of them grants access, and readers of the ConfigMap are misled.',
          evidence: {
            configMap: 'kube-system/aws-auth',
            authenticationMode: mode,
            entries: awsAuth.mappings.length,
            accounts: awsAuth.accounts.length,
          },
          severity: 'low',
          discriminator: 'ignored',
        });
      }
      return findings.concat(templatedUserBindings(context));
    }

    for (const problem of awsAuth.problems) {
      const where = problem.index === undefined ? problem.key : `${problem.key}[${problem.index}]`;
      const mapping = awsAuth.mappings.find((m) => m.source === problem.key && m.index === problem.index);
      const finding: FindingDraft = {
        resource: AWS_AUTH_REF,
        message:
          problem.index === undefined
            ? `aws-auth ${problem.key} ${problem.problem}: EKS cannot read the list, so every mapping in it may be lost.`
            : `aws-auth ${where}: ${problem.problem}; EKS may ignore the entry or the whole list.`,
        evidence: {
          configMap: 'kube-system/aws-auth',
          list: problem.key,
          ...(problem.index === undefined ? {} : { index: problem.index }),
          problem: problem.problem,
          ...(mapping ? { arn: mapping.arn } : {}),
        },
        severity: problem.index === undefined ? 'high' : 'medium',
        // One list error per list; an entry can have several problems.
        discriminator:
          problem.index === undefined ? `problem:${where}` : `problem:${where}:${problem.problem}`,
      };
      if (mapping) finding.subject = { kind: 'IAMPrincipal', name: mapping.arn };
      findings.push(finding);
    }

    for (const { mapping, dead } of resolved.dead) {
      findings.push({
        resource: AWS_AUTH_REF,
        subject: { kind: 'IAMPrincipal', name: mapping.arn },
        message:
          `${describeAwsAuthEntry(mapping)}: ${dead.explanation}.` +
          (dead.canonical ? ` Write it as ${dead.canonical}.` : ''),
        evidence: {
          ...awsAuthEntryEvidence(mapping),
          reason: dead.reason,
          ...(dead.canonical ? { matchesAs: dead.canonical } : {}),
        },
        discriminator: `dead:${mapping.source}[${mapping.index}]`,
      });
    }
    for (const { mapping, by } of resolved.shadowed) {
      findings.push({
        resource: AWS_AUTH_REF,
        subject: { kind: 'IAMPrincipal', name: mapping.arn },
        message:
          `${describeAwsAuthEntry(mapping)} is ignored: ${by.source}[${by.index}] maps the same ARN and EKS uses only ` +
          'that one (ARNs compare case-insensitively; the last entry wins, mapRoles before mapUsers).',
        evidence: { ...awsAuthEntryEvidence(mapping), replacedBy: awsAuthEntryEvidence(by) },
        discriminator: `shadowed:${mapping.source}[${mapping.index}]`,
      });
    }

    for (const { mapping, accessEntry } of resolved.overridden) {
      findings.push({
        resource: AWS_AUTH_REF,
        subject: { kind: 'IAMPrincipal', name: mapping.arn },
        message:
          `${describeAwsAuthEntry(mapping)} is ignored: access entry ${accessEntry} covers the same principal and EKS ` +
          'uses the access entry instead.',
        evidence: { ...awsAuthEntryEvidence(mapping), accessEntry },
        severity: 'low',
        discriminator: 'shadowed-by-access-entry',
      });
    }
    for (const mapping of resolved.effective) {
      const unbound = unboundMapping(context, mapping);
      if (unbound) findings.push(unbound);
    }
    return findings.concat(templatedUserBindings(context));
  },
};

function isReferenced({ rbac }: CheckContext, subject: SubjectRef): boolean {
  if (rbac.boundTo(subject).length > 0) return true;
  return rbac.danglingRoleRefs.some((bound) =>
    bound.subjects.some((s) => s.kind === subject.kind && s.name === subject.name),
  );
}

/** An entry whose groups (or username) no binding names: the principal signs in and holds nothing it was meant to. */
function unboundMapping(context: CheckContext, mapping: AwsAuthMapping): FindingDraft | null {
  const groups = mapping.groups.filter((g) => !AUTHORIZER_GROUPS.has(g));
  const special = mapping.groups.filter((g) => AUTHORIZER_GROUPS.has(g));
  const unboundGroups = groups.filter((g) => !isReferenced(context, { kind: 'Group', name: g }));
  const username = mapping.username;
  const templated = username !== undefined && isTemplated(username);
  const usernameBound =
    username !== undefined && !templated && isReferenced(context, { kind: 'User', name: username });
  const grantsNothing = special.length === 0 && unboundGroups.length === groups.length && !usernameBound;
  if (!grantsNothing && unboundGroups.length === 0) return null;
  const parts: string[] = [];
  if (unboundGroups.length > 0)
    parts.push(
      `group${unboundGroups.length === 1 ? '' : 's'} ${unboundGroups.join(', ')} ${unboundGroups.length === 1 ? 'is' : 'are'} named by no binding`,
    );
  if (grantsNothing) {
    parts.push(
      templated
        ? `its username ${username} is filled in at sign-in, so no binding can name it`
        : username === undefined
          ? 'it sets no username'
          : `no binding names its username ${username}`,
    );
  }
  return {
    resource: AWS_AUTH_REF,
    subject: { kind: 'IAMPrincipal', name: mapping.arn },
    message:
      `${describeAwsAuthEntry(mapping)}: ${parts.join('; ')}.` +
      (grantsNothing ? ' The principal holds only what every authenticated user holds.' : ''),
    evidence: {
      ...awsAuthEntryEvidence(mapping),
      unboundGroups,
      usernameTemplated: templated,
      usernameBound,
    },
    severity: 'low',
    discriminator: 'unbound',
  };
}

/** Bindings to a User named with an aws-auth template: the name is expanded at sign-in, so they never match. */
function templatedUserBindings({ snapshot }: CheckContext): FindingDraft[] {
  if (!snapshot.eks) return [];
  const findings: FindingDraft[] = [];
  const bindings = [...snapshot.kubernetes.clusterRoleBindings, ...snapshot.kubernetes.roleBindings];
  for (const binding of bindings) {
    for (const subject of binding.subjects) {
      if (subject.kind !== 'User' || !isTemplated(subject.name)) continue;
      const resource =
        binding.kind === 'RoleBinding'
          ? { kind: binding.kind, name: binding.name, namespace: binding.namespace }
          : { kind: binding.kind, name: binding.name };
      findings.push({
        resource,
        subject: { kind: 'User', name: subject.name },
        message:
          `${binding.kind} ${binding.kind === 'RoleBinding' ? `${binding.namespace}/` : ''}${binding.name} names User ` +
          `${subject.name}, a template EKS expands at sign-in (the real username never contains {{ }}), so the ` +
          'binding never matches anyone. Bind a group the aws-auth entry or access entry sets instead.',
        evidence: {
          binding: resource,
          subject: { kind: 'User', name: subject.name },
          roleRef: binding.roleRef,
        },
        severity: 'low',
        discriminator: 'templated-user',
      });
    }
  }
  return findings;
}
