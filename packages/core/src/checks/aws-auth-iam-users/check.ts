import type { Check, FindingDraft } from '../../audit/types.ts';
import { awsAuthEntries, clusterAwsAuth } from '../../identity/aws-auth-resolution.ts';
import { AWS_AUTH_REF, awsAuthEntryEvidence, describeAwsAuthEntry } from '../shared/eks.ts';
import { meta } from './meta.ts';

const ROOT = /^arn:[^:]+:iam::\d{12}:root$/;
const USER = /^arn:[^:]+:iam::\d{12}:user\//;

export const check: Check = {
  meta,
  run({ snapshot }) {
    const awsAuth = clusterAwsAuth(snapshot);
    if (!awsAuth.inEffect) return [];
    const findings: FindingDraft[] = [];
    const reported = new Set<string>();
    for (const { mapping, inert } of awsAuthEntries(awsAuth.resolved)) {
      // EKS looks both lists up by ARN, so what counts is the ARN, not the list it was written in.
      const root = ROOT.test(mapping.arn);
      if (!root && !USER.test(mapping.arn)) continue;
      const key = mapping.arn.toLowerCase();
      if (inert && reported.has(key)) continue;
      reported.add(key);
      const what = root
        ? 'maps the AWS account root user, whose credentials no IAM policy can restrict'
        : 'maps an IAM user, whose long-lived access keys are cluster credentials until rotated';
      const finding: FindingDraft = {
        resource: AWS_AUTH_REF,
        subject: { kind: 'IAMPrincipal', name: mapping.arn },
        message: inert
          ? `${describeAwsAuthEntry(mapping)} ${what}; EKS does not use the entry today (${inert}).`
          : `${describeAwsAuthEntry(mapping)} ${what}.`,
        evidence: { ...awsAuthEntryEvidence(mapping), ...(inert ? { inEffect: false, why: inert } : {}) },
      };
      if (inert) {
        finding.severity = 'low';
        finding.discriminator = 'inert';
      } else if (root) finding.severity = 'high';
      findings.push(finding);
    }
    return findings;
  },
};
