import type { LabelSelector } from '@vigil/core';
import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { arrayParam } from './sql.ts';

/**
 * A Kubernetes label selector as a condition over a jsonb labels column (same semantics as core's
 * `selectorMatches`): every clause must hold, and an empty selector matches everything.
 */
export function labelSelectorSql(labels: AnyPgColumn, selector: LabelSelector): SQL {
  const clauses: SQL[] = [];
  if (selector.matchLabels && Object.keys(selector.matchLabels).length > 0) {
    clauses.push(sql`${labels} @> ${JSON.stringify(selector.matchLabels)}::jsonb`);
  }
  for (const expr of selector.matchExpressions ?? []) {
    const value = sql`(${labels} ->> ${expr.key}::text)`;
    const values = arrayParam(expr.values ?? [], 'text');
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
