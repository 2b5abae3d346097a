import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The readiness probe's database check: one round trip that needs no table (GET /api/health). */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
