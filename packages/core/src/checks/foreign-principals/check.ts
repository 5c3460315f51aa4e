import type { Check, FindingDraft } from '../../audit/types.ts';
import { MissingInputError } from '../../errors.ts';
import { accountOfArn } from '../../identity/aws-auth.ts';
import { awsAuthEntries, clusterAwsAuth } from '../../identity/aws-auth-resolution.ts';
import {
  AWS_AUTH_REF,
  accessEntryRef,
  accountRootArn,
  awsAuthEntryEvidence,
  clusterAccountId,
  describeAwsAuthEntry,
} from '../shared/eks.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ snapshot, options }) {
    const own = clusterAccountId(snapshot);
    const trusted = options.trustedAccountIds ?? [];
    if (!own && trusted.length === 0) {
      // Without either, every principal would look foreign: better not evaluated than a wall of false alarms.
      throw new MissingInputError(
        "the cluster's AWS account is unknown (no cluster ARN) and no trustedAccountIds were given",
      );
    }
    const allowed = new Set([...(own ? [own] : []), ...trusted]);
    const context = { clusterAccountId: own ?? null, trustedAccountIds: trusted };
    const foreign = (accountId: string | undefined): accountId is string =>
      accountId !== undefined && !allowed.has(accountId);
    const findings: FindingDraft[] = [];

    const awsAuth = clusterAwsAuth(snapshot);
    if (awsAuth.inEffect) {
      const reported = new Set<string>();
      for (const { mapping, inert } of awsAuthEntries(awsAuth.resolved)) {
        const accountId = accountOfArn(mapping.arn);
        if (!foreign(accountId)) continue;
        const key = mapping.arn.toLowerCase();
        if (inert && reported.has(key)) continue;
        reported.add(key);
        const admits = `${describeAwsAuthEntry(mapping)} admits a principal of AWS account ${accountId}, which is neither the cluster's account nor trusted`;
        const finding: FindingDraft = {
          resource: AWS_AUTH_REF,
          subject: { kind: 'IAMPrincipal', name: mapping.arn },
          message: inert ? `${admits}; EKS does not use the entry today (${inert}).` : `${admits}.`,
          evidence: {
            ...awsAuthEntryEvidence(mapping),
            accountId,
            ...context,
            ...(inert ? { inEffect: false, why: inert } : {}),
          },
        };
        if (inert) {
          finding.severity = 'low';
          finding.discriminator = 'inert';
        }
        findings.push(finding);
      }
      awsAuth.parsed.accounts.forEach((accountId, index) => {
        if (!foreign(accountId)) return;
        findings.push({
          resource: AWS_AUTH_REF,
          subject: { kind: 'IAMPrincipal', name: accountRootArn(snapshot, accountId) },
          message: `aws-auth mapAccounts admits every principal of AWS account ${accountId}, which is neither the cluster's account nor trusted.`,
          evidence: { configMap: 'kube-system/aws-auth', list: 'mapAccounts', index, accountId, ...context },
        });
      });
    }

    for (const entry of snapshot.eks?.accessEntries ?? []) {
      const accountId = accountOfArn(entry.principalArn);
      if (!foreign(accountId)) continue;
      findings.push({
        resource: accessEntryRef(entry.principalArn),
        subject: { kind: 'IAMPrincipal', name: entry.principalArn },
        message: `Access entry ${entry.principalArn} admits a principal of AWS account ${accountId}, which is neither the cluster's account nor trusted.`,
        evidence: {
          accessEntry: entry.principalArn,
          type: entry.type ?? null,
          kubernetesGroups: entry.kubernetesGroups,
          accessPolicies: entry.associatedAccessPolicies.map((p) => p.policyArn),
          accountId,
          ...context,
        },
      });
    }
    return findings;
  },
};
