// redact.ts skips each masking step when cheap tests show the text cannot hold what the step looks for, and
// remembers short strings and copies evidence only where it masks something. Those shortcuts must never change
// what is masked: these tests hold them to the plain algorithm (every step applied to every string, evidence
// copied whole), on generated text built from the fragments credentials and look-alikes are made of.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactEvidence, redactText } from './redact.ts';

const REDACTED = '[REDACTED]';
const mask = (kind: string) => `[REDACTED:${kind}]`;
const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'secretaccesskey',
  'secretkey',
  'clientsecret',
  'apikey',
  'privatekey',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'bearertoken',
  'authtoken',
  'sessiontoken',
];
const SECRET_KEY_NAMES = new Set(['pwd', 'token', 'credential', 'credentials']);

function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[_-]/g, '');
  return SECRET_KEY_NAMES.has(normal) || SECRET_KEY_SUFFIXES.some((suffix) => normal.endsWith(suffix));
}

/** The masking steps of redact.ts, applied without any shortcut. */
function plainRedactText(text: string): string {
  let out = text;
  out = out.replace(
    /-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,64}-----|$)/g,
    mask('pem'),
  );
  out = out.replace(/\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, mask('jwt'));
  out = out.replace(/\bk8s-aws-v1\.[A-Za-z0-9_-]{16,}/g, mask('eks-token'));
  out = out.replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, mask('aws-access-key-id'));
  out = out.replace(
    /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
    (_, scheme: string, space: string) => `${scheme}${space}${REDACTED}`,
  );
  out = out.replace(
    /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
    (_, head: string) => `${head}${REDACTED}@`,
  );
  let keyed = '';
  let last = 0;
  for (const match of out.matchAll(/\b([A-Za-z][A-Za-z0-9_-]{0,60})(["']?\s{0,3}[:=]\s{0,3}["']?)/g)) {
    if (match.index < last || !isSecretKey(match[1] ?? '')) continue;
    const valueStart = match.index + match[0].length;
    const value = /^[^\s"',;}\]]+/.exec(out.slice(valueStart))?.[0];
    if (!value || value.startsWith('[REDACTED')) continue;
    keyed += out.slice(last, valueStart) + REDACTED;
    last = valueStart + value.length;
  }
  out = keyed + out.slice(last);
  const outsideArns = (segment: string) =>
    segment.replace(/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, (candidate) =>
      /[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /[0-9]/.test(candidate)
        ? mask('aws-secret-access-key')
        : candidate,
    );
  let result = '';
  last = 0;
  for (const match of out.matchAll(/\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s"',]+/g)) {
    result += outsideArns(out.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return result + outsideArns(out.slice(last));
}

function plainRedactValue(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'string') return plainRedactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => plainRedactValue(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      isSecretKey(key) && typeof item === 'string' && item !== '' ? REDACTED : plainRedactValue(item, seen);
  }
  return out;
}

const FRAGMENTS = [
  'password',
  'Pass_Word',
  'db-passwd',
  'passphrase',
  'token',
  'ToKeN',
  'to_-ken',
  'api_key',
  'apiKey',
  'x-api-key',
  'private-key',
  'clientSecret',
  'secret_access_key',
  'SECRET-KEY',
  'credentials',
  'pwd',
  ':',
  '=',
  ' ',
  '   ',
  '\t',
  '\u2003',
  '"',
  "'",
  ',',
  '\n',
  'Bearer ',
  'basic  ',
  'https://',
  'user:',
  '@host',
  'AKIA',
  'ASIA',
  'IOSFODNN7EXAMPLE',
  'AKIAIOSFODNN7EXAMPLE',
  'eyJ',
  'eyJhbGciOi.eyJzdWIiOi.sig',
  'abcd.',
  'k8s-aws-v1.',
  '-----BEGIN RSA KEY-----',
  '-----END RSA KEY-----',
  'arn:aws:iam::111122223333:role/',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'wJalrXUtnFEMI',
  'ABCDEFGHIJ0123456789',
  '/',
  '+',
  '[REDACTED]',
  'Σ',
  'İ',
  'K',
  'system:serviceaccounts',
  'a_b-c',
];
const text = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 30 })
  .map((parts) => parts.join(''));
const evidence = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('token', 'password', 'apiKey', 'name', 'kind', 'secretName'),
        fc.string({ maxLength: 5 }),
      ),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
}));

describe('redaction shortcuts', () => {
  it('mask exactly what the plain algorithm masks in any text', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(redactText(value)).toBe(plainRedactText(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('mask exactly what the plain algorithm masks in any evidence, shared and circular objects included', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), evidence.value), (value) => {
        expect(redactEvidence(value)).toEqual(plainRedactValue(value, new Set()));
      }),
      { numRuns: 3_000 },
    );
    const shared = { note: 'token: abc', name: 'x' };
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const value = { a: shared, b: shared, list: [shared, circular], circular };
    expect(redactEvidence(value)).toEqual(plainRedactValue(value, new Set()));
  });

  it('leave the input unchanged and share only the parts with nothing to mask', () => {
    const clean = { kind: 'RoleBinding', rule: { verbs: ['get'] } };
    const input = { clean, dirty: { note: `key AKIAIOSFODNN7EXAMPLE` } };
    const out = redactEvidence(input);
    expect(input.dirty.note).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out.dirty).not.toBe(input.dirty);
    expect(out.clean).toBe(clean);
  });
});
