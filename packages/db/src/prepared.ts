import { createHash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { PgDialect, type PgPreparedQuery, type PreparedQueryConfig } from 'drizzle-orm/pg-core';
import type { Database } from './database.ts';

/**
 * Hot read paths (the API's findings list) as statements built once per shape instead of on every call:
 * drizzle renders the SQL text once (the shape's placeholders stand for the values), node-postgres prepares
 * it once per connection under a name derived from the text (Postgres parses it once per connection), and
 * rows come back as arrays for the caller to map by position, without drizzle's per-column mapping.
 *
 * A shape is a string that fully determines the SQL text; the values vary per call. PGlite ignores the
 * statement name and runs the same text unnamed.
 */

type RowsQuery = PgPreparedQuery<PreparedQueryConfig & { execute: unknown[][] }>;

interface Statement {
  /** Null once MAX_NAMED shapes are named: the text runs unnamed (Postgres parses it every time). */
  name: string | null;
  text: string;
  params: unknown[];
}

/**
 * Bounds the named statements each server connection keeps (one per shape used on it, ~50 KB of backend
 * memory each). Shapes come from request filters: past this many, further shapes run unnamed as before.
 */
const MAX_NAMED = 64;

const dialect = new PgDialect();
const statements = new Map<string, Statement>();
const sessions = new WeakMap<object, Map<string, RowsQuery>>();
const passRows = (rows: unknown[][]) => rows;

function statementOf(shape: string, build: () => SQL): Statement {
  let statement = statements.get(shape);
  if (!statement) {
    const query = dialect.sqlToQuery(build());
    const named = statements.size < MAX_NAMED;
    statement = {
      name: named ? `vigil_${createHash('sha256').update(query.sql).digest('hex').slice(0, 24)}` : null,
      text: query.sql,
      params: query.params,
    };
    if (named) statements.set(shape, statement);
  }
  return statement;
}

/**
 * Runs the statement of `shape` (built by `build` the first time the shape is seen) with `values` for its
 * placeholders; answers the rows as arrays, in the order of the statement's select list.
 */
export function selectRows(
  db: Database,
  shape: string,
  build: () => SQL,
  values: Record<string, unknown>,
): Promise<unknown[][]> {
  const session = db._.session;
  let queries = sessions.get(session);
  if (!queries) {
    queries = new Map();
    sessions.set(session, queries);
  }
  let query = queries.get(shape);
  if (!query) {
    const statement = statementOf(shape, build);
    query = session.prepareQuery<PreparedQueryConfig & { execute: unknown[][] }>(
      { sql: statement.text, params: statement.params },
      undefined,
      statement.name ?? undefined,
      true,
      passRows,
    );
    if (statement.name !== null) queries.set(shape, query);
  }
  return query.execute(values);
}
