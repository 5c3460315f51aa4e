import { describe, expect, it } from 'vitest';
import { verifyEksToken } from '../../../../test/fake-kube/eks-token.ts';
import { EKS_TOKEN_RENEW_AFTER_MS, EksTokenProvider, presignEksToken, stsHostname } from './token.ts';

// The example credentials from the AWS SigV4 documentation: fixed inputs give a checkable signature.
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2025-06-01T12:00:00Z');

describe('presignEksToken', () => {
  it('makes a k8s-aws-v1 token: unpadded base64url of a presigned regional STS GetCallerIdentity URL', async () => {
    const token = await presignEksToken({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials,
      signingDate,
    });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token).not.toContain('=');
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20250601/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20250601T120000Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // The cluster name is signed as a header, not sent in the URL.
    expect(url.search).not.toContain('prod');
  });

  it('signs so that an independent SigV4 computation verifies it, for that cluster name only', async () => {
    const token = await presignEksToken({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials,
      signingDate,
    });
    const secretFor = (id: string) =>
      id === credentials.accessKeyId ? credentials.secretAccessKey : undefined;
    const verified = verifyEksToken(token, {
      clusterName: 'prod',
      region: 'eu-west-1',
      secretFor,
      now: signingDate,
    });
    expect(verified.accessKeyId).toBe('AKIDEXAMPLE');
    expect(verified.signedAt.toISOString()).toBe(signingDate.toISOString());
    expect(() =>
      verifyEksToken(token, { clusterName: 'staging', region: 'eu-west-1', secretFor, now: signingDate }),
    ).toThrow(/signature does not verify/);
  });

  it('carries the session token of temporary credentials in the signed query', async () => {
    const token = await presignEksToken({
      clusterName: 'prod',
      region: 'us-east-1',
      credentials: { ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLE//session+token=' },
      signingDate,
    });
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FQoGZXIvYXdzEXAMPLE//session+token=');
    const secretFor = () => credentials.secretAccessKey;
    expect(() =>
      verifyEksToken(token, { clusterName: 'prod', region: 'us-east-1', secretFor, now: signingDate }),
    ).not.toThrow();
  });

  it('uses the China partition STS host', () => {
    expect(stsHostname('cn-north-1', 'aws-cn')).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(stsHostname('us-gov-west-1', 'aws-us-gov')).toBe('sts.us-gov-west-1.amazonaws.com');
  });
});

describe('EksTokenProvider', () => {
  it('reuses a token until the renewal age, then signs a fresh one with fresh credentials', async () => {
    let now = signingDate.getTime();
    let credentialCalls = 0;
    const provider = new EksTokenProvider({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials: async () => {
        credentialCalls++;
        return credentials;
      },
      clock: () => now,
    });
    const first = await provider.token();
    now += EKS_TOKEN_RENEW_AFTER_MS - 1;
    expect(await provider.token()).toBe(first);
    now += 1;
    const renewed = await provider.token();
    expect(renewed).not.toBe(first);
    expect(credentialCalls).toBe(2);
    const decoded = verifyEksToken(renewed, { clusterName: 'prod', region: 'eu-west-1', now: new Date(now) });
    expect(decoded.signedAt.getTime()).toBe(now);
  });

  it('renews before EKS would reject the token (15 minutes)', () => {
    expect(EKS_TOKEN_RENEW_AFTER_MS).toBeLessThan(15 * 60_000);
  });

  it('signs once for concurrent callers', async () => {
    let credentialCalls = 0;
    const provider = new EksTokenProvider({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials: async () => {
        credentialCalls++;
        return credentials;
      },
      clock: () => signingDate.getTime(),
    });
    const tokens = await Promise.all([provider.token(), provider.token(), provider.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(credentialCalls).toBe(1);
  });

  it('never shows the token when serialised', async () => {
    const provider = new EksTokenProvider({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials: async () => credentials,
      clock: () => signingDate.getTime(),
    });
    const token = await provider.token();
    expect(JSON.stringify({ provider })).not.toContain(token.slice(11, 40));
  });
});
