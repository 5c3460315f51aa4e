import type { Check, FindingDraft } from '../../audit/types.ts';
import type { OidcConfig } from '../../snapshot/model.ts';
import { meta } from './meta.ts';

/**
 * The prefix the API server puts before usernames from this provider, or null for none. Unset means the issuer
 * URL and `#`, except for the `email` claim; `-` switches prefixing off (Kubernetes --oidc-username-prefix, which
 * EKS passes through).
 */
export function effectiveUsernamePrefix(config: OidcConfig): string | null {
  const prefix = config.usernamePrefix;
  if (prefix === '-') return null;
  if (prefix) return prefix;
  if ((config.usernameClaim ?? 'sub') === 'email') return null;
  return `${config.issuerUrl ?? '(issuer URL)'}#`;
}

export const check: Check = {
  meta,
  run({ snapshot }) {
    const findings: FindingDraft[] = [];
    for (const config of snapshot.eks?.identityProviderConfigs ?? []) {
      const name = config.identityProviderConfigName;
      const resource = { kind: 'IdentityProviderConfig', name };
      const evidence = {
        identityProviderConfigName: name,
        issuerUrl: config.issuerUrl ?? null,
        usernameClaim: config.usernameClaim ?? 'sub',
        usernamePrefix: config.usernamePrefix ?? null,
        groupsClaim: config.groupsClaim ?? null,
        groupsPrefix: config.groupsPrefix ?? null,
      };
      if (effectiveUsernamePrefix(config) === null) {
        const why =
          config.usernamePrefix === '-'
            ? 'usernamePrefix "-" turns prefixing off'
            : `the ${config.usernameClaim} claim is used without a usernamePrefix, and email usernames get no default prefix`;
        findings.push({
          resource,
          message:
            `OIDC provider ${name}: ${why}, so a user of ${config.issuerUrl ?? 'the provider'} whose claim equals a ` +
            'username that bindings already name becomes that user.',
          evidence: { ...evidence, effectiveUsernamePrefix: null },
          severity: 'medium',
          discriminator: 'username',
        });
      }
      // Groups come only from the groups claim; without one the provider contributes no groups at all.
      if (config.groupsClaim && !config.groupsPrefix) {
        findings.push({
          resource,
          message:
            `OIDC provider ${name} maps the ${config.groupsClaim} claim to groups without a groupsPrefix: any group ` +
            `name the provider issues, such as one a ClusterRoleBinding already grants, is taken as is.`,
          evidence: { ...evidence, effectiveGroupsPrefix: null },
          discriminator: 'groups',
        });
      }
    }
    return findings;
  },
};
