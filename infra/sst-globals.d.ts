// The slice of SST's platform globals that sst.config.ts and infra/ use, so they type-check without
// `sst install` (which needs network access to fetch providers). Structural and minimal: each type lists
// only the arguments and properties infra/ touches, with the names and shapes of SST v3 and the Pulumi AWS
// provider. On a machine that deploys, `sst install` writes the full types to .sst/platform.
declare global {
  /** A value known after deployment (a Pulumi Output); infra/ only passes them around and combines them. */
  interface SstOutput<T> {
    apply<U>(fn: (value: T) => U): SstOutput<U>;
  }
  type SstInput<T> = T | SstOutput<T>;

  interface SstAppInput {
    stage?: string;
  }
  interface SstAppConfig {
    name: string;
    home: 'aws' | 'cloudflare' | 'local';
    removal?: 'remove' | 'retain' | 'retain-all';
    protect?: boolean;
    providers?: Record<string, unknown>;
  }
  interface SstConfig {
    app(input?: SstAppInput): SstAppConfig;
    run(): Promise<Record<string, unknown>>;
  }
  function $config(config: SstConfig): SstConfig;

  const $app: { name: string; stage: string };
  function $interpolate(strings: TemplateStringsArray, ...values: unknown[]): SstOutput<string>;
  function $resolve<T extends readonly unknown[]>(values: T): SstOutput<{ [K in keyof T]: unknown }>;
  function $jsonStringify(value: unknown): SstOutput<string>;

  interface SstPermission {
    actions: string[];
    resources: SstInput<string>[];
    effect?: 'allow' | 'deny';
  }

  interface SstFunctionArgs {
    handler: string;
    description?: string;
    runtime?: 'nodejs22.x' | 'nodejs24.x';
    architecture?: 'x86_64' | 'arm64';
    timeout?: `${number} seconds` | `${number} minutes`;
    memory?: `${number} MB` | `${number} GB`;
    environment?: Record<string, SstInput<string>>;
    permissions?: SstPermission[];
    link?: unknown[];
    vpc?: SstVpc | { privateSubnets: SstInput<string[]>; securityGroups: SstInput<string[]> };
    copyFiles?: { from: string; to?: string }[];
    nodejs?: {
      format?: 'esm' | 'cjs';
      minify?: boolean;
      sourcemap?: boolean;
      install?: string[];
      esbuild?: Record<string, unknown>;
    };
    logging?: { retention?: string; format?: 'text' | 'json' };
    concurrency?: { reserved?: number };
    transform?: { role?: Record<string, unknown>; function?: Record<string, unknown> };
  }

  interface SstFunction {
    arn: SstOutput<string>;
    name: SstOutput<string>;
  }

  interface SstVpc {
    id: SstOutput<string>;
    privateSubnets: SstOutput<string[]>;
    securityGroups: SstOutput<string[]>;
  }

  interface SstAurora {
    host: SstOutput<string>;
    port: SstOutput<number>;
    username: SstOutput<string>;
    password: SstOutput<string>;
    database: SstOutput<string>;
  }

  interface SstQueueSubscriberArgs {
    batch?: { size?: number; window?: `${number} seconds`; partialResponses?: boolean };
    transform?: { eventSourceMapping?: Record<string, unknown> };
  }

  interface SstQueue {
    arn: SstOutput<string>;
    url: SstOutput<string>;
    nodes: { queue: { name: SstOutput<string> } };
    subscribe(subscriber: SstInput<string> | SstFunctionArgs, args?: SstQueueSubscriberArgs): unknown;
  }

  interface SstApiRouteArgs {
    auth?: false | { iam?: true; jwt?: { authorizer: SstInput<string>; scopes?: string[] } };
  }

  interface SstApiGatewayV2 {
    url: SstOutput<string>;
    nodes: { api: { id: SstOutput<string> } };
    route(route: string, handler: SstInput<string> | SstFunctionArgs, args?: SstApiRouteArgs): unknown;
    addAuthorizer(args: {
      name: string;
      jwt: { issuer: SstInput<string>; audiences: SstInput<string>[]; identitySource?: string };
    }): { id: SstOutput<string> };
  }

  const sst: {
    aws: {
      Vpc: new (
        name: string,
        args?: { az?: number; nat?: 'ec2' | 'managed' | { ec2: { instance: string } }; bastion?: true },
      ) => SstVpc;
      Aurora: new (
        name: string,
        args: {
          engine: 'postgres' | 'mysql';
          version?: string;
          vpc: SstVpc;
          scaling?: { min?: `${number} ACU`; max?: `${number} ACU`; pauseAfter?: string };
          database?: string;
          username?: string;
          proxy?: boolean;
          replicas?: number;
          transform?: { cluster?: Record<string, unknown> };
        },
      ) => SstAurora;
      Queue: new (
        name: string,
        args?: {
          fifo?: boolean;
          visibilityTimeout?: `${number} seconds` | `${number} minutes` | `${number} hours`;
          dlq?: SstInput<string> | { queue: SstInput<string>; retry: number };
          transform?: { queue?: Record<string, unknown> };
        },
      ) => SstQueue;
      Function: new (name: string, args: SstFunctionArgs) => SstFunction;
      CronV2: new (
        name: string,
        args: {
          schedule: string;
          function: SstInput<string> | SstFunctionArgs;
          timezone?: string;
          retries?: number;
          dlq?: SstInput<string>;
          enabled?: boolean;
          event?: Record<string, SstInput<string>>;
        },
      ) => unknown;
      ApiGatewayV2: new (
        name: string,
        args?: {
          cors?: boolean | { allowOrigins?: string[]; allowMethods?: string[]; allowHeaders?: string[] };
          accessLog?: { retention?: string };
          transform?: { stage?: Record<string, unknown> };
        },
      ) => SstApiGatewayV2;
    };
  };

  // The Pulumi AWS provider, for what SST has no component for.
  const aws: {
    cloudwatch: {
      MetricAlarm: new (
        name: string,
        args: {
          alarmDescription?: string;
          namespace: string;
          metricName: string;
          dimensions: Record<string, SstInput<string>>;
          statistic: 'Maximum' | 'Sum' | 'Average' | 'Minimum';
          period: number;
          evaluationPeriods: number;
          threshold: number;
          comparisonOperator:
            | 'GreaterThanThreshold'
            | 'GreaterThanOrEqualToThreshold'
            | 'LessThanThreshold'
            | 'LessThanOrEqualToThreshold';
          treatMissingData?: 'missing' | 'ignore' | 'breaching' | 'notBreaching';
          alarmActions?: SstInput<string>[];
          okActions?: SstInput<string>[];
        },
      ) => { arn: SstOutput<string> };
    };
    sns: {
      Topic: new (name: string, args?: Record<string, unknown>) => { arn: SstOutput<string> };
      TopicSubscription: new (
        name: string,
        args: { topic: SstInput<string>; protocol: 'email' | 'https' | 'sqs' | 'lambda'; endpoint: string },
      ) => unknown;
    };
    kms: {
      Key: new (
        name: string,
        args: { description?: string; enableKeyRotation?: boolean; deletionWindowInDays?: number },
      ) => { arn: SstOutput<string>; keyId: SstOutput<string> };
    };
    lambda: {
      Invocation: new (
        name: string,
        args: { functionName: SstInput<string>; input: SstInput<string>; triggers?: Record<string, string> },
      ) => { result: SstOutput<string> };
    };
  };
}

export {};
