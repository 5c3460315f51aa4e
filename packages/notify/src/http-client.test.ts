import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPki } from '../../../test/fake-kube/certs.ts';
import { DestinationRefusedError, RequestTimeoutError, TransportError } from './errors.ts';
import { createHttpClient } from './http-client.ts';
import { addressPolicy, checkDestination, type Resolver } from './ssrf.ts';

interface Seen {
  method: string;
  url: string;
  host: string | undefined;
  servername?: string | false | null;
  body: string;
}

// One loopback server whose behaviour each test picks by path.
function handler(seen: Seen[]) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host,
        servername: (req.socket as TLSSocket).servername,
        body,
      });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/elsewhere' }).end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 2_000);
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(1_000_000));
      } else {
        res.writeHead(201, { 'x-thing': 'a', 'retry-after': '7' }).end(`echo:${body}`);
      }
    });
  };
}

const allowLoopback = addressPolicy(['127.0.0.0/8']);
const resolveTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: 4 as const }));

describe('the guarded HTTP client', () => {
  const seen: Seen[] = [];
  let server: http.Server;
  let tls: https.Server;
  let port = 0;
  let tlsPort = 0;

  beforeAll(async () => {
    server = http.createServer(handler(seen));
    const pki = testPki();
    tls = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, handler(seen));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    tlsPort = (tls.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    tls.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => tls.close(r));
  });

  it('sends the request and reads status, headers and body', async () => {
    const client = createHttpClient({ policy: allowLoopback });
    const response = await client.send({
      method: 'POST',
      url: `http://127.0.0.1:${port}/hook?x=1`,
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":"ü"}',
    });
    client.close();
    expect(response.status).toBe(201);
    expect(response.headers['x-thing']).toBe('a');
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body).toBe('echo:{"a":"ü"}');
    expect(response.truncated).toBe(false);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/hook?x=1', host: `127.0.0.1:${port}` });
  });

  it('refuses a loopback destination unless the operator allow-lists it', async () => {
    const before = seen.length;
    const client = createHttpClient({ policy: addressPolicy() });
    await expect(client.send({ method: 'POST', url: `http://127.0.0.1:${port}/` })).rejects.toBeInstanceOf(
      DestinationRefusedError,
    );
    await expect(client.send({ method: 'POST', url: `http://2130706433:${port}/` })).rejects.toBeInstanceOf(
      DestinationRefusedError,
    );
    await expect(
      client.send({ method: 'POST', url: `http://[::ffff:127.0.0.1]:${port}/` }),
    ).rejects.toBeInstanceOf(DestinationRefusedError);
    client.close();
    expect(seen.length).toBe(before);
  });

  it('connects a named host to the address its one checked lookup returned, keeping the Host header', async () => {
    let lookups = 0;
    const resolver: Resolver = async (name) => {
      lookups++;
      expect(name).toBe('receiver.invalid');
      return [{ address: '127.0.0.1', family: 4 }];
    };
    // `.invalid` never resolves through real DNS: reaching the server proves the pinned address was used.
    const client = createHttpClient({ policy: allowLoopback, resolver });
    const response = await client.send({ method: 'POST', url: `http://receiver.invalid:${port}/named` });
    client.close();
    expect(response.status).toBe(201);
    expect(lookups).toBe(1);
    expect(seen.at(-1)?.host).toBe(`receiver.invalid:${port}`);
  });

  it('cannot be rebound: a name that was public when saved and resolves to loopback at connect time is refused', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.2']];
    const resolver: Resolver = async () =>
      (answers.shift() ?? ['127.0.0.2']).map((address) => ({ address, family: 4 as const }));
    const url = `http://rebind.example:${port}/rebind`;
    await expect(checkDestination(url, { policy: addressPolicy(), resolver })).resolves.toBeDefined();
    const before = seen.length;
    const client = createHttpClient({ policy: addressPolicy(), resolver });
    const error = await client.send({ method: 'POST', url }).catch((e: unknown) => e);
    client.close();
    expect(error).toBeInstanceOf(DestinationRefusedError);
    expect((error as DestinationRefusedError).range).toBe('loopback');
    expect(seen.length).toBe(before);
  });

  it('refuses a name when one of several answers is private, even if the first is public', async () => {
    const client = createHttpClient({
      policy: addressPolicy(),
      resolver: resolveTo('93.184.216.34', '169.254.169.254'),
    });
    const error = await client.send({ method: 'GET', url: 'http://mixed.example/' }).catch((e: unknown) => e);
    client.close();
    expect(error).toBeInstanceOf(DestinationRefusedError);
  });

  it('returns a redirect as it is and never follows it', async () => {
    const client = createHttpClient({ policy: allowLoopback });
    const before = seen.length;
    const response = await client.send({ method: 'POST', url: `http://127.0.0.1:${port}/redirect` });
    client.close();
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/elsewhere');
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/redirect']);
  });

  it('gives up on an endpoint that does not answer within the time limit', async () => {
    const client = createHttpClient({ policy: allowLoopback, timeoutMs: 150 });
    const started = Date.now();
    await expect(
      client.send({ method: 'POST', url: `http://127.0.0.1:${port}/slow` }),
    ).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
    client.close();
  });

  it('reads at most maxResponseBytes of a large body', async () => {
    const client = createHttpClient({ policy: allowLoopback, maxResponseBytes: 1024 });
    const response = await client.send({ method: 'GET', url: `http://127.0.0.1:${port}/big` });
    client.close();
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(1024);
    expect(response.truncated).toBe(true);
  });

  it('reports a refused connection as a transport error that names the host only', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const client = createHttpClient({ policy: allowLoopback });
    const error = await client
      .send({ method: 'POST', url: `http://127.0.0.1:${deadPort}/services/SECRET` })
      .catch((e: Error) => e);
    client.close();
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe('127.0.0.1: ECONNREFUSED');
  });

  it('pins HTTPS connections too, with SNI and certificate checks against the host name', async () => {
    const pki = testPki();
    const client = createHttpClient({
      policy: allowLoopback,
      resolver: resolveTo('127.0.0.1'),
      ca: pki.caCert,
    });
    const response = await client.send({
      method: 'POST',
      url: `https://localhost:${tlsPort}/secure`,
      body: 'x',
    });
    expect(response.status).toBe(201);
    expect(seen.at(-1)).toMatchObject({
      url: '/secure',
      servername: 'localhost',
      host: `localhost:${tlsPort}`,
    });
    // The same address under a name the certificate does not carry fails verification.
    const wrong = await client
      .send({ method: 'POST', url: `https://wrong.invalid:${tlsPort}/secure` })
      .catch((e: Error) => e);
    client.close();
    expect(wrong).toBeInstanceOf(TransportError);
    expect((wrong as Error).message).toMatch(/^wrong\.invalid: ERR_TLS_CERT_ALTNAME_INVALID$/);
  });
});
