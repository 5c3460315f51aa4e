import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { type TestPki, testPki } from './certs.ts';
import {
  apiVersionOf,
  FAKE_RESOURCES,
  type FakeResource,
  RESOURCE_DEFS,
  resourceForKind,
} from './resources.ts';

/**
 * A loopback fake of the Kubernetes API server, close enough to the real one that the real client (and
 * kubectl) talk to it unchanged: TLS with a generated CA, bearer-token and client-certificate
 * authentication, discovery, and list semantics with `limit`/`continue`, resourceVersions, consistent
 * continuation from a retained version, and continue tokens that expire (410 Gone with a Status body) when
 * they are older than the TTL or their version has been compacted away. Faults can be injected per
 * resource, and every request is recorded for assertions.
 */

export interface FakeUser {
  name: string;
  groups?: string[];
}

/** One injected misbehaviour. A fault answers `times` matching requests (default: every one). */
export interface Fault {
  /** Answer with this HTTP status and a Kubernetes Status body. */
  status?: number;
  /** `Retry-After` header value, usually with status 429. */
  retryAfter?: string;
  /** Wait this long before answering (the answer is otherwise normal unless other fields say so). */
  delayMs?: number;
  /** Never answer; the socket stays open until the client gives up or the server closes. */
  hang?: boolean;
  /** Answer 200 with this body (not JSON, or JSON of the wrong shape). */
  body?: string;
  /** Add this many malformed items to the page. */
  malformedItems?: number;
  /** Pad the answer with this many bytes of an unknown field. */
  padBytes?: number;
  /** Only match requests that carry a continue token; with status 410 this expires the token. */
  onContinue?: boolean;
  /** Put the caller's Authorization header in the Status message, as a hostile server might. */
  echoAuthorization?: boolean;
  times?: number;
}

/** Where a fault applies: a resource's lists, the aws-auth ConfigMap read, /version, or discovery. */
export type FaultTarget = FakeResource | 'aws-auth' | 'version' | 'discovery';

export interface RecordedRequest {
  /** performance.now() when the request arrived. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  target?: FaultTarget;
  status: number;
  user?: string;
  accept?: string;
}

export interface FakeKubeOptions {
  /** Raw objects as the API returns them (kind + apiVersion + metadata + ...), sorted into resources. */
  objects?: unknown[];
  /** Bearer tokens and who they authenticate as; by default one random token for the scanner. */
  tokens?: Record<string, FakeUser>;
  /** Decides unknown bearer tokens (e.g. verifies an EKS token); null means 401. */
  authenticate?: (token: string) => FakeUser | null;
  /** Continue tokens older than this are rejected with 410 (default 5 minutes, like etcd compaction). */
  continueTtlMs?: number;
  now?: () => number;
  /** Compress answers for clients that accept gzip, as the API server does for large responses. */
  gzip?: boolean;
  gitVersion?: string;
}

export interface KubeconfigOptions {
  auth?: 'token' | 'cert' | 'exec' | 'none';
  /** The token for `auth: 'token'` (default: the server's scanner token). */
  token?: string;
  /** How the cluster CA is given: inline data (default), a file path, a CA that did not sign the server. */
  ca?: 'data' | 'file' | 'wrong' | 'none';
  exec?: { command: string; args?: string[]; env?: { name: string; value: string }[] };
  contextName?: string;
  /** More contexts beside the main one, all pointing at this server, as `name -> token`. */
  extraContexts?: Record<string, string>;
  /** Override the server URL (e.g. a port nothing listens on). */
  server?: string;
}

