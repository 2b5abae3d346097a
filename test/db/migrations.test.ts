import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { listBlogs } from '../../src/results/blog-list.js';
import { withDatabase } from '../setup/global-postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * Migrations on the servers users actually have. Migration 0009 creates pg_trgm for the blog search; a managed
 * server may refuse that to the application's role, and the daemon must still start, with search unindexed.
 */
const adminUrl = () => inject('pgAdminUrl');
const suffix = randomBytes(4).toString('hex');
const role = `igscout_restricted_${suffix}`;
const database = `igscout_restricted_${suffix}`;
const trigramIndexes = "SELECT indexname FROM pg_indexes WHERE tablename = 'blogs' AND indexname LIKE '%_trgm' ORDER BY 1";

async function asAdmin(url: string, ...statements: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const text of statements) await client.query(text);
  } finally {
    await client.end();
  }
}

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 2 });
  // A role that owns nothing: it may connect and create tables in public, not create extensions in the database.
  await asAdmin(
    adminUrl(),
    `CREATE ROLE ${role} LOGIN PASSWORD 'restricted'`,
    `CREATE DATABASE ${database}`,
    `GRANT CONNECT ON DATABASE ${database} TO ${role}`,
  );
  await asAdmin(withDatabase(adminUrl(), database), `GRANT ALL ON SCHEMA public TO ${role}`);
});
afterAll(async () => {
  await testDb?.drop();
  await asAdmin(adminUrl(), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, `DROP ROLE IF EXISTS ${role}`);
});

it('gives the blog search trigram indexes where pg_trgm can be created', async () => {
  const { rows } = await testDb.pool.query<{ indexname: string }>(trigramIndexes);
  expect(rows.map((r) => r.indexname)).toEqual(['blogs_biography_trgm', 'blogs_full_name_trgm', 'blogs_username_trgm']);
});

it('migrates a database whose role may not create extensions: the daemon starts, and search works unindexed', async () => {
  const url = new URL(withDatabase(adminUrl(), database));
  url.username = role;
  url.password = 'restricted';
  const handle = openDatabase(url.toString(), { poolMax: 2 });
  try {
    const logged: string[] = [];
    await migrate(handle.pool, pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) }));
    // The operator learns why search is slower than it could be.
    expect(logged.join('')).toContain('pg_trgm is not available');
    expect((await handle.pool.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).rowCount).toBe(0);
    expect((await handle.pool.query(trigramIndexes)).rows).toEqual([]);

    await handle.db
      .insertInto('blogs')
      .values([{ username: 'almaty.food', full_name: 'Dana', biography: 'plov and baursaks' }])
      .execute();
    const found = await listBlogs(handle.db, { q: 'baursak', sort: 'followers', order: 'desc', limit: 10, offset: 0 });
    expect(found.items.map((b) => b.username)).toEqual(['almaty.food']);
  } finally {
    await handle.close();
  }
});
