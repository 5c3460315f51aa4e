import type { Finding } from '../audit/types.ts';
import { InputError } from '../errors.ts';
import { DEFAULT_EXCEPTIONS } from './defaults.ts';
import type { AuditException, ExceptionsFile } from './model.ts';

export interface ActiveException extends AuditException {
  source: 'default' | 'user';
}

/**
 * A pattern's literal parts, split once: every finding of an audit is matched against every exception, so
 * splitting per match dominated large audits. Bounded, as patterns come from user files.
 */
const globParts = new Map<string, readonly string[]>();
function partsOf(pattern: string): readonly string[] {
  let parts = globParts.get(pattern);
  if (!parts) {
    parts = pattern.split('*');
    if (globParts.size < 1000) globParts.set(pattern, parts);
  }
  return parts;
}

/** Shell-style glob: `*` matches any run of characters, everything else literally. */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const parts = partsOf(pattern);
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!value.startsWith(first) || value.length < first.length + last.length || !value.endsWith(last))
    return false;
  let position = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    const found = value.indexOf(part, position);
    if (found === -1 || found + part.length > value.length - last.length) return false;
    position = found + part.length;
  }
  return true;
}

/** The exceptions in force for an audit: defaults (unless dropped) plus the user's, without expired ones. */
export function activeExceptions(file: ExceptionsFile | undefined, now: string): ActiveException[] {
  const out: ActiveException[] = [];
  if (file?.defaults !== false) {
    const disabled = new Set(file?.disable ?? []);
    for (const exception of DEFAULT_EXCEPTIONS) {
      if (!disabled.has(exception.id)) out.push({ ...exception, source: 'default' });
    }
  }
  const nowMs = Date.parse(now);
  // An unreadable clock would make every expired exception apply forever.
  if (Number.isNaN(nowMs)) throw new InputError('now', `"${now.slice(0, 64)}" is not an ISO 8601 time`);
  for (const exception of file?.exceptions ?? []) {
    if (exception.expires && Date.parse(exception.expires) <= nowMs) continue;
    out.push({ ...exception, source: 'user' });
  }
  return out;
}

function optionalMatch(pattern: string | undefined, value: string | undefined): boolean {
  return pattern === undefined || (value !== undefined && globMatches(pattern, value));
}

/** The first exception that covers the finding, user exceptions first. */
export function findException(
  finding: Pick<Finding, 'checkId' | 'resource' | 'subject'>,
  exceptions: readonly ActiveException[],
): ActiveException | undefined {
  let fallback: ActiveException | undefined;
  for (const exception of exceptions) {
    if (!exception.checks.some((check) => globMatches(check, finding.checkId))) continue;
    if (exception.subject) {
      const subject = finding.subject;
      if (!subject) continue;
      if (!optionalMatch(exception.subject.kind, subject.kind)) continue;
      if (!globMatches(exception.subject.name, subject.name)) continue;
      if (!optionalMatch(exception.subject.namespace, subject.namespace)) continue;
    }
    if (exception.resource) {
      const resource = finding.resource;
      if (!optionalMatch(exception.resource.kind, resource.kind)) continue;
      if (!globMatches(exception.resource.name, resource.name)) continue;
      if (!optionalMatch(exception.resource.namespace, resource.namespace)) continue;
    }
    if (exception.source === 'user') return exception;
    fallback ??= exception;
  }
  return fallback;
}
