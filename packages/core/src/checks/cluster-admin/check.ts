import type { Check, FindingDraft } from '../../audit/types.ts';
import { describeGrant, grantEvidence, resourceOfGrant } from '../shared/grants.ts';
import { isMastersEntry, isShadowedByMasters } from '../shared/held-permissions.ts';
import { meta } from './meta.ts';

export const check: Check = {
  meta,
  run({ rbac }) {
    const findings: FindingDraft[] = [];
    // Everything, everywhere: the question cluster-admin answers yes to.
    for (const grant of rbac.whoCan({ verb: '*', apiGroup: '*', resource: '*' })) {
      if (grant.namespace !== null || grant.match !== 'all') continue;
      // The authorizer's own system:masters entry is not a finding; who is mapped into the group is, once.
      if (isMastersEntry(grant) || isShadowedByMasters(grant)) continue;
      const rule = grant.rule;
      if (!(rule.verbs.includes('*') && rule.apiGroups.includes('*') && rule.resources.includes('*')))
        continue;
      findings.push({
        resource: resourceOfGrant(grant),
        subject: grant.subject,
        message: `${describeGrant(grant)}: full control of the cluster (every verb on every resource).`,
        evidence: grantEvidence(grant),
      });
    }
    return findings;
  },
};
