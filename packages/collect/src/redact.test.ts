import { describe, expect, it } from 'vitest';
import { excerpt, redact } from './redact.ts';

describe('redact', () => {
  it.each([
    ['a bearer token', 'denied for Bearer abc.def-ghi_123', 'denied for [redacted]'],
    ['an EKS token', 'token k8s-aws-v1.aHR0cHM6Ly9zdHM', 'token [redacted]'],
    ['an AWS access key id', 'key ASIAEXAMPLEASSUMED01 used', 'key [redacted] used'],
    ['a presigned signature', 'X-Amz-Signature=abc123&X-Amz-Date=1', '[redacted]&X-Amz-Date=1'],
    ['a JWT', 'sa token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln end', 'sa token [redacted] end'],
    [
      'a private key',
      'key -----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY----- end',
      'key [redacted] end',
    ],
  ])('removes %s', (_what, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('removes known secrets of any shape', () => {
    expect(redact('the server said hello-plain-secret-42 back', ['hello-plain-secret-42'])).toBe(
      'the server said [redacted] back',
    );
  });

  it('leaves ordinary text alone', () => {
    const text =
      'clusterroles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:vigil:scanner" cannot list';
    expect(redact(text)).toBe(text);
  });
});

describe('excerpt', () => {
  it('is one line, short, and redacted before it is cut', () => {
    const secret = 'plain-secret-value-that-is-long';
    const text = `${'x'.repeat(290)}\n${secret}`;
    const out = excerpt(text, [secret], 300);
    expect(out).not.toContain('\n');
    expect(out).not.toContain('plain-secret');
    expect(out.length).toBeLessThanOrEqual(303);
  });
});
