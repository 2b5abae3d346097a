import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GROWTH_DAYS, type WorldUser } from '../../emulator/world/index.js';
import { createLogger } from '../../src/logger.js';
import { scheduleUpdates } from '../../src/scheduler/enqueue-jobs.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createPoolFixture, type PoolFixture, startPoolRunner } from '../helpers/pool.js';

/**
 * Growth flags against the emulator's scripted series (emulator/world/growth.ts). For each of the world's 60
 * simulated days the emulator's profiles show that day's counts; `schedule_updates` enqueues one `profile_refresh`
 * (1 request) per blog, the runner takes it through the pool and the real instagram-private-api, and the test then
 * dates the day's snapshots to their simulated day (the daemon stamps them with the real clock). The detail's
 * growth flags must be exactly the script's: every scripted spike and seesaw, and nothing on the steady series.
 */
let testDb: TestDatabase;
let fx: PoolFixture;
let stopRunner: (() => Promise<void>) | undefined;
const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
afterEach(async () => {
  await stopRunner?.();
  stopRunner = undefined;
  await fx?.close();
});

describe('growth flags against the scripted series', () => {
  it('one profile request a day per blog; spikes and seesaws found exactly, no flag on a steady series', { timeout: 180_000 }, async () => {
    const budget = {
      windowMs: 60_000,
      perWindow: 10_000,
      warmupPerWindow: 10_000,
      warmupDays: 0,
      dailyCap: 0,
      delayMinMs: 0,
      delayMaxMs: 1,
    };
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2, settings: { budget } });
    const world = fx.emulator.world;
    const pick = (script: string, n: number) =>
      world.creators.filter((c) => !c.isPrivate && world.growthOf(c)!.script === script).slice(0, n);
    const creators: WorldUser[] = [...pick('spike', 3), ...pick('seesaw', 3), ...pick('steady', 4)];
    expect(creators.map((c) => world.growthOf(c)!.script)).toEqual([
      'spike',
      'spike',
      'spike',
      'seesaw',
      'seesaw',
      'seesaw',
      'steady',
      'steady',
      'steady',
      'steady',
    ]);
    // Blogs already scraped once (not due for a full scrape), with their Instagram ids.
    await testDb.db
      .insertInto('blogs')
      .values(
        creators.map((c) => ({
          username: c.username,
          platform_id: String(c.pk),
          scrape_status: 'active' as const,
          scraped_at: new Date(),
        })),
      )
      .execute();
    stopRunner = startPoolRunner(testDb, fx.pool, createTaskRegistry(fx.pool), { concurrency: 4 }, silent).stop;
    const api = createTestApp(testDb);

    const logStart = fx.emulator.log.length;
    for (let day = 0; day < GROWTH_DAYS; day++) {
      fx.emulator.setDay(day);
      const result = await scheduleUpdates(testDb.db, { afterDays: 60, maxAttempts: 3, profileRefreshAfterHours: 20 });
      expect(result).toEqual({ enqueued: 0, already_queued: 0, profiles_enqueued: creators.length });
      await waitFor(
        async () => {
          const open = await testDb.db.selectFrom('scrape_tasks').select('id').where('status', 'not in', ['done', 'failed']).execute();
          return open.length === 0;
        },
        { timeoutMs: 30_000, intervalMs: 10, what: `day ${day}'s profile refreshes done` },
      );
      // Today's snapshots (the only ones not yet dated) move to noon of the simulated day.
      await sql`UPDATE blog_snapshots SET taken_at = ${`${world.dateOfDay(day)}T12:00:00Z`}::timestamptz WHERE taken_at > now() - interval '1 hour'`.execute(
        testDb.db,
      );
    }
    fx.emulator.setDay(null);

    const failed = await testDb.db.selectFrom('scrape_tasks').select(['id', 'error_message']).where('status', '=', 'failed').execute();
    expect(failed).toEqual([]);
    // One profile request per blog per day: the series costs nothing else.
    const profileRequests = fx.emulator.log.slice(logStart).filter((e) => e.route === 'users/{pk}/info' && e.status === 200).length;
    expect(profileRequests).toBe(GROWTH_DAYS * creators.length);
    expect(
      fx.emulator.log
        .slice(logStart)
        .filter(
          (e) =>
            e.status === 200 &&
            !['users/{pk}/info', 'accounts/login', 'qe/sync', 'launcher/sync', 'accounts/current_user'].includes(e.route),
        ),
    ).toEqual([]);

    for (const creator of creators) {
      const truth = world.growthOf(creator)!;
      const detail = (await api.call('GET', `/api/blogs/${creator.username}`)).body;
      const growth = detail.growth;
      expect(growth.series).toHaveLength(GROWTH_DAYS);
      // The series is what the profile said on each day.
      expect(growth.series.map((d: any) => d.followers)).toEqual(truth.days.map((d) => d.followers));
      expect(growth.series.map((d: any) => d.following)).toEqual(truth.days.map((d) => d.following));
      expect({ who: creator.username, script: truth.script, spikes: growth.spikes }).toEqual({
        who: creator.username,
        script: truth.script,
        spikes: truth.spikes.map((d) => world.dateOfDay(d)),
      });
      expect(growth.seesaws.map((s: any) => [s.rise_day, s.fall_day])).toEqual(
        truth.seesaws.map((s) => [world.dateOfDay(s.rise), world.dateOfDay(s.fall)]),
      );
    }
  });
});
