import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, type Kysely } from 'kysely';
import { sqlDir } from '../util/paths.js';

/**
 * Statements too central to hide in a query builder (the claim, the backoff) live as plain files in sql/, where a
 * DBA can read and EXPLAIN them. They are read once, when the module that uses them is loaded.
 */
export function loadSql(relativePath: string): string {
  return readFileSync(path.join(sqlDir(), relativePath), 'utf8');
}

/** Runs a loaded statement with positional parameters on a database or a transaction. */
export async function runSql<Row>(db: Kysely<any>, text: string, params: readonly unknown[]): Promise<Row[]> {
  const result = await db.executeQuery<Row>(CompiledQuery.raw(text, [...params]));
  return result.rows;
}
