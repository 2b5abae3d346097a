import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorldUser } from '../../emulator/world/index.js';
import { createLogger } from '../../src/logger.js';
import type { Task } from '../../src/queue/task.js';
import { createTaskRegistry } from '../../src/tasks/registry.js';
import { requestFollowers } from '../../src/tasks/requests.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { pageLog } from '../helpers/follow-log.js';
import { createPoolFixture, type PoolFixture, startPoolRunner } from '../helpers/pool.js';

/**
 * Seed 001 against the emulator, through the real library, pool and runner (production registry): the follower
 * list of the account with 1,663 followers, interrupted part-way, must end complete, with no page fetched twice but
 * the interrupted one, and the task never shown as failed.
 */
const PAGE = 100;
let testDb: TestDatabase;
let fx: PoolFixture;
let stopRunner: (() => Promise<void>) | undefined;
const silent = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', format: 'json' });

function startRunner() {
  stopRunner = startPoolRunner(testDb, fx.pool, createTaskRegistry(fx.pool), {}, silent).stop;
}

const taskRow = (id: number) => testDb.db.selectFrom('scrape_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Polls the task until done, recording every state it was seen in (the test asserts it was never `failed`). */
async function watchUntilDone(id: number, seen: Task[], timeoutMs = 20_000): Promise<Task> {
  await waitFor(
    async () => {
      const row = await taskRow(id);
      seen.push(row);
      return row.status === 'done' || row.status === 'failed';
    },
    { timeoutMs, intervalMs: 15, what: `task ${id} finished` },
  );
  return seen.at(-1)!;
}

async function storedPks(username: string, kind: 'followers' | 'following'): Promise<string[]> {
  const rows = await testDb.db
    .selectFrom('audience_edges')
    .innerJoin('blogs', 'blogs.id', 'audience_edges.blog_id')
    .select('audience_edges.platform_id')
    .where('blogs.username', '=', username)
    .where('audience_edges.kind', '=', kind)
    .execute();
  return rows.map((r) => r.platform_id).sort();
}

const worldPks = (users: WorldUser[]) => users.map((u) => String(u.pk)).sort();

/** Calls `action` once, right after the `n`-th page of the list has been answered. */
function afterPages(n: number, action: () => void) {
  let pages = 0;
  const stop = fx.emulator.onRequest((entry) => {
    if (entry.route !== 'friendships/{pk}/followers' || entry.status !== 200 || ++pages !== n) return;
    stop();
    action();
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => testDb.drop());
beforeEach(async () => {
  await sql`TRUNCATE scrape_tasks, ig_accounts, proxies, activity_log, blogs, audience_edges, audience_lists RESTART IDENTITY CASCADE`.execute(
    testDb.db,
  );
});
afterEach(async () => {
  await stopRunner?.();
  stopRunner = undefined;
  await fx?.close();
});

describe('followers: seed 001, resumed after interruptions', () => {
  it('a session that expires after 700 followers is logged in again and the list completes: 1,663 stored, no page twice', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, world: { followPageSize: PAGE } });
    const target = fx.emulator.world.followersAccount;
    const account = fx.accounts[0]!.username;
    afterPages(7, () => fx.emulator.expireSessions(account)); // 700 fetched, as in the seed's log (728)
    startRunner();

    const { task } = await requestFollowers(testDb.db, {
      username: target.username,
      kind: 'followers',
      max: 10_000,
      priority: 4,
      maxAttempts: 3,
    });
    const seen: Task[] = [];
    const done = await watchUntilDone(task.id, seen);

    expect(seen.map((t) => t.status)).not.toContain('failed');
    expect(done).toMatchObject({ status: 'done', attempts: 1 });
    expect(done.result).toMatchObject({ fetched: 1663, stored: 1663, expected: 1663, pages: 17, complete: true });
    expect(await storedPks(target.username, 'followers')).toEqual(worldPks(fx.emulator.world.followersPage(target, 0, 1663)));

    const pages = pageLog(fx.emulator.log, 'followers', target.pk);
    expect(pages.answered).toHaveLength(17);
    expect(pages.repeatedAnswers).toEqual([]);
    // One refused request (the expired session), asking for the 8th page, which was then answered once.
    expect(pages.refused.map((e) => e.status)).toEqual([403]);
    expect(pages.answered[7]).toBe(pages.refused[0]!.maxId);
    expect(fx.emulator.loginCount(account)).toBe(2);
    // Progress was visible while the list was read.
    const midway = seen.find((t) => t.status === 'running' && Number(t.progress?.fetched) > 0 && Number(t.progress?.fetched) < 1663);
    expect(midway?.progress).toMatchObject({ expected: 1663, kind: 'followers' });
  });

  it('a cooldown mid-list: the task waits pending without spending an attempt, then resumes from its checkpoint', async () => {
    fx = await createPoolFixture(testDb, {
      accounts: 1,
      proxies: 1,
      world: { followPageSize: PAGE },
      settings: { cooldownRateLimitMs: 1_200 },
    });
    const target = fx.emulator.world.followersAccount;
    const account = fx.accounts[0]!.username;
    afterPages(5, () => fx.emulator.setAccountFault(account, { kind: 'rate_limit', times: 1 }));
    startRunner();

    const { task } = await requestFollowers(testDb.db, {
      username: target.username,
      kind: 'followers',
      max: 10_000,
      priority: 4,
      maxAttempts: 3,
    });
    const seen: Task[] = [];
    const done = await watchUntilDone(task.id, seen);

    expect(seen.map((t) => t.status)).not.toContain('failed');
    const waiting = seen.find((t) => t.status === 'pending' && t.progress !== null);
    expect(waiting).toMatchObject({ attempts: 0, progress: { fetched: 500, pages: 5 } });
    expect(waiting!.run_at.getTime()).toBeGreaterThan(waiting!.updated_at.getTime() + 500); // deferred to the cooldown's end
    expect(done).toMatchObject({ status: 'done', attempts: 1 });
    expect(done.result).toMatchObject({ fetched: 1663, stored: 1663, pages: 17, complete: true, resumed: 1 });

    const pages = pageLog(fx.emulator.log, 'followers', target.pk);
    expect(pages.answered).toHaveLength(17);
    expect(pages.repeatedAnswers).toEqual([]);
    expect(pages.refused.map((e) => e.status)).toEqual([401]); // today's rate limit: 401 with require_login
    // The resumed run did not resolve the user again: one profile lookup in all.
    expect(fx.emulator.log.filter((e) => e.route.startsWith('users/')).length).toBe(1);
  });
});

