import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../checks/registry.gen.ts';
import { buildSnapshotFromFiles } from '../snapshot/load.ts';
import { redactEvidence, redactText } from './redact.ts';
import { runAudit } from './run.ts';

// Well-known documentation examples, never real credentials.
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SESSION_KEY_ID = 'ASIAY34FZKBOKMUTVV7A';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIiwic3ViIjoiYWxpY2UifQ.c2lnbmF0dXJlLWJ5dGVz';
const PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----';
const EKS_TOKEN =
  'k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eQ';

describe('redactText', () => {
  it.each([
    ['an access key id', `key ${ACCESS_KEY_ID} here`, ACCESS_KEY_ID],
    ['a temporary access key id', `key ${SESSION_KEY_ID}`, SESSION_KEY_ID],
    ['a secret access key on its own', `ci ${SECRET_ACCESS_KEY}`, SECRET_ACCESS_KEY],
    [
      'a secret access key after its key name',
      `aws_secret_access_key = ${SECRET_ACCESS_KEY}`,
      SECRET_ACCESS_KEY,
    ],
    ['a JWT', `token ${JWT} end`, JWT],
    ['an EKS bearer token', `authorization ${EKS_TOKEN}`, EKS_TOKEN],
    [
      'a PEM block',
      `key:\n${PEM}\nafter`,
      'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw',
    ],
    [
      'a PEM block cut before its end',
      `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC`,
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    ],
    ['a password after password=', 'admin password=hunter2-Secret!', 'hunter2-Secret!'],
    ['a password in quoted JSON', '{"db_password": "correct horse"}', 'correct'],
    ['a camel-case secret key name', 'clientSecret: s3cr3t-value', 's3cr3t-value'],
    ['an upper-case environment name', 'MYSQL_ROOT_PASSWORD=rootpw123', 'rootpw123'],
    ['a bearer credential', 'Authorization: Bearer abcdefghijklmnop123', 'abcdefghijklmnop123'],
    ['a password in a URL', 'https://deploy:p4ssw0rd@git.example.com/repo', 'p4ssw0rd'],
  ])('masks %s', (_, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED');
  });

  it.each([
    ['a role ARN', 'arn:aws:iam::111122223333:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef'],
    [
      'a role ARN whose name is 35 characters',
      'arn:aws:iam::111122223333:role/MyVeryLongRoleNameForEks12345678AB',
    ],
    ['an assumed-role ARN', 'arn:aws:sts::111122223333:assumed-role/Developer/alice@example.com'],
    ['a KMS key ARN', 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555'],
    ['an account id', 'account 111122223333 is foreign'],
    ['a SHA-1 digest', 'commit 3f786850e387550fdab836ed7e6dc881de23001b'],
    ['a templated username', 'admin:{{SessionName}} and system:node:{{EC2PrivateDNSName}}'],
    [
      'words about secrets and tokens',
      'User alice can get secrets cluster-wide and create serviceaccounts/token',
    ],
    ['a key name that is not a credential', 'username: ci, groups: [deployers]'],
  ])('leaves %s alone', (_, text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('redactText on arbitrary text', () => {
  const filler = fc.string({ maxLength: 40 });
  const keyId = fc
    .tuple(fc.constantFrom('AKIA', 'ASIA'), fc.stringMatching(/^[A-Z0-9]{16}$/))
    .map(([prefix, rest]) => prefix + rest);

  it('never lets an access key id through, wherever it sits', () => {
    fc.assert(
      fc.property(filler, keyId, filler, (before, key, after) => {
        expect(redactText(`${before} ${key} ${after}`)).not.toContain(key);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const once = redactText(text);
        expect(redactText(once)).toBe(once);
      }),
    );
  });
});

describe('redactEvidence', () => {
  it('masks a token even when it is dressed up as an ARN', () => {
    expect(redactText(`arn:aws:iam::111122223333:role/${JWT}`)).not.toContain(JWT);
    expect(redactText(`arn:aws:iam::111122223333:user/${ACCESS_KEY_ID}`)).not.toContain(ACCESS_KEY_ID);
  });

  it('masks strings at any depth and returns a copy', () => {
    const evidence = {
      entry: { username: `ci ${ACCESS_KEY_ID}`, groups: ['ops', JWT] },
      trace: [{ note: `aws_session_token=${SECRET_ACCESS_KEY}` }],
      rolearn: 'arn:aws:iam::111122223333:role/Admin',
    };
    const out = redactEvidence(evidence);
    const text = JSON.stringify(out);
    for (const secret of [ACCESS_KEY_ID, JWT, SECRET_ACCESS_KEY]) expect(text).not.toContain(secret);
    expect(out.rolearn).toBe('arn:aws:iam::111122223333:role/Admin');
    expect(evidence.entry.username).toContain(ACCESS_KEY_ID);
  });

  it('masks string values under credential-like keys whole, but not booleans or names of Secrets', () => {
    const out = redactEvidence({
      password: 'plain words',
      accessToken: 'opaque',
      automountServiceAccountToken: true,
      secretName: 'db-credentials',
    });
    expect(out).toEqual({
      password: '[REDACTED]',
      accessToken: '[REDACTED]',
      automountServiceAccountToken: true,
      secretName: 'db-credentials',
    });
  });
});

describe('the audit engine', () => {
  // RELIABILITY 14: values planted in aws-auth never reach findings, whatever the checks quote.
  const awsAuth = `
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/Admin
      username: "admin password=hunter2-Secret!"
      groups: [system:masters, "${ACCESS_KEY_ID}"]
      password: S3cr3t-Pa55w0rd
    - rolearn: arn:aws:iam::111122223333:role/teams/x/Pathed
      username: "${JWT}"
      groups: ["${PEM.replace(/\n/g, '\\n')}"]
    - rolearn: arn:aws:iam::999988887777:role/Vendor
      username: "vendor ${EKS_TOKEN}"
      groups: [vendors]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/ci
      username: ci
      groups: ["${SECRET_ACCESS_KEY}"]
  mapAccounts: |
    - "aws_secret_access_key=${SECRET_ACCESS_KEY}"
`;
  const broken = `
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data:
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/ci
      secret: [${SECRET_ACCESS_KEY}
`;
  const eks = JSON.stringify({
    cluster: {
      name: 'prod',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
      version: '1.33',
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      logging: { clusterLogging: [{ types: ['audit'], enabled: true }] },
      resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: false },
    },
    accessEntries: [],
  });
  const planted = [
    'hunter2',
    'S3cr3t-Pa55w0rd',
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    JWT,
    EKS_TOKEN,
    'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw',
  ];

  function audit(manifests: string) {
    const snapshot = buildSnapshotFromFiles({
      manifests: [{ name: 'aws-auth.yaml', text: manifests }],
      eks: { name: 'eks.json', text: eks },
    });
    // Everything not in the input counts as read and empty, so every check that can run does.
    for (const coverage of Object.values(snapshot.coverage)) {
      if (coverage.status === 'not_collected')
        Object.assign(coverage, { status: 'complete', reason: undefined });
    }
    return runAudit({ snapshot, checks: CHECKS, options: { now: '2026-11-26T00:00:00Z' } });
  }

  it('keeps secrets planted in aws-auth out of every finding', () => {
    const report = audit(awsAuth);
    expect(report.checks.filter((c) => c.status === 'not_evaluated').map((c) => c.checkId)).toEqual([]);
    const masters = report.findings.find(
      (f) => f.checkId === 'aws-auth-masters' && f.subject?.name.endsWith('role/Admin'),
    );
    expect(masters, 'the planted entries are still reported').toBeDefined();
    expect(JSON.stringify(masters?.evidence)).toContain('[REDACTED:aws-access-key-id]');
    const text = JSON.stringify(report);
    for (const secret of planted) expect(text).not.toContain(secret);
  });

  it('keeps secrets out of the report when aws-auth does not parse', () => {
    const report = audit(broken);
    expect(report.findings.some((f) => f.checkId === 'malformed-mapping')).toBe(true);
    expect(JSON.stringify(report)).not.toContain(SECRET_ACCESS_KEY);
  });
});
