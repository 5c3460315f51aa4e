/**
 * Text that came from outside (an API server's Status message, an exec plugin's stderr, an AWS error) is
 * shown to people and stored in coverage reasons. A hostile or careless server can echo our own request
 * back, so anything shaped like a credential is replaced before the text goes anywhere.
 */

const PATTERNS: readonly RegExp[] = [
  /\bBearer\s+[^\s"',;]+/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{8,}/gi,
  /k8s-aws-v1\.[A-Za-z0-9_-]+/g,
  // AWS access key ids (long-term AKIA, temporary ASIA) and presigned-URL credentials.
  /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g,
  /X-Amz-(?:Signature|Security-Token|Credential)=[^&\s"']+/gi,
  // JWTs (service-account and OIDC tokens).
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

const REDACTED = '[redacted]';

/** Replaces credential-shaped substrings, and each of the known secrets, with `[redacted]`. */
export function redact(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** A short, single-line, redacted excerpt of untrusted text, for coverage reasons and error messages. */
export function excerpt(text: string, knownSecrets: Iterable<string> = [], max = 300): string {
  // Redact before cutting, so a secret cut in half cannot survive as an unrecognisable prefix.
  const clean = redact(text, knownSecrets)
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
