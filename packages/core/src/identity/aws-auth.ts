import { parseDocument, visit } from 'yaml';
import type { AwsAuthConfigMap } from '../snapshot/model.ts';

/** One IAM principal mapped to a Kubernetes username and groups by the `aws-auth` ConfigMap. */
export interface AwsAuthMapping {
  source: 'mapRoles' | 'mapUsers';
  /** Position in its list, for evidence. */
  index: number;
  arn: string;
  username?: string;
  groups: string[];
}

export interface AwsAuthProblem {
  key: 'mapRoles' | 'mapUsers' | 'mapAccounts';
  index?: number;
  problem: string;
}

export interface ParsedAwsAuth {
  mappings: AwsAuthMapping[];
  accounts: string[];
  problems: AwsAuthProblem[];
}

function parseList(
  text: string | undefined,
  key: AwsAuthProblem['key'],
  problems: AwsAuthProblem[],
): unknown[] {
  if (text === undefined || text.trim() === '') return [];
  // parseDocument, not parse: no warnings logged, and the scalars' source text stays available.
  const doc = parseDocument(text, { uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    problems.push({ key, problem: `is not valid YAML (${error.code}${line ? ` at line ${line}` : ''})` });
    return [];
  }
  // EKS decodes every field into a Go string: a number or boolean counts as the text it was written as, so
  // an unquoted account id with a leading zero (012345678901) keeps its zero.
  visit(doc, {
    Scalar(_key, node) {
      if (
        typeof node.value === 'number' ||
        typeof node.value === 'boolean' ||
        typeof node.value === 'bigint'
      ) {
        node.value = node.source ?? String(node.value);
      }
    },
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    problems.push({ key, problem: `cannot be read (${(error as Error).name})` });
    return [];
  }
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ key, problem: 'is not a YAML list' });
    return [];
  }
  return value;
}

/**
 * Reads `mapRoles`, `mapUsers` and `mapAccounts` as EKS does. Nothing here throws: whatever EKS would
 * ignore or reject becomes a problem, reported by the malformed-mapping check.
 */
export function parseAwsAuth(configMap: AwsAuthConfigMap | null): ParsedAwsAuth {
  if (!configMap) return { mappings: [], accounts: [], problems: [] };
  // The RBAC index and several checks read the same ConfigMap in one audit, and parsing its YAML is the cost:
  // the result is kept by content, and every caller gets its own copy.
  const key = JSON.stringify([configMap.mapRoles, configMap.mapUsers, configMap.mapAccounts]);
  let parsed = parsedAwsAuth.get(key);
  if (!parsed) {
    parsed = readAwsAuth(configMap);
    if (parsedAwsAuth.size >= 8) parsedAwsAuth.clear();
    parsedAwsAuth.set(key, parsed);
  }
  return {
    mappings: parsed.mappings.map((mapping) => ({ ...mapping, groups: [...mapping.groups] })),
    accounts: [...parsed.accounts],
    problems: parsed.problems.map((problem) => ({ ...problem })),
  };
}

const parsedAwsAuth = new Map<string, ParsedAwsAuth>();

function readAwsAuth(configMap: AwsAuthConfigMap): ParsedAwsAuth {
  const out: ParsedAwsAuth = { mappings: [], accounts: [], problems: [] };
  for (const source of ['mapRoles', 'mapUsers'] as const) {
    const arnKey = source === 'mapRoles' ? 'rolearn' : 'userarn';
    const items = parseList(configMap[source], source, out.problems);
    items.forEach((item, index) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        out.problems.push({ key: source, index, problem: 'entry is not a mapping' });
        return;
      }
      const record = item as Record<string, unknown>;
      const arn = record[arnKey];
      if (typeof arn !== 'string' || arn === '') {
        out.problems.push({ key: source, index, problem: `entry has no ${arnKey}` });
        return;
      }
      const groups = record.groups;
      if (groups !== undefined && groups !== null && !Array.isArray(groups)) {
        out.problems.push({ key: source, index, problem: 'groups is not a list' });
      }
      const mapping: AwsAuthMapping = {
        source,
        index,
        arn,
        groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
      };
      if (Array.isArray(groups) && mapping.groups.length !== groups.length) {
        out.problems.push({ key: source, index, problem: 'groups has entries that are not names' });
      }
      if (typeof record.username === 'string') mapping.username = record.username;
      else if (record.username !== undefined && record.username !== null) {
        out.problems.push({ key: source, index, problem: 'username is not a string' });
      }
      out.mappings.push(mapping);
    });
  }
  parseList(configMap.mapAccounts, 'mapAccounts', out.problems).forEach((account, index) => {
    if (typeof account === 'string' && /^\d{12}$/.test(account)) out.accounts.push(account);
    else out.problems.push({ key: 'mapAccounts', index, problem: 'entry is not a 12-digit account id' });
  });
  return out;
}

/** The account id of an IAM or STS ARN, if it has one. */
export function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && /^\d{12}$/.test(parts[4] ?? '') ? parts[4] : undefined;
}

/** True when a username or group is a template EKS fills at login (`{{SessionName}}`, `{{EC2PrivateDNSName}}`). */
export function isTemplated(name: string): boolean {
  return name.includes('{{');
}