describe('followers and following: mutuals and limits against the world', () => {
  /** A public creator with a few mutual follows and short lists, chosen from the world (not from the code under test). */
  function creatorWithMutuals(): { user: WorldUser; mutuals: string[] } {
    const world = fx.emulator.world;
    for (const user of world.creators) {
      if (user.isPrivate || user.followerCount > 3000 || user.followingCount > 2000) continue;
      const following = new Set(worldPks(world.followingPage(user, 0, user.followingCount)));
      const mutuals = worldPks(world.followersPage(user, 0, user.followerCount)).filter((pk) => following.has(pk));
      if (mutuals.length >= 2) return { user, mutuals };
    }
    throw new Error('the world has no creator with mutual follows');
  }

  it('fetches both lists of a creator and answers its mutual follows exactly as the world has them', async () => {
    fx = await createPoolFixture(testDb, { accounts: 2, proxies: 2, world: { followPageSize: PAGE } });
    const { user, mutuals } = creatorWithMutuals();
    const api = createTestApp(testDb);
    startRunner();

    const before = await api.call('GET', `/api/blogs/${user.username}/mutuals`);
    expect(before.status).toBe(404);
    const requested = await Promise.all(
      (['followers', 'following'] as const).map((kind) => api.call('POST', '/api/tasks/followers', { username: user.username, kind })),
    );
    expect(requested.map((r) => r.status)).toEqual([202, 202]);
    for (const r of requested) await watchUntilDone(r.body.tasks[0].id, []);

    expect(await storedPks(user.username, 'followers')).toEqual(worldPks(fx.emulator.world.followersPage(user, 0, user.followerCount)));
    expect(await storedPks(user.username, 'following')).toEqual(worldPks(fx.emulator.world.followingPage(user, 0, user.followingCount)));
    const res = await api.call('GET', `/api/blogs/${user.username}/mutuals?limit=1000`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.platform_id).sort()).toEqual(mutuals);
    expect(res.body).toMatchObject({ total: mutuals.length, partial: false });
    const named = fx.emulator.world.user(Number(mutuals[0]))!;
    expect(res.body.items.find((i: any) => i.platform_id === mutuals[0])).toMatchObject({
      username: named.username,
      full_name: named.fullName,
    });
    const task = await api.call('GET', `/api/tasks/${requested[1]!.body.tasks[0].id}`);
    expect(task.body.progress).toMatchObject({
      kind: 'following',
      fetched: user.followingCount,
      expected: user.followingCount,
      more: false,
    });
  });

  it('stops at max: 150 stored, the list marked incomplete; private and deleted users end done with the blog marked', async () => {
    fx = await createPoolFixture(testDb, { accounts: 1, proxies: 1, world: { followPageSize: PAGE } });
    const world = fx.emulator.world;
    const target = world.followersAccount;
    const privateUser = world.creators.find((c) => c.isPrivate)!;
    const deleted = world.deleted[0]!;
    startRunner();

    // One after the other: the only account serves one task at a time.
    const run = async (username: string, kind: 'followers' | 'following', max: number) =>
      watchUntilDone((await requestFollowers(testDb.db, { username, kind, max, priority: 4, maxAttempts: 3 })).task.id, []);
    const capped = await run(target.username, 'followers', 150);
    const hidden = await run(privateUser.username, 'followers', 100);
    const gone = await run(deleted.username, 'following', 100);

    expect(capped).toMatchObject({ status: 'done', result: { fetched: 150, stored: 150, expected: 150, pages: 2, complete: false } });
    expect(await storedPks(target.username, 'followers')).toEqual(worldPks(world.followersPage(target, 0, 150)));
    expect(hidden).toMatchObject({ status: 'done', attempts: 1, result: { status: 'private' } });
    expect(gone).toMatchObject({ status: 'done', attempts: 1, result: { status: 'deleted' } });
    const blogs = await testDb.db.selectFrom('blogs').select(['username', 'scrape_status']).execute();
    expect(blogs).toEqual(
      expect.arrayContaining([
        { username: privateUser.username, scrape_status: 'private' },
        { username: deleted.username, scrape_status: 'deleted' },
      ]),
    );
    expect(pageLog(fx.emulator.log, 'followers', privateUser.pk).requests).toEqual([]); // no list request for a private user
  });
});
