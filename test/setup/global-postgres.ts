import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';

/**
 * One Postgres for the whole run: TEST_DATABASE_URL when given (a server where we may create databases), else an
 * embedded one in a temporary folder with durability off for speed. A template database is migrated once; each
 * test file clones it (test/helpers/db.ts), which takes milliseconds.
 */
const TEMPLATE = `igscout_template_${process.pid}`;
let embedded: EmbeddedPostgresHandle | undefined;
let tempDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const logger = createLogger({ level: 'warn', format: 'json' });
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'igscout-test-'));
    embedded = await startEmbeddedPostgres({
      dataDir: tempDir,
      port: 0,
      logger,
      adoptRunning: true,
      database: 'postgres',
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    });
    adminUrl = embedded.connectionString;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  await admin.end();

  const templateUrl = withDatabase(adminUrl, TEMPLATE);
  const pool = new pg.Pool({ connectionString: templateUrl, max: 1 });
  await migrate(pool, logger);
  await pool.end();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', TEMPLATE);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}
