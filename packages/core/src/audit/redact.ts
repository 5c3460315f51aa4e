/**
 * Masks values that look like credentials in finding messages and evidence. Checks quote only names, ARNs and
 * fields they mean to quote, but those come from objects anyone with write access can fill (an aws-auth
 * username can hold a pasted access key), so the engine runs every message and evidence object through here
 * before a finding exists: nothing that looks like a secret reaches the report, the database or a notification.
 *
 * Masked: PEM blocks, JWTs, EKS bearer tokens (`k8s-aws-v1.`), AWS access key ids (AKIA/ASIA), AWS secret access
 * keys (40-character base64 strings of mixed case and digits), `Bearer`/`Basic` credentials, passwords in URLs,
 * and the value after a credential-like key (`password=`, `token:`, `aws_secret_access_key =` ...). In objects,
 * string values under such keys are masked whole. The 40-character heuristic skips ARNs, which name things and
 * are the point of most evidence.
 *
 * @example
 * redactText('username: ci AKIAIOSFODNN7EXAMPLE') // 'username: ci [REDACTED:aws-access-key-id]'
 */

export const REDACTED = '[REDACTED]';

const mask = (kind: string) => `[REDACTED:${kind}]`;

/** Whole-token patterns, applied in order: the longest, most specific forms first. */
const TOKEN_RULES: { pattern: RegExp; replacement: string; hints: string[] }[] = [
  // A PEM block, or its start when the text was cut before the END line.
  {
    pattern: /-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,64}-----|$)/g,
    replacement: mask('pem'),
    hints: ['-----BEGIN '],
  },
  // header.payload.signature, both first parts base64url JSON (`{"` encodes as `eyJ`); the signature may be empty.
  {
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replacement: mask('jwt'),
    hints: ['eyJ'],
  },
  { pattern: /\bk8s-aws-v1\.[A-Za-z0-9_-]{16,}/g, replacement: mask('eks-token'), hints: ['k8s-aws-v1.'] },
  {
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
    replacement: mask('aws-access-key-id'),
    hints: ['AKIA', 'ASIA'],
  },
];

/** `Bearer xyz`, `Basic xyz`: keep the scheme, mask the credential. */
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
/** The same pattern without `g`, so testing for it keeps no state. */
const AUTH_SCHEME_TEST = new RegExp(AUTH_SCHEME.source, 'i');

/** `https://user:password@host`: keep the user and host. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

/**
 * Key names whose values are credentials, compared lower-cased without `_` and `-`: these as suffixes
 * (`db_password`, `MYSQL_ROOT_PASSWORD`, `clientSecret`), the short ones only as the whole name.
 */
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

