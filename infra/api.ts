import { oidcToEnv } from '@vigil/api/oidc-env';
import { base, databaseEnvironment, SWAGGER_UI_FILES, sendScanMessages } from './functions.ts';
import { notifyKey } from './notifications.ts';
import { notifyQueue, scanQueue } from './queues.ts';
import { settings } from './settings.ts';

/** The API app. Manual scans go to the scan queue; the notification routes seal secrets with the notify key. */
export const apiFunction = new sst.aws.Function('ApiHandler', {
  ...base('functions/api.handler'),
  description: 'The Vigil REST API',
  timeout: '29 seconds',
  memory: '1024 MB',
  environment: {
    ...databaseEnvironment,
    VIGIL_SCAN_QUEUE_URL: scanQueue.url,
    VIGIL_NOTIFY_QUEUE_URL: notifyQueue.url,
    VIGIL_NOTIFY_KMS_KEY_ID: notifyKey.arn,
    ...(settings.notify.webhookAllowCidrs
      ? { VIGIL_WEBHOOK_ALLOW_CIDRS: settings.notify.webhookAllowCidrs }
      : {}),
    ...(settings.api.corsOrigins.length > 0
      ? { VIGIL_CORS_ORIGINS: settings.api.corsOrigins.join(',') }
      : {}),
    // The app checks OIDC tokens itself, next to its API keys, whenever an issuer is configured.
    ...oidcToEnv(settings.api.oidc),
    ...(settings.api.bootstrapAdminKey ? { VIGIL_BOOTSTRAP_ADMIN_KEY: settings.api.bootstrapAdminKey } : {}),
  },
  permissions: [
    sendScanMessages,
    // Redeliveries and test deliveries go through the notify queue.
    { actions: ['sqs:SendMessage'], resources: [notifyQueue.arn] },
    // Saving a subscription seals its secrets; a test delivery opens them.
    { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [notifyKey.arn] },
  ],
  // The API reference page (/docs) reads swagger-ui-dist's files as a package beside the handler.
  copyFiles: SWAGGER_UI_FILES.map((file) => ({
    from: `node_modules/swagger-ui-dist/${file}`,
    to: `node_modules/swagger-ui-dist/${file}`,
  })),
});

/**
 * The HTTP endpoint: an API Gateway HTTP API in front of the app. By default the gateway checks no token:
 * the app accepts its own API keys and, with an OIDC issuer configured, the issuer's tokens as well. Only
 * with VIGIL_API_GATEWAY_AUTH=jwt does API Gateway's JWT authorizer reject requests without a valid token of
 * the issuer before they cost a Lambda invocation (API keys then cannot pass; the app still checks the
 * token for its scopes). CORS is answered by the app (VIGIL_CORS_ORIGINS), so the gateway adds none.
 */
export const gateway = new sst.aws.ApiGatewayV2('Api', {
  cors: false,
  accessLog: { retention: settings.logRetention },
  transform: {
    stage: { defaultRouteSettings: { throttlingBurstLimit: 100, throttlingRateLimit: 50 } },
  },
});

export const authorizer =
  settings.api.auth === 'gateway-jwt'
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
