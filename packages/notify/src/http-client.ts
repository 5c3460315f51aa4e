import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { systemResolver } from './dns.ts';
import { NotifyError, RequestTimeoutError, TransportError } from './errors.ts';
import {
  type AddressPolicy,
  hostOf,
  literalAddress,
  parseDestinationUrl,
  type Resolver,
  resolveChecked,
} from './ssrf.ts';

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The start of the body, at most `maxResponseBytes`, as UTF-8. Never shown to API callers. */
  body: string;
  truncated: boolean;
  durationMs: number;
}

export interface HttpClient {
  /**
   * Sends one request and reads a bounded part of the answer. Never follows redirects (a 3xx comes back as
   * it is). Throws DestinationRefusedError when the host resolves to a refused address at connect time,
   * RequestTimeoutError when the whole exchange takes longer than the time limit, TransportError otherwise.
   */
  send(request: OutboundRequest): Promise<OutboundResponse>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export interface HttpClientOptions {
  policy: AddressPolicy;
  /** Defaults to the system resolver. Tests inject one to make DNS answers change between calls. */
  resolver?: Resolver;
  /** Per request, from the first byte sent to the last byte read (default 10 s: a delivery makes at most
   * four requests within its 45 s lease). */
  timeoutMs?: number;
  /** The most of a response body that is read (default 64 KiB); the rest is discarded unread. */
  maxResponseBytes?: number;
  /** Connections kept per host:port (default 16); deliveries to one host are bounded before this anyway. */
  maxSocketsPerHost?: number;
  userAgent?: string;
  /** Extra certificate authorities to trust (a private PKI, or the tests' self-signed receivers). */
  ca?: string | Buffer | (string | Buffer)[];
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
export const USER_AGENT = 'Vigil-Webhooks/1.0';

/**
 * An HTTP client that only reaches allowed addresses. Every new connection resolves its host once through
 * the guard (`lookup` below): all answers are checked and the socket is pinned to a checked address, so no
 * second resolution happens between the check and the connect (DNS rebinding cannot slip in a private
 * address). TLS still verifies the certificate against the host name and sends it as SNI, and the Host
 * header keeps the name, since only the address lookup is replaced.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const resolver = options.resolver ?? systemResolver();
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const userAgent = options.userAgent ?? USER_AGENT;

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolveChecked(hostname, options.policy, resolver).then(
      (answers) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
        const pick = answers.find((a) => wanted === 0 || a.family === wanted) ?? answers[0]!;
        if (lookupOptions.all) callback(null, [{ address: pick.address, family: pick.family }]);
        else callback(null, pick.address, pick.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };

  const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerHost ?? 16, lookup };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) });

  async function send(request: OutboundRequest): Promise<OutboundResponse> {
    const url = parseDestinationUrl(request.url);
    const host = hostOf(url);
    const started = performance.now();
    // Sockets skip `lookup` for an address literal, so a literal is checked here instead.
    if (literalAddress(url) !== null) await resolveChecked(host, options.policy, resolver);
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string> = {
      'user-agent': userAgent,
      ...lowerCased(request.headers ?? {}),
      ...(body ? { 'content-length': String(body.length) } : {}),
    };
    const secure = url.protocol === 'https:';
    return new Promise<OutboundResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: unknown, response?: OutboundResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (response) resolve(response);
        else reject(toNotifyError(error, host));
      };
      const req = (secure ? https : http).request(url, {
        method: request.method,
        headers,
        agent: secure ? httpsAgent : httpAgent,
        lookup,
      });
      const timer = setTimeout(() => {
        const error = new RequestTimeoutError(timeoutMs);
        req.destroy(error);
        finish(error);
      }, timeoutMs);
      req.on('error', (error) => finish(error));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const done = () =>
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: flatHeaders(res.headers),
            body: Buffer.concat(chunks).toString('utf8'),
            truncated,
            durationMs: performance.now() - started,
          });
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = maxBytes - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size = maxBytes;
            truncated = true;
            // The status is known; the rest of an oversized body is not worth the time or memory.
            res.destroy();
            done();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', done);
        res.on('error', (error) => (truncated ? undefined : finish(error)));
        res.on('close', () => {
          if (!res.complete && !truncated) finish(new TransportError(`${host}: the response was cut off`));
        });
      });
      req.end(body);
    });
  }

  return {
    send,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** A message that names the host and the error code, never the URL's path or query (they may be secret). */
function toNotifyError(error: unknown, host: string): NotifyError {
  if (error instanceof NotifyError) return error;
  const code = (error as { code?: string }).code;
  return new TransportError(`${host}: ${code ?? 'request failed'}`, { cause: error });
}
