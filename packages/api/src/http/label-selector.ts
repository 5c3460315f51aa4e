import type { LabelSelector } from '@vigil/core';
import { badRequest } from './problem.ts';

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];

const KEY = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside `( )`. */
function clauses(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (depth < 0) throw new Error('unbalanced ")"');
    if (char === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += char;
  }
  if (depth !== 0) throw new Error('unbalanced "("');
  out.push(current);
  return out.map((c) => c.trim());
}

function key(text: string): string {
  if (!KEY.test(text)) throw new Error(`"${text.slice(0, 80)}" is not a label key`);
  return text;
}

function value(text: string): string {
  if (!VALUE.test(text)) throw new Error(`"${text.slice(0, 80)}" is not a label value`);
  return text;
}

function requirement(clause: string): Requirement | { key: string; value: string } {
  let m = /^!\s*(\S+)$/.exec(clause);
  if (m) return { key: key(m[1]!), operator: 'DoesNotExist' };
  m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(clause);
  if (m) {
    const [, k, op, v] = m;
    if (op === '!=') return { key: key(k!), operator: 'NotIn', values: [value(v!)] };
    return { key: key(k!), value: value(v!) };
  }
  m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(clause);
  if (m) {
    const values = m[3]!
      .split(',')
      .map((v) => v.trim())
      .map(value);
    if (values.length === 0 || (values.length === 1 && values[0] === '')) {
      throw new Error(`"${clause.slice(0, 80)}" lists no values`);
    }
    return { key: key(m[1]!), operator: m[2] === 'in' ? 'In' : 'NotIn', values };
  }
  return { key: key(clause), operator: 'Exists' };
}

/**
 * Parses Kubernetes label selector syntax (`env=prod,tier!=edge,team in (a,b),!legacy,owner`) into the
 * structured form. Malformed input is a 400 naming the query parameter, never an empty selector.
 */
export function parseLabelSelector(text: string, parameter = 'labelSelector'): LabelSelector {
  const selector: LabelSelector = {};
  if (text.trim() === '') return selector;
  try {
    for (const clause of clauses(text)) {
      if (clause === '') throw new Error('empty requirement');
      const parsed = requirement(clause);
      if ('operator' in parsed) selector.matchExpressions = [...(selector.matchExpressions ?? []), parsed];
      else selector.matchLabels = { ...selector.matchLabels, [parsed.key]: parsed.value };
    }
  } catch (error) {
    const reason = (error as Error).message;
    throw badRequest(`query.${parameter}: ${reason}`, [{ name: `query.${parameter}`, reason }]);
  }
  return selector;
}
