import type { LabelSelector } from '@vigil/core';
import { type SQL, type SQLChunk, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** How a selector's values enter the statement: parameters, or placeholders of a prepared statement. */
export type Bind = (name: string, value: unknown) => SQLChunk;

const asParam: Bind = (_name, value) => sql.param(value);

/**
 * A Kubernetes label selector as a condition over a jsonb labels column (same semantics as core's
 * `selectorMatches`): every clause must hold, and an empty selector matches everything. The statement's
 * text depends only on `labelSelectorShape(selector)`; `bind` receives the values.
 */
export function labelSelectorSql(labels: AnyPgColumn, selector: LabelSelector, bind: Bind = asParam): SQL {
  const clauses: SQL[] = [];
  if (selector.matchLabels && Object.keys(selector.matchLabels).length > 0) {
    clauses.push(sql`${labels} @> ${bind('labels', JSON.stringify(selector.matchLabels))}::jsonb`);
  }
  for (const [i, expr] of (selector.matchExpressions ?? []).entries()) {
    const value = sql`(${labels} ->> ${bind(`key${i}`, expr.key)}::text)`;
    const values = sql`${bind(`values${i}`, expr.values ?? [])}::text[]`;
    switch (expr.operator) {
      case 'In':
        clauses.push(sql`coalesce(${value} = any(${values}), false)`);
        break;
      case 'NotIn':
        clauses.push(sql`not coalesce(${value} = any(${values}), false)`);
        break;
      case 'Exists':
        clauses.push(sql`${value} is not null`);
        break;
      case 'DoesNotExist':
        clauses.push(sql`${value} is null`);
        break;
    }
  }
  return clauses.length === 0 ? sql`true` : sql.join(clauses, sql` and `);
}

/** What the text of `labelSelectorSql` depends on: which clauses the selector has, in order. */
export function labelSelectorShape(selector: LabelSelector): string {
  let shape = selector.matchLabels && Object.keys(selector.matchLabels).length > 0 ? 'L' : '-';
  for (const expr of selector.matchExpressions ?? []) shape += `,${expr.operator}`;
  return shape;
}
