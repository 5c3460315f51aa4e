import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import type { KubeConfig } from '@kubernetes/client-node';
import { excerpt } from '../redact.ts';

/**
 * GETs against one API server, with the TLS material and credentials client-node derives from the
 * kubeconfig (CA data or file, client certificates, tokens, exec plugins such as `aws eks get-token`, proxy
 * agents). The request itself is ours rather than the generated client's: that lets a page be
 * size-bounded while it streams in (decompressed size included), status codes and Retry-After be read
 * before anything is parsed, and every request be bounded by the scan deadline.
 */

export interface KubeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type TransportFailure = 'timeout' | 'deadline' | 'network' | 'tls' | 'too_large' | 'credentials';

/** A request that produced no HTTP answer. The message is safe to show: no credentials, redacted. */
export class TransportError extends Error {
  readonly failure: TransportFailure;
  readonly errno: string | undefined;
  constructor(failure: TransportFailure, message: string, errno?: string) {
    super(message);
    this.name = 'TransportError';
    this.failure = failure;
    this.errno = errno;
  }
}

export interface TransportOptions {
  deadline: number;
  clock: () => number;
  requestTimeoutMs: number;
  maxBytes: number;
  maxSockets: number;
}

const TLS_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

type RequestOptions = Omit<https.RequestOptions, 'headers'> & {
  headers?: Record<string, string | string[] | number>;
};

export class KubeTransport {
  readonly server: URL;
  /** Credentials seen in requests, so text coming back can be scrubbed of them. */
  readonly secrets = new Set<string>();
  private readonly kubeConfig: KubeConfig;
  private readonly options: TransportOptions;
  private readonly keepAliveAgent: https.Agent;

  constructor(kubeConfig: KubeConfig, server: string, options: TransportOptions) {
    this.kubeConfig = kubeConfig;
    this.server = new URL(server);
    this.options = options;
    // client-node's agent has keep-alive off: one TLS handshake per page. Ours reuses connections; the
    // TLS material stays on each request, so the pool is still keyed by CA and client certificate.
    this.keepAliveAgent = new https.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  /** The request options client-node derives from the kubeconfig: TLS material, Authorization, agent. */
  private async authorise(limitMs: number): Promise<RequestOptions> {
    const opts: RequestOptions = { headers: {} };
    let timer: NodeJS.Timeout | undefined;
    try {
      // An exec plugin can wait forever (an SSO login prompt nobody answers): bound it like a request.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new TransportError(
                'credentials',
                `the kubeconfig's credential plugin did not finish within ${duration(limitMs)}`,
              ),
            ),
          limitMs,
        );
      });
      await Promise.race([this.kubeConfig.applyToHTTPSOptions(opts), timeout]);
    } catch (error) {
      if (error instanceof TransportError) throw error;
      throw new TransportError(
        'credentials',
        `could not obtain credentials from the kubeconfig: ${excerpt(String((error as Error)?.message ?? error), this.secrets)}`,
      );
    } finally {
      clearTimeout(timer);
    }
    const authorization = opts.headers?.Authorization ?? opts.headers?.authorization;
    if (typeof authorization === 'string') {
      const space = authorization.indexOf(' ');
      this.secrets.add(space > 0 ? authorization.slice(space + 1) : authorization);
    }
    if (typeof opts.auth === 'string') this.secrets.add(opts.auth.slice(opts.auth.indexOf(':') + 1));
    // Only the plain agent is swapped; proxy agents (hpagent, SOCKS) subclass it and must stay.
    if (opts.agent && opts.agent.constructor === https.Agent) opts.agent = this.keepAliveAgent;
    return opts;
  }

  /** GETs `path` (with query) relative to the server URL, which may carry a path prefix (Rancher, proxies). */
  async get(path: string): Promise<KubeResponse> {
    const now = this.options.clock();
    const remaining = this.options.deadline - now;
    if (remaining <= 0) throw new TransportError('deadline', 'the scan deadline has passed');
    const limitedByDeadline = remaining < this.options.requestTimeoutMs;
    const timeoutMs = Math.max(1, Math.min(remaining, this.options.requestTimeoutMs));
    const opts = await this.authorise(timeoutMs);
    const base = this.server.pathname.replace(/\/+$/, '');
    const url = new URL(`${base}${path}`, this.server);
    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string | string[] | number> = {
      ...opts.headers,
      accept: 'application/json',
      'accept-encoding': 'gzip',
      'user-agent': 'vigil-collector',
    };
    const request: RequestOptions = {
      ...opts,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    };
    const send = isHttps ? https.request : http.request;
    return new Promise<KubeResponse>((resolve, reject) => {
      const fail = (error: unknown) => reject(this.toTransportError(error, timeoutMs, limitedByDeadline));
      const req = send(request, (res) => {
        this.readBody(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
          (error: unknown) => {
            req.destroy();
            fail(error);
          },
        );
      });
      req.on('error', fail);
      req.end();
    });
  }

  private readBody(res: IncomingMessage): Promise<Buffer> {
    const max = this.options.maxBytes;
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      res.destroy();
      return Promise.reject(this.tooLarge());
    }
    const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
    const stream = encoding === 'gzip' ? res.pipe(createGunzip()) : res;
    if (stream !== res) res.on('error', (error) => stream.destroy(error));
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Counted after decompression: a small gzip body cannot expand past the bound.
        if (size > max) {
          stream.destroy();
          res.destroy();
          reject(this.tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => resolve(Buffer.concat(chunks, size)));
      // A connection cut mid-answer surfaces here as an error ('aborted', ECONNRESET).
      stream.on('error', reject);
    });
  }

  private tooLarge(): TransportError {
    const mib = Math.round((this.options.maxBytes / 1024 / 1024) * 10) / 10;
    return new TransportError('too_large', `the answer is larger than ${mib} MiB`);
  }

  private toTransportError(error: unknown, timeoutMs: number, limitedByDeadline: boolean): TransportError {
    if (error instanceof TransportError) return error;
    const err = error as NodeJS.ErrnoException;
    if (err?.name === 'AbortError' || err?.name === 'TimeoutError') {
      return limitedByDeadline
        ? new TransportError('deadline', 'the scan deadline was reached while waiting for an answer')
        : new TransportError('timeout', `no answer within ${duration(timeoutMs)}`);
    }
    const code = err?.code;
    const detail = excerpt(`${code ? `${code}: ` : ''}${err?.message ?? String(error)}`, this.secrets, 200);
    if (code && (TLS_ERRORS.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) {
      return new TransportError('tls', `TLS failed (${detail})`, code);
    }
    return new TransportError('network', `connection failed (${detail})`, code);
  }

  close() {
    this.keepAliveAgent.destroy();
  }
}
