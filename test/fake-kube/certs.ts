import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PKI for the fake API server: a CA, a server certificate for 127.0.0.1/localhost, and a client
 * certificate (CN = user, O = group, as the Kubernetes x509 authenticator reads them).
 *
 * No X.509 library is installed (node:crypto makes keys but not certificates), so this shells out to the
 * system `openssl`; it runs once per test process and takes a few tens of milliseconds.
 */
export interface TestPki {
  dir: string;
  caCert: string;
  caCertPath: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  clientCertPath: string;
  clientKeyPath: string;
  /** A CA that did not sign the server certificate, for trust-failure tests. */
  otherCaCert: string;
  /** The client certificate's subject: the user and group the fake server authenticates it as. */
  clientUser: string;
  clientGroup: string;
}

let cached: TestPki | undefined;

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string) {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function makeLeaf(dir: string, name: string, subject: string, extensions: string) {
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

/** Generates (once per process) the CA, server and client certificates. */
export function testPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fake-kube-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  makeLeaf(
    dir,
    'server',
    '/CN=kube-apiserver',
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'basicConstraints=critical,CA:FALSE',
      '',
    ].join('\n'),
  );
  const clientUser = 'vigil-cert-user';
  const clientGroup = 'vigil-scanners';
  makeLeaf(
    dir,
    'client',
    `/O=${clientGroup}/CN=${clientUser}`,
    [
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
      'basicConstraints=critical,CA:FALSE',
      '',
    ].join('\n'),
  );
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  cached = {
    dir,
    caCert: read('ca.crt'),
    caCertPath: join(dir, 'ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    clientCertPath: join(dir, 'client.crt'),
    clientKeyPath: join(dir, 'client.key'),
    otherCaCert: read('other-ca.crt'),
    clientUser,
    clientGroup,
  };
  return cached;
}
