import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, type Kysely } from 'kysely';
import { sqlDir } from '../util/paths.js';

/**
 * Statements too central to hide in a query builder (the claim, the backoff) live as plain files in sql/, where a
 * DBA can read and EXPLAIN them. They are read once, when the module that uses them is loaded.
 */
export function loadSql(relativePath: string, variables: Readonly<Record<string, string>> = {}): string {
  const text = readFileSync(path.join(sqlDir(), relativePath), 'utf8');
  return substitute(text, variables, relativePath);
}

/**
 * Replaces `:name` with `variables[name]`, psql's syntax for its variables, so a file stays runnable in psql after
 * `\set name …`. A `::type` cast is not a variable. An unknown `:name` is an error now rather than in Postgres later.
 */
function substitute(text: string, variables: Readonly<Record<string, string>>, file: string): string {
  return text.replace(/(?<![:\w]):([a-z_][a-z0-9_]*)\b/g, (_, name: string) => {
    const value = variables[name];
    if (value === undefined) throw new Error(`sql/${file} uses :${name}, which no caller defines`);
    return value;
  });
}

/** Statement text → the name it is prepared under on every connection of our pools (see namePreparedStatements). */
const preparedNames = new Map<string, string>();

/**
 * A statement of the queue's hot path, sent as a named prepared statement: each connection parses (and, on the
 * queue's own pool, plans) it once instead of on every call. That halves the cost of a claim on a busy queue
 * (planning its CTEs took as long as running them; see BENCHMARKS.md).
 */
export function loadPreparedSql(relativePath: string, variables: Readonly<Record<string, string>> = {}): string {
  const text = loadSql(relativePath, variables);
  preparedNames.set(text, `igscout/${relativePath}`);
  return text;
}

export function preparedName(text: string): string | undefined {
  return preparedNames.get(text);
}

/** Runs a loaded statement with positional parameters on a database or a transaction. */
// biome-ignore lint/suspicious/noExplicitAny: statements run on any of our databases (and the tests' own)
export async function runSql<Row>(db: Kysely<any>, text: string, params: readonly unknown[]): Promise<Row[]> {
  const result = await db.executeQuery<Row>(CompiledQuery.raw(text, [...params]));
  return result.rows;
}
