import type { Check, FindingDraft } from '../../audit/types.ts';
import { awsAuthEntries, clusterAwsAuth } from '../../identity/aws-auth-resolution.ts';
import { AWS_AUTH_REF, awsAuthEntryEvidence, describeAwsAuthEntry } from '../shared/eks.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ snapshot }) {
    const awsAuth = clusterAwsAuth(snapshot);
    if (!awsAuth.inEffect) return [];
    const findings: FindingDraft[] = [];
    const reported = new Set<string>();
    for (const { mapping, inert } of awsAuthEntries(awsAuth.resolved)) {
      if (!mapping.groups.includes('system:masters')) continue;
      const key = mapping.arn.toLowerCase();
      if (inert && reported.has(key)) continue;
      reported.add(key);
      const finding: FindingDraft = {
        resource: AWS_AUTH_REF,
        subject: { kind: 'IAMPrincipal', name: mapping.arn },
        message: inert
          ? `${describeAwsAuthEntry(mapping)} puts the principal in system:masters; EKS does not use the entry today (${inert}), but once what keeps it inert changes it grants unrevocable full control.`
          : `${describeAwsAuthEntry(mapping)} puts the principal in system:masters: it can do anything in the cluster and no RBAC object can limit or revoke that.`,
        evidence: {
          ...awsAuthEntryEvidence(mapping),
          group: 'system:masters',
          ...(inert ? { inEffect: false, why: inert } : {}),
        },
      };
      if (inert) {
        finding.severity = 'medium';
        finding.discriminator = 'inert';
      }
      findings.push(finding);
    }
    return findings;
  },
};
