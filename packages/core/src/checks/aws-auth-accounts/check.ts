import type { Check, FindingDraft } from '../../audit/types.ts';
import { parseAwsAuth } from '../../identity/aws-auth.ts';
import { awsAuthInEffect } from '../../identity/aws-auth-resolution.ts';
import { AWS_AUTH_REF, accountRootArn } from '../shared/eks.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ snapshot }) {
    if (!awsAuthInEffect(snapshot)) return [];
    const findings: FindingDraft[] = [];
    parseAwsAuth(snapshot.kubernetes.awsAuth).accounts.forEach((accountId, index) => {
      findings.push({
        resource: AWS_AUTH_REF,
        // The account's root ARN is how AWS names "every principal of this account".
        subject: { kind: 'IAMPrincipal', name: accountRootArn(snapshot, accountId) },
        message:
          `aws-auth mapAccounts lists account ${accountId}: every IAM user and role in it can authenticate to the ` +
          'cluster and holds whatever system:authenticated holds.',
        evidence: { configMap: 'kube-system/aws-auth', list: 'mapAccounts', index, accountId },
      });
    });
    return findings;
  },
};
