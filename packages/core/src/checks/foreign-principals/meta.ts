import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'foreign-principals',
  title: 'IAM principals from other AWS accounts can use the cluster',
  severity: 'high',
  category: 'identity',
  rationale:
    "A mapping for a role, user or whole account outside the cluster's own account hands cluster access to " +
    'whoever controls that other account: its administrators decide who can assume the role, and the cluster ' +
    'owner sees none of it in their own IAM. Vendor, partner and old-organisation accounts are the usual source. ' +
    "Accounts listed in trustedAccountIds (for example the organisation's identity account) are not reported.",
  remediation: {
    text:
      'Remove the mapping, or replace it with a role in the cluster account that the other account may assume ' +
      'under conditions you control. If the account is one of yours, add it to trustedAccountIds.',
    command: 'aws eks list-access-entries --cluster-name CLUSTER',
  },
  reads: ['awsAuth', 'accessEntries'],
  controls: ['nist-800-53-r5:AC-2', 'nist-800-53-r5:AC-20'],
};
