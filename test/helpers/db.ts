import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { withDatabase } from '../setup/global-postgres.js';

export interface TestDatabase extends DatabaseHandle {
  /** Connection URL of this test's own database, e.g. for a child process. */
  url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A freshly migrated database of this test's own, cloned from the run's template. */
export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `igscout_test_${randomBytes(6).toString('hex')}`;
  await createFromTemplate(adminUrl, name, inject('pgTemplate'));
  const url = withDatabase(adminUrl, name);
  const handle = openDatabase(url, { poolMax: options.poolMax ?? 10 });
  return {
    ...handle,
    url,
    drop: async () => {
      await handle.close();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Two files cloning the template at the same instant can collide ("source database is being accessed"): retry. */
async function createFromTemplate(adminUrl: string, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