/** `key:` / `key =` / `"key": "` in free text; the value after it is read separately. */
const KEY_SEPARATOR = /\b([A-Za-z][A-Za-z0-9_-]{0,60})(["']?\s{0,3}[:=]\s{0,3}["']?)/g;
const VALUE = /^[^\s"',;}\]]+/;

/** A standalone 40-character base64 run, as AWS secret access keys are. */
const SECRET_ACCESS_KEY = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/** ARNs, which evidence quotes on purpose and which must not be mistaken for keys. */
const ARN = /\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[^\s"',]+/g;

function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[_-]/g, '');
  return SECRET_KEY_NAMES.has(normal) || SECRET_KEY_SUFFIXES.some((suffix) => normal.endsWith(suffix));
}

/*
 * Cheap tests that must pass before a step can change anything. Every finding's message and evidence strings
 * go through here (hundreds of thousands in a large cluster) and almost none hold a credential, so each step
 * is skipped when the text cannot contain what it looks for. They only skip work: what is masked is the same.
 */
function isBase64Char(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 47 || c === 43; // / +
}

/**
 * The 40-character heuristic needs a run of 40 base64 characters somewhere. Looks at the last character of
 * each 40-character window first: when it is not base64, no run can end before it, so most text is skipped.
 */
function hasBase64Run(text: string): boolean {
  let start = 0;
  while (start + 40 <= text.length) {
    let i = start + 39;
    while (i >= start && isBase64Char(text.charCodeAt(i))) i--;
    if (i < start) return true;
    start = i + 1;
  }
  return false;
}

/** JavaScript's `\s`. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * What a credential-like key ends with once lower-cased without `_` and `-`: every SECRET_KEY_NAMES entry and
 * SECRET_KEY_SUFFIXES entry is one of these or ends with one (all `...token` ones end with `token`).
 */
const KEY_ENDINGS = [
  'token',
  'pwd',
  'credential',
  'credentials',
  'password',
  'passwd',
  'passphrase',
  'secretaccesskey',
  'secretkey',
  'clientsecret',
  'apikey',
  'privatekey',
];

/** Does the ASCII key ending at `end` (exclusive), read without `_` and `-` and lower-cased, end with `word`? */
function keyEndsWith(text: string, end: number, word: string): boolean {
  let i = end - 1;
  for (let w = word.length - 1; w >= 0; w--) {
    while (i >= 0 && (text.charCodeAt(i) === 95 || text.charCodeAt(i) === 45)) i--; // _ -
    if (i < 0) return false;
    const c = text.charCodeAt(i);
    const lower = c >= 65 && c <= 90 ? c + 32 : c;
    if (lower !== word.charCodeAt(w)) return false;
    i--;
  }
  return true;
}

/**
 * redactKeyValues only masks after KEY_SEPARATOR's key (ASCII), optional quote, up to three spaces and `:` or
 * `=`, and only when the key is credential-like. This looks back from every `:` and `=` for such a key.
 */
function mayHoldSecretKey(text: string): boolean {
  for (let sep = 0; sep < text.length; sep++) {
    const c = text.charCodeAt(sep);
    if (c !== 58 && c !== 61) continue; // : =
    let end = sep;
    for (let spaces = 0; spaces < 3 && end > 0 && isSpace(text.charCodeAt(end - 1)); spaces++) end--;
    if (end > 0 && (text.charCodeAt(end - 1) === 34 || text.charCodeAt(end - 1) === 39)) end--; // " '
    for (const word of KEY_ENDINGS) if (keyEndsWith(text, end, word)) return true;
  }
  return false;
}

/** isSecretKey of object keys, which repeat in every finding; bounded because keys can come from cluster data. */
const secretKeyCache = new Map<string, boolean>();
function isSecretObjectKey(key: string): boolean {
  let secret = secretKeyCache.get(key);
  if (secret === undefined) {
    secret = isSecretKey(key);
    if (secretKeyCache.size < 10_000) secretKeyCache.set(key, secret);
  }
  return secret;
}

/** Masks the value that follows each credential-like key. */
function redactKeyValues(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(KEY_SEPARATOR)) {
    if (match.index < last || !isSecretKey(match[1] ?? '')) continue;
    const valueStart = match.index + match[0].length;
    const value = VALUE.exec(text.slice(valueStart))?.[0];
    if (!value || value.startsWith('[REDACTED')) continue;
    out += text.slice(last, valueStart) + REDACTED;
    last = valueStart + value.length;
  }
  return out + text.slice(last);
}

function looksLikeSecretAccessKey(candidate: string): boolean {
  return /[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /[0-9]/.test(candidate);
}

/** The 40-character heuristic, outside ARNs (a role name can be 40 base64-looking characters). */
function redactSecretAccessKeys(text: string): string {
  const outsideArns = (segment: string) =>
    segment.replace(SECRET_ACCESS_KEY, (candidate) =>
      looksLikeSecretAccessKey(candidate) ? mask('aws-secret-access-key') : candidate,
    );
  let out = '';
  let last = 0;
  for (const match of text.matchAll(ARN)) {
    out += outsideArns(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + outsideArns(text.slice(last));
}

/** Masks credential-like values in one string. */
export function redactText(text: string): string {
  let out = text;
  for (const rule of TOKEN_RULES) {
    if (rule.hints.some((hint) => out.includes(hint))) out = out.replace(rule.pattern, rule.replacement);
  }
  if (AUTH_SCHEME_TEST.test(out)) {
    out = out.replace(AUTH_SCHEME, (_, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
  }
  if (out.includes('://')) out = out.replace(URL_PASSWORD, (_, head: string) => `${head}${REDACTED}@`);
  if (mayHoldSecretKey(out)) out = redactKeyValues(out);
  if (out.length >= 40 && hasBase64Run(out)) out = redactSecretAccessKeys(out);
  return out;
}

/**
 * Evidence repeats the same short strings (verbs, resource, role and binding names) across thousands of
 * findings: their masked form is remembered. Bounded, as the strings come from cluster data.
 */
const textCache = new Map<string, string>();
const CACHED_LENGTH = 256;

function redactShortText(text: string): string {
  if (text.length > CACHED_LENGTH) return redactText(text);
  let out = textCache.get(text);
  if (out === undefined) {
    out = redactText(text);
    if (textCache.size >= 50_000) textCache.clear();
    textCache.set(text, out);
  }
  return out;
}

/**
 * Copy-on-write: a part of the evidence in which nothing is masked is returned as it is, so a finding's
 * evidence is only copied where a credential was found (large audits hold hundreds of megabytes of it).
 */
function redactValue(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'string') return redactShortText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const next = redactValue(item, seen);
      if (out) out.push(next);
      else if (next !== item) {
        out = value.slice(0, i);
        out.push(next);
      }
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = (value as Record<string, unknown>)[key];
    const next =
      typeof item === 'string' && item !== '' && isSecretObjectKey(key) ? REDACTED : redactValue(item, seen);
    if (out) out[key] = next;
    else if (next !== item) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = (value as Record<string, unknown>)[keys[j]!];
      out[key] = next;
    }
  }
  return out ?? value;
}

/**
 * The evidence with every credential-like string masked; the input is not changed (parts with nothing to mask
 * are shared with it rather than copied).
 */
export function redactEvidence<T extends Record<string, unknown>>(evidence: T): T {
  return redactValue(evidence, new Set()) as T;
}

/**
 * A snapshot fit to be stored: every credential-like string masked, as in findings. Snapshots quote cluster
 * data verbatim (the `aws-auth` mappings above all, where a pasted access key or password would otherwise be
 * kept at rest). Unchanged parts are shared with the input. A mapping whose username held a credential
 * keeps a masked username, so who-can over a stored snapshot names the entry by its ARN, not its secret.
 */
export function redactSnapshot<T extends object>(snapshot: T): T {
  return redactValue(snapshot, new Set()) as T;
}
