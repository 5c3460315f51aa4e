import type { CheckMeta } from '../../audit/types.ts';

export const meta: CheckMeta = {
  id: 'oidc-prefixes',
  title: 'OIDC identity provider claims can take existing Kubernetes names',
  severity: 'high',
  category: 'identity',
  rationale:
    'EKS turns the username and groups claims of an associated OIDC provider straight into Kubernetes identities. ' +
    'Without a prefix, whoever controls a claim in the provider (an IdP administrator, or a user who can edit their ' +
    'own profile or create groups) can present a name that RBAC already trusts: a group such as platform-admins ' +
    'or a user name that a binding was written for. Groups are never prefixed unless groupsPrefix is set. A ' +
    'username is prefixed with the issuer URL and # by default, except when the claim is email or usernamePrefix ' +
    'is "-", which turns prefixing off.',
  remediation: {
    text:
      'Identity provider configurations cannot be edited: associate a new configuration with usernamePrefix and ' +
      'groupsPrefix set (for example "oidc:"), rewrite bindings to the prefixed names, then disassociate the old one.',
    command:
      'aws eks associate-identity-provider-config --cluster-name CLUSTER --oidc identityProviderConfigName=NAME,issuerUrl=URL,clientId=ID,usernamePrefix=oidc:,groupsClaim=groups,groupsPrefix=oidc:',
  },
  reads: ['identityProviderConfigs'],
  controls: ['nist-800-53-r5:IA-2', 'nist-800-53-r5:IA-8'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/authenticate-oidc-identity-provider.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#openid-connect-tokens',
  ],
};