export interface FakeKube {
  url: string;
  /** The default scanner bearer token. */
  token: string;
  pki: TestPki;
  requests: RecordedRequest[];
  /** The most requests for objects (lists and gets) that were ever in progress at once. */
  peakInFlight(): number;
  /** Requests that reached a target, optionally filtered. */
  count(target: FaultTarget, filter?: (request: RecordedRequest) => boolean): number;
  inject(target: FaultTarget, fault: Fault): void;
  clearFaults(): void;
  /** Replaces a resource's objects, as a new resourceVersion. */
  setObjects(resource: FakeResource, objects: unknown[]): void;
  /** Creates or replaces one object, as a new resourceVersion. */
  put(object: unknown): void;
  remove(resource: FakeResource, namespace: string | undefined, name: string): void;
  /** Forgets every version but the newest, so continue tokens of older versions get 410. */
  compact(): void;
  addToken(token: string, user: FakeUser): void;
  kubeconfig(options?: KubeconfigOptions): string;
  close(): Promise<void>;
}

interface StoredItem {
  key: string;
  namespace: string | undefined;
  name: string;
  /** The item as it appears in a list (no kind/apiVersion), serialised once. */
  listJson: string;
  /** The full object, for GETs of one object. */
  objectJson: string;
}

interface Version {
  rv: number;
  items: StoredItem[];
}

interface ContinueToken {
  r: string;
  v: number;
  k: string;
  t: number;
}

const JSON_TYPE = 'application/json';

function itemKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function toStored(resource: FakeResource, raw: unknown): StoredItem {
  const object = raw as { metadata?: { name?: string; namespace?: string } };
  const name = object.metadata?.name;
  if (!name) throw new Error(`fake-kube: a ${resource} object has no metadata.name`);
  const namespace = RESOURCE_DEFS[resource].namespaced
    ? (object.metadata?.namespace ?? 'default')
    : undefined;
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = raw as Record<string, unknown>;
  const def = RESOURCE_DEFS[resource];
  return {
    key: itemKey(namespace, name),
    namespace,
    name,
    listJson: JSON.stringify(rest),
    objectJson: JSON.stringify({ kind: def.kind, apiVersion: apiVersionOf(def), ...rest }),
  };
}

function decodeContinue(value: string): ContinueToken | null {
  try {
    const token = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as ContinueToken;
    return typeof token.r === 'string' && typeof token.k === 'string' ? token : null;
  } catch {
    return null;
  }
}

