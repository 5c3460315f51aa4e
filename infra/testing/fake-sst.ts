import { vi } from 'vitest';

/**
 * A recording stand-in for SST's platform globals (`sst`, `aws`, `$app`, `$interpolate`, ...), so tests can
 * evaluate sst.config.ts and infra/ without the SST CLI and read back what would be created. Outputs are
 * placeholders that name where a value comes from (`<ScanQueue.arn>`); `plain` turns any recorded value
 * into plain data with those placeholders resolved.
 */

const OUTPUT = Symbol('output');

export interface FakeOutput<T> extends SstOutput<T> {
  [OUTPUT]: true;
  value: T;
}

export function output<T>(value: T): FakeOutput<T> {
  return { [OUTPUT]: true, value, apply: (fn) => output(fn(value)) } as FakeOutput<T>;
}

function isOutput(value: unknown): value is FakeOutput<unknown> {
  return typeof value === 'object' && value !== null && OUTPUT in value;
}

/** Deep copy with every output replaced by its value. */
export function plain(value: unknown): unknown {
  if (isOutput(value)) return plain(value.value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export interface Recorded {
  type: string;
  name: string;
  args: Record<string, unknown>;
}

export interface FakeSst {
  stage: string;
  resources: Recorded[];
  /** The one resource of `type` called `name` (plain args). */
  get(type: string, name: string): Recorded;
  all(type: string): Recorded[];
}

const ref = (name: string, property: string) => output(`<${name}.${property}>`);

export function installFakeSst(options: { stage?: string } = {}): FakeSst {
  const stage = options.stage ?? 'production';
  const resources: Recorded[] = [];
  const record = (type: string, name: string, args: unknown = {}) => {
    resources.push({ type, name, args: plain(args) as Record<string, unknown> });
  };

  class Vpc {
    id = ref('Vpc', 'id');
    privateSubnets = ref('Vpc', 'privateSubnets');
    securityGroups = ref('Vpc', 'securityGroups');
    constructor(name: string, args?: unknown) {
      record('sst.aws.Vpc', name, args);
      this.id = ref(name, 'id');
    }
  }
  class Aurora {
    host: FakeOutput<string>;
    port = output(5432);
    username: FakeOutput<string>;
    password: FakeOutput<string>;
    database: FakeOutput<string>;
    constructor(name: string, args: { vpc: unknown }) {
      record('sst.aws.Aurora', name, { ...args, vpc: args.vpc instanceof Vpc ? '<Vpc>' : args.vpc });
      this.host = ref(name, 'host');
      this.username = ref(name, 'username');
      this.password = ref(name, 'password');
      this.database = ref(name, 'database');
    }
  }
  class Queue {
    arn: FakeOutput<string>;
    url: FakeOutput<string>;
    nodes: { queue: { name: FakeOutput<string> } };
    private readonly name: string;
    constructor(name: string, args?: unknown) {
      record('sst.aws.Queue', name, args);
      this.name = name;
      this.arn = ref(name, 'arn');
      this.url = ref(name, 'url');
      this.nodes = { queue: { name: ref(name, 'name') } };
    }
    subscribe(subscriber: unknown, args?: Record<string, unknown>) {
      record('sst.aws.Queue.subscribe', this.name, { subscriber, ...args });
      return {};
    }
  }
  class FakeFunction {
    arn: FakeOutput<string>;
    name: FakeOutput<string>;
    constructor(name: string, args: { vpc?: unknown }) {
      record('sst.aws.Function', name, { ...args, vpc: args.vpc instanceof Vpc ? '<Vpc>' : args.vpc });
      this.arn = ref(name, 'arn');
      this.name = ref(name, 'name');
    }
  }
  class CronV2 {
    constructor(name: string, args: unknown) {
      record('sst.aws.CronV2', name, args);
    }
  }
  class ApiGatewayV2 {
    url: FakeOutput<string>;
    nodes: { api: { id: FakeOutput<string> } };
    private readonly name: string;
    constructor(name: string, args?: unknown) {
      record('sst.aws.ApiGatewayV2', name, args);
      this.name = name;
      this.url = ref(name, 'url');
      this.nodes = { api: { id: ref(name, 'id') } };
    }
    route(route: string, handler: unknown, args?: Record<string, unknown>) {
      record('sst.aws.ApiGatewayV2.route', `${this.name} ${route}`, { handler, ...args });
      return {};
    }
    addAuthorizer(args: { name: string }) {
      record('sst.aws.ApiGatewayV2.authorizer', `${this.name} ${args.name}`, args);
      return { id: ref(`${this.name}.authorizer.${args.name}`, 'id') };
    }
  }
  const pulumiResource = (type: string, properties: string[]) =>
    class {
      constructor(name: string, args?: unknown) {
        record(type, name, args);
        for (const property of properties) (this as Record<string, unknown>)[property] = ref(name, property);
      }
    };

  vi.stubGlobal('sst', { aws: { Vpc, Aurora, Queue, Function: FakeFunction, CronV2, ApiGatewayV2 } });
  vi.stubGlobal('aws', {
    cloudwatch: { MetricAlarm: pulumiResource('aws.cloudwatch.MetricAlarm', ['arn']) },
    sns: {
      Topic: pulumiResource('aws.sns.Topic', ['arn']),
      TopicSubscription: pulumiResource('aws.sns.TopicSubscription', []),
    },
    kms: { Key: pulumiResource('aws.kms.Key', ['arn', 'keyId']) },
    lambda: { Invocation: pulumiResource('aws.lambda.Invocation', ['result']) },
  });
  vi.stubGlobal('$app', { name: 'vigil', stage });
  vi.stubGlobal('$interpolate', (strings: TemplateStringsArray, ...values: unknown[]) =>
    output(
      strings.reduce(
        (text, part, i) => text + part + (i < values.length ? String(plain(values[i])) : ''),
        '',
      ),
    ),
  );
  vi.stubGlobal('$resolve', (values: unknown[]) => output(values.map(plain)));
  vi.stubGlobal('$jsonStringify', (value: unknown) => output(JSON.stringify(plain(value))));

  return {
    stage,
    resources,
    all: (type) => resources.filter((r) => r.type === type),
    get(type, name) {
      const found = resources.filter((r) => r.type === type && r.name === name);
      if (found.length !== 1) throw new Error(`expected one ${type} called ${name}, found ${found.length}`);
      return found[0]!;
    },
  };
}
