import type { Check, FindingDraft } from '../../audit/types.ts';
import type { Grant, SubjectRef } from '../../rbac/index-builder.ts';
import { subjectKey } from '../../rbac/index-builder.ts';
import { describeSubject, grantEvidence, resourceOfGrant } from '../shared/grants.ts';
import {
  allOf,
  bindingKey,
  compareGrants,
  describeHolder,
  describeRoute,
  holdingsOf,
  indexBySubject,
  type Permission,
  whoHolds,
} from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

const CERTIFICATES = 'certificates.k8s.io';

// kubectl certificate approve sends an update; the subresource accepts a patch just the same.
const APPROVAL: Permission[] = ['update', 'patch'].map((verb) => ({
  label: `${verb} certificatesigningrequests/approval`,
  query: { verb, apiGroup: CERTIFICATES, resource: 'certificatesigningrequests', subresource: 'approval' },
}));

const SIGNERS: Permission = {
  label: 'approve signers',
  query: { verb: 'approve', apiGroup: CERTIFICATES, resource: 'signers' },
};

const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

/** Does the approve-on-signers grant reach the signer that issues API client certificates? */
function reachesClientSigner(grants: readonly Grant[]): boolean {
  return grants.some(
    (g) =>
      g.match === 'all' ||
      g.rule.resourceNames.includes(CLIENT_SIGNER) ||
      g.rule.resourceNames.includes('kubernetes.io/*'),
  );
}

function signerScope(grants: readonly Grant[]): string {
  if (grants.some((g) => g.match === 'all')) return 'any signer';
  const names = [...new Set(grants.flatMap((g) => g.rule.resourceNames))];
  return `signer${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
}

/** One entry per rule: update and patch on the approval subresource often come from the same rule. */
function stepEvidence(grants: readonly Grant[], inherited: ReadonlySet<Grant>) {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const grant of [...grants].sort(compareGrants)) {
    const key = `${subjectKey(grant.subject)}|${bindingKey(grant.binding)}|${grant.ruleIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      ...grantEvidence(grant),
      ...(inherited.has(grant) ? { inheritedFrom: describeSubject(grant.subject) } : {}),
    });
  }
  return out;
}

export const check: Check = {
  meta,
  run({ rbac }) {
    const approval = indexBySubject(whoHolds(rbac, APPROVAL).map((h) => h.grant));
    const signers = indexBySubject(whoHolds(rbac, [SIGNERS]).map((h) => h.grant));
    const candidates = new Map<string, SubjectRef>();
    for (const grants of [...approval.values(), ...signers.values()]) {
      const subject = grants[0]?.subject;
      if (subject) candidates.set(subjectKey(subject), subject);
    }
    const findings: FindingDraft[] = [];
    for (const subject of candidates.values()) {
      const canApprove = holdingsOf(subject, approval);
      const canSign = holdingsOf(subject, signers);
      // Both are needed; and if neither is the subject's own, the finding belongs to the group that holds them.
      if (allOf(canApprove).length === 0 || allOf(canSign).length === 0) continue;
      if (canApprove.own.length === 0 && canSign.own.length === 0) continue;
      const approveGrants = allOf(canApprove).sort(compareGrants);
      const signGrants = allOf(canSign).sort(compareGrants);
      const inherited = new Set([...canApprove.inherited, ...canSign.inherited]);
      const anchor = [...canApprove.own].sort(compareGrants)[0] ?? [...canSign.own].sort(compareGrants)[0];
      if (!anchor) continue;
      const approveFirst = approveGrants[0]!;
      const signFirst = signGrants[0]!;
      const via = (grant: Grant) =>
        inherited.has(grant) ? ` (held by ${describeSubject(grant.subject)}, which it belongs to)` : '';
      const clientCertificates = reachesClientSigner(signGrants);
      const sameBinding =
        bindingKey(approveFirst.binding) === bindingKey(signFirst.binding) &&
        !inherited.has(approveFirst) &&
        !inherited.has(signFirst);
      findings.push({
        ...(clientCertificates ? {} : { severity: 'medium' as const }),
        resource: resourceOfGrant(anchor),
        subject,
        message: `${describeHolder(anchor)} can approve certificate signing requests for ${signerScope(signGrants)}: ${
          sameBinding
            ? `it holds both the approval subresource and approve on signers through ${describeRoute(approveFirst)}`
            : `it can change the approval of requests through ${describeRoute(approveFirst)}${via(approveFirst)} and ` +
              `approve on signers through ${describeRoute(signFirst)}${via(signFirst)}`
        }.${
          clientCertificates
            ? ` That includes ${CLIENT_SIGNER}: it can approve a request (its own or an accomplice's) for a client ` +
              'certificate that authenticates as any user and groups.'
            : ''
        }`,
        evidence: {
          approval: stepEvidence(approveGrants, inherited),
          signers: stepEvidence(signGrants, inherited),
          signerScope: signGrants.some((g) => g.match === 'all')
            ? '*'
            : [...new Set(signGrants.flatMap((g) => g.rule.resourceNames))],
        },
      });
    }
    return findings;
  },
};