function lowerBound(items: StoredItem[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.key <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function statusBody(code: number, reason: string, message: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: extra.continue ? { continue: extra.continue } : {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(extra.details ? { details: extra.details } : {}),
  });
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Starts the fake API server on 127.0.0.1 with a random port. */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const pki = testPki();
  const now = options.now ?? Date.now;
  const ttl = options.continueTtlMs ?? 5 * 60_000;
  const defaultToken = randomBytes(24).toString('base64url');
  const tokens = new Map<string, FakeUser>(
    Object.entries(options.tokens ?? { [defaultToken]: { name: 'system:serviceaccount:vigil:scanner' } }),
  );
  const scannerToken = options.tokens ? (Object.keys(options.tokens)[0] ?? defaultToken) : defaultToken;
  let resourceVersion = 100;
  const stores = new Map<FakeResource, Version[]>();
  for (const resource of FAKE_RESOURCES) stores.set(resource, [{ rv: resourceVersion, items: [] }]);
  const faults = new Map<FaultTarget, Fault[]>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let peak = 0;

  const latest = (resource: FakeResource): Version => {
    const versions = stores.get(resource)!;
    return versions[versions.length - 1]!;
  };
  const commit = (resource: FakeResource, items: StoredItem[]) => {
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    resourceVersion++;
    stores.get(resource)!.push({ rv: resourceVersion, items });
  };
  const setObjects = (resource: FakeResource, objects: unknown[]) => {
    commit(
      resource,
      objects.map((raw) => toStored(resource, raw)),
    );
  };
  const grouped = new Map<FakeResource, unknown[]>();
  for (const raw of options.objects ?? []) {
    const kind = (raw as { kind?: string }).kind ?? '';
    const resource = resourceForKind(kind);
    if (!resource) throw new Error(`fake-kube: no resource serves kind ${kind}`);
    grouped.set(resource, [...(grouped.get(resource) ?? []), raw]);
  }
  for (const [resource, objects] of grouped) setObjects(resource, objects);

  const takeFault = (target: FaultTarget, hasContinue: boolean): Fault | undefined => {
    const list = faults.get(target);
    if (!list) return undefined;
    const index = list.findIndex((fault) => !fault.onContinue || hasContinue);
    if (index === -1) return undefined;
    const fault = list[index]!;
    if (fault.times !== undefined) {
      fault.times--;
      if (fault.times <= 0) list.splice(index, 1);
    }
    return fault;
  };

  const authenticate = (req: IncomingMessage): FakeUser | null => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const token = header.slice('Bearer '.length);
      return tokens.get(token) ?? options.authenticate?.(token) ?? null;
    }
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const subject = socket.getPeerCertificate().subject;
      const group = subject?.O;
      return { name: String(subject?.CN ?? ''), groups: group ? [String(group)] : [] };
    }
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://fake');
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = {
      at: performance.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      status: 0,
    };
    if (req.headers.accept) record.accept = req.headers.accept;
    requests.push(record);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      let payload: Buffer | string = body;
      const out: Record<string, string> = { 'content-type': JSON_TYPE, ...headers };
      if (options.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        payload = gzipSync(body);
        out['content-encoding'] = 'gzip';
      }
      res.writeHead(status, out);
      res.end(payload);
    };
    const fail = (status: number, message: string, extra: Record<string, unknown> = {}) =>
      send(status, statusBody(status, REASONS[status] ?? 'Unknown', message, extra));

    const user = authenticate(req);
    if (!user) return fail(401, 'Unauthorized');
    record.user = user.name;
    if (req.method !== 'GET')
      return fail(405, `the server does not allow this method on the requested resource`);

    const route = routeOf(url.pathname);
    if (!route) return fail(404, `the server could not find the requested resource`);
    record.target = route.target;
    if (route.type === 'list' || route.type === 'get') {
      inFlight++;
      peak = Math.max(peak, inFlight);
      res.on('close', () => inFlight--);
    }
    const hasContinue = route.type === 'list' && Boolean(query.continue);
    const fault = takeFault(route.target, hasContinue);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.hang) return; // the request stays open; close() or the client ends it
    if (fault?.status) {
      const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
      const message = fault.echoAuthorization
        ? `denied for ${req.headers.authorization ?? ''}`
        : `injected failure for ${route.target}`;
      record.status = fault.status;
      return send(
        fault.status,
        statusBody(fault.status, REASONS[fault.status] ?? 'Unknown', message),
        headers,
      );
    }
    if (fault?.body !== undefined) return send(200, fault.body);

    switch (route.type) {
      case 'version':
        return send(
          200,
          JSON.stringify({
            major: '1',
            minor: (options.gitVersion ?? 'v1.32.4').split('.')[1] ?? '32',
            gitVersion: options.gitVersion ?? 'v1.32.4',
            platform: 'linux/amd64',
          }),
        );
      case 'discovery':
        return send(200, JSON.stringify(route.body));
      case 'get': {
        const items = latest(route.resource).items;
        const item = items[lowerBound(items, itemKey(route.namespace, route.name)) - 1];
        if (!item || item.key !== itemKey(route.namespace, route.name)) {
          return fail(404, `${route.resource} "${route.name}" not found`, {
            details: { name: route.name, kind: route.resource },
          });
        }
        return send(200, item.objectJson);
      }
      case 'list':
        return serveList(route.resource, route.namespace, query, fault, send, fail);
    }
  };

  const serveList = (
    resource: FakeResource,
    namespace: string | undefined,
    query: Record<string, string>,
    fault: Fault | undefined,
    send: (status: number, body: string) => void,
    fail: (status: number, message: string, extra?: Record<string, unknown>) => void,
  ) => {
    const def = RESOURCE_DEFS[resource];
    const limit = query.limit ? Number(query.limit) : 0;
    if (!Number.isInteger(limit) || limit < 0) return fail(400, `invalid limit ${query.limit}`);
    let version = latest(resource);
    let start = 0;
    const token = query.continue ? decodeContinue(query.continue) : undefined;
    if (token === null || (token && token.r !== `${resource}:${namespace ?? ''}`)) {
      return fail(400, 'continue key is not valid');
    }
    if (token) {
      const kept = stores.get(resource)!.find((v) => v.rv === token.v);
      if (!kept || now() - token.t > ttl) {
        return fail(
          410,
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      version = kept;
    }
    const all = namespace ? version.items.filter((item) => item.namespace === namespace) : version.items;
    if (token) start = lowerBound(all, token.k);
    const end = limit > 0 ? Math.min(all.length, start + limit) : all.length;
    const page = all.slice(start, end);
    const meta: Record<string, unknown> = { resourceVersion: String(version.rv) };
    if (end < all.length) {
      const last = page[page.length - 1]!;
      const next: ContinueToken = {
        r: `${resource}:${namespace ?? ''}`,
        v: version.rv,
        k: last.key,
        t: now(),
      };
      meta.continue = Buffer.from(JSON.stringify(next)).toString('base64url');
      meta.remainingItemCount = all.length - end;
    }
    const items = page.map((item) => item.listJson);
    for (let i = 0; i < (fault?.malformedItems ?? 0); i++) {
      items.push(
        JSON.stringify({ metadata: { namespace: 'broken', uid: `broken-${i}` }, rules: 'not-a-list' }),
      );
    }
    const padding = fault?.padBytes ? `,"padding":${JSON.stringify('x'.repeat(fault.padBytes))}` : '';
    send(
      200,
      `{"kind":"${def.kind}List","apiVersion":"${apiVersionOf(def)}","metadata":${JSON.stringify(meta)}${padding},"items":[${items.join(',')}]}`,
    );
  };

  const server: Server = createServer(
    {
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.caCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': JSON_TYPE });
          res.end(statusBody(500, 'InternalError', String(error)));
        }
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;

  const fake: FakeKube = {
    url,
    token: scannerToken,
    pki,
    requests,
    peakInFlight: () => peak,
    count(target, filter) {
      return requests.filter((r) => r.target === target && (!filter || filter(r))).length;
    },
    inject(target, fault) {
      faults.set(target, [...(faults.get(target) ?? []), { ...fault }]);
    },
    clearFaults() {
      faults.clear();
    },
    setObjects,
    put(raw) {
      const resource = resourceForKind((raw as { kind?: string }).kind ?? '');
      if (!resource) throw new Error('fake-kube: put() of an unknown kind');
      const stored = toStored(resource, raw);
      commit(resource, [...latest(resource).items.filter((item) => item.key !== stored.key), stored]);
    },
    remove(resource, namespace, name) {
      const key = itemKey(RESOURCE_DEFS[resource].namespaced ? namespace : undefined, name);
      commit(
        resource,
        latest(resource).items.filter((item) => item.key !== key),
      );
    },
    compact() {
      for (const [resource, versions] of stores) stores.set(resource, [versions[versions.length - 1]!]);
    },
    addToken(token, user) {
      tokens.set(token, user);
    },
    kubeconfig(config = {}) {
      return buildKubeconfig(fake, config);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

type Route =
  | { type: 'version'; target: 'version' }
  | { type: 'discovery'; target: 'discovery'; body: unknown }
  | { type: 'list'; target: FakeResource; resource: FakeResource; namespace?: string }
  | {
      type: 'get';
      target: FakeResource | 'aws-auth';
      resource: FakeResource;
      namespace?: string;
      name: string;
    };

function isResource(value: string | undefined, group: string): value is FakeResource {
  return (
    value !== undefined &&
    (FAKE_RESOURCES as readonly string[]).includes(value) &&
    RESOURCE_DEFS[value as FakeResource].group === group
  );
}

function routeOf(path: string): Route | null {
  if (path === '/version' || path === '/version/') return { type: 'version', target: 'version' };
  const discovery = discoveryBody(path);
  if (discovery) return { type: 'discovery', target: 'discovery', body: discovery };
  let group: '' | 'rbac.authorization.k8s.io';
  let rest: string[];
  if (path.startsWith('/api/v1/')) {
    group = '';
    rest = path.slice('/api/v1/'.length).split('/');
  } else if (path.startsWith('/apis/rbac.authorization.k8s.io/v1/')) {
    group = 'rbac.authorization.k8s.io';
    rest = path.slice('/apis/rbac.authorization.k8s.io/v1/'.length).split('/');
  } else {
    return null;
  }
  const [a, b, c, d, ...more] = rest;
  if (more.length > 0) return null;
  // /namespaces/{ns}/{resource}[/{name}]
  if (a === 'namespaces' && b && isResource(c, group) && RESOURCE_DEFS[c].namespaced) {
    if (d === undefined) return { type: 'list', target: c, resource: c, namespace: b };
    const target = c === 'configmaps' && b === 'kube-system' && d === 'aws-auth' ? 'aws-auth' : c;
    return { type: 'get', target, resource: c, namespace: b, name: d };
  }
  if (isResource(a, group) && c === undefined) {
    if (b === undefined) return { type: 'list', target: a, resource: a };
    if (!RESOURCE_DEFS[a].namespaced) return { type: 'get', target: a, resource: a, name: b };
  }
  return null;
}

function discoveryBody(path: string): unknown {
  const resourceList = (group: '' | 'rbac.authorization.k8s.io') => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/v1` : 'v1',
    resources: FAKE_RESOURCES.map((r) => RESOURCE_DEFS[r])
      .filter((def) => def.group === group)
      .map((def) => ({
        name: def.resource,
        singularName: def.singular,
        namespaced: def.namespaced,
        kind: def.kind,
        verbs: ['get', 'list', 'watch'],
        ...(def.shortNames ? { shortNames: def.shortNames } : {}),
      })),
  });
  const rbacGroup = {
    name: 'rbac.authorization.k8s.io',
    versions: [{ groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' }],
    preferredVersion: { groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' },
  };
  switch (path) {
    case '/api':
    case '/api/':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    case '/apis':
    case '/apis/':
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [rbacGroup] };
    case '/api/v1':
      return resourceList('');
    case '/apis/rbac.authorization.k8s.io':
      return { kind: 'APIGroup', apiVersion: 'v1', ...rbacGroup };
    case '/apis/rbac.authorization.k8s.io/v1':
      return resourceList('rbac.authorization.k8s.io');
    default:
      return null;
  }
}

function buildKubeconfig(fake: FakeKube, config: KubeconfigOptions): string {
  const contextName = config.contextName ?? 'fake';
  const cluster: Record<string, unknown> = { server: config.server ?? fake.url };
  switch (config.ca ?? 'data') {
    case 'data':
      cluster['certificate-authority-data'] = Buffer.from(fake.pki.caCert).toString('base64');
      break;
    case 'file':
      cluster['certificate-authority'] = fake.pki.caCertPath;
      break;
    case 'wrong':
      cluster['certificate-authority-data'] = Buffer.from(fake.pki.otherCaCert).toString('base64');
      break;
    case 'none':
      break;
  }
  const user: Record<string, unknown> = {};
  switch (config.auth ?? 'token') {
    case 'token':
      user.token = config.token ?? fake.token;
      break;
    case 'cert':
      user['client-certificate'] = fake.pki.clientCertPath;
      user['client-key'] = fake.pki.clientKeyPath;
      break;
    case 'exec':
      if (!config.exec) throw new Error('fake-kube: auth exec needs an exec command');
      user.exec = {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: config.exec.command,
        args: config.exec.args ?? [],
        env: config.exec.env ?? null,
        interactiveMode: 'Never',
      };
      break;
    case 'none':
      break;
  }
  const contexts = [{ name: contextName, context: { cluster: 'fake', user: contextName } }];
  const users = [{ name: contextName, user }];
  for (const [name, token] of Object.entries(config.extraContexts ?? {})) {
    contexts.push({ name, context: { cluster: 'fake', user: name } });
    users.push({ name, user: { token } });
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster }],
    contexts,
    users,
    'current-context': contextName,
  });
}
