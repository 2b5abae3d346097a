import { Cron } from 'croner';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { plannedTick, Scheduler, type JobDefinition } from '../../src/scheduler/scheduler.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let testDb: TestDatabase;
const silent = createLogger({ level: 'silent', format: 'json' });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scheduler_runs`.execute(testDb.db);
});

describe('plannedTick', () => {
  it('is the latest planned run at or before now, however late the timer fired', () => {
    const cron = new Cron('*/15 * * * *', { paused: true, timezone: 'UTC' });
    expect(plannedTick(cron, new Date('2026-11-21T10:15:00.004Z')).toISOString()).toBe('2026-11-21T10:15:00.000Z');
    expect(plannedTick(cron, new Date('2026-11-21T10:16:59.900Z')).toISOString()).toBe('2026-11-21T10:15:00.000Z');
    const everySecond = new Cron('* * * * * *', { paused: true, timezone: 'UTC' });
    expect(plannedTick(everySecond, new Date('2026-11-21T10:15:07.640Z')).toISOString()).toBe('2026-11-21T10:15:07.000Z');
  });
});

describe('one run per tick across processes', () => {
  it('runs a tick once when many schedulers on separate connections fire it together', async () => {
    let runs = 0;
    const job: JobDefinition = { name: 'count', schedule: '* * * * * *', run: async () => void runs++ };
    const handles = Array.from({ length: 5 }, () => openDatabase(testDb.url, { poolMax: 2 }));
    try {
      const schedulers = handles.map((h, i) => new Scheduler({ db: h.db, logger: silent, workerId: `p${i}`, jobs: [job] }));
      const at = new Date('2026-11-21T10:00:00.000Z');
      for (let tick = 0; tick < 10; tick++) {
        const when = new Date(at.getTime() + tick * 1000);
        await Promise.all(schedulers.map((s) => s.tick(job, undefined, when)));
      }
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
    expect(runs).toBe(10);
    const rows = await testDb.db.selectFrom('scheduler_runs').selectAll().execute();
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.status === 'done')).toBe(true);
  });

  it('skips a tick while the previous run of the same job is still going', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const job: JobDefinition = { name: 'slow', schedule: '* * * * * *', run: async () => void (runs++, await gate) };
    const scheduler = new Scheduler({ db: testDb.db, logger: silent, workerId: 'p', jobs: [job] });
    const first = scheduler.tick(job, undefined, new Date('2026-11-21T10:00:00Z'));
    await expect.poll(() => runs).toBe(1);
    await scheduler.tick(job, undefined, new Date('2026-11-21T10:00:01Z'));
    release();
    await first;
    const rows = await testDb.db.selectFrom('scheduler_runs').select(['tick', 'status']).orderBy('tick').execute();
    expect(rows.map((r) => r.status)).toEqual(['done', 'skipped']);
    expect(runs).toBe(1);
  });

  it('records a failed run with its error and keeps ticking', async () => {
    const job: JobDefinition = {
      name: 'boom',
      schedule: '* * * * * *',
      run: async () => {
        throw new Error('kaput');
      },
    };
    const scheduler = new Scheduler({ db: testDb.db, logger: silent, workerId: 'p', jobs: [job] });
    await scheduler.tick(job, undefined, new Date('2026-11-21T10:00:00Z'));
    await scheduler.tick(job, undefined, new Date('2026-11-21T10:00:01Z'));
    const rows = await testDb.db.selectFrom('scheduler_runs').select(['status', 'error']).execute();
    expect(rows).toEqual([
      { status: 'failed', error: 'kaput' },
      { status: 'failed', error: 'kaput' },
    ]);
  });

  it('refuses an invalid pattern at start, naming the job', () => {
    const job: JobDefinition = { name: 'poll_batches', schedule: 'every minute', run: async () => undefined };
    expect(() => new Scheduler({ db: testDb.db, logger: silent, workerId: 'p', jobs: [job] })).toThrow(/poll_batches.*every minute/);
  });
});
