import { api as apiFunction } from './functions.ts';
import { settings } from './settings.ts';

/**
 * The HTTP endpoint: an API Gateway HTTP API in front of the app. With an OIDC issuer configured, API
 * Gateway's JWT authorizer rejects requests without a valid token before they cost a Lambda invocation,
 * and the app checks the token again for its scopes; without one the app's own API keys are the gate.
 * CORS is answered by the app (VIGIL_CORS_ORIGINS), so the gateway adds none.
 */
export const gateway = new sst.aws.ApiGatewayV2('Api', {
  cors: false,
  accessLog: { retention: settings.logRetention },
  transform: {
    stage: { defaultRouteSettings: { throttlingBurstLimit: 100, throttlingRateLimit: 50 } },
  },
});

export const authorizer = settings.api.oidc
  ? gateway.addAuthorizer({
      name: 'oidc',
      jwt: { issuer: settings.api.oidc.issuer, audiences: [settings.api.oidc.audience] },
    })
  : undefined;

// Load balancers and uptime checks reach the health route without a token.
gateway.route('GET /healthz', apiFunction.arn);
gateway.route(
  '$default',
  apiFunction.arn,
  authorizer ? { auth: { jwt: { authorizer: authorizer.id } } } : {},
);
