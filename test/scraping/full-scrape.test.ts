import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileStats, type World, type WorldUser } from '../../emulator/world/index.js';
import { PRIORITY } from '../../src/queue/task.js';
import { contactEmails } from '../../src/results/contacts.js';
import { requestScrapes } from '../../src/tasks/requests.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { requestsPerProfile, startHarness, waitForTasks, type ScrapeHarness } from './harness.js';

/**
 * full_scrape against the emulator, through the real library, pool and runner: what is stored must be the world's
 * ground truth (expected values computed from the world, never from the code under test), a second scrape adds
 * history only, and every profile costs at most 5 requests as the emulator counts them.
 */
let testDb: TestDatabase;
let h: ScrapeHarness;
let world: World;
let creators: WorldUser[];

const PRODUCT_TYPE = { photo: 'feed', carousel: 'carousel_container', reel: 'clips', video: 'feed' } as const;
const sorted = (values: readonly string[]) => [...values].sort();
const uniqueSorted = (values: Iterable<string>) => sorted([...new Set(values)]);

async function scrape(usernames: string[]) {
  const enqueued = await requestScrapes(testDb.db, { usernames, priority: PRIORITY.manualScrape, source: 'manual', maxAttempts: 3 });
  return waitForTasks(
    testDb,
    enqueued.map((e) => e.task.id),
    45_000,
  );
}

const ledgerRequests = async (taskId: number) =>
  (await testDb.db.selectFrom('activity_log').select('id').where('task_id', '=', taskId).where('kind', '=', 'request').execute()).length;

const blogByUsername = (username: string) =>
  testDb.db.selectFrom('blogs').selectAll().where('username', '=', username).executeTakeFirstOrThrow();

beforeAll(async () => {
  testDb = await createTestDatabase();
  h = await startHarness(testDb, { accounts: 4 });
  world = h.fx.emulator.world;
  creators = world.creators.filter((c) => !c.isPrivate).slice(0, 50);
  expect(creators).toHaveLength(50);
});
afterAll(async () => {
  await h?.stop();
  await testDb?.drop();
});

describe('full_scrape of 50 emulated creators', () => {
  it('stores profiles, metrics, posts and highlights exactly as the world has them, in ≤ 5 requests each', async () => {
    // The sample covers what the metrics must get right: pinned posts, reels, all trends, odd counts, few posts.
    const stats = creators.map((c) => profileStats(world, c.username, 20)!);
    expect(stats.some((s) => s.fetched.some((m) => m.pinned))).toBe(true);
    expect(stats.some((s) => s.erReels !== null) && stats.some((s) => s.erReels === null)).toBe(true);
    expect(new Set(stats.map((s) => s.erTrend))).toEqual(new Set(['growing', 'stable', 'declining', null]));
    expect(stats.some((s) => s.nonPinned.length % 2 === 1 && s.nonPinned.length >= 7)).toBe(true);
    // Posts whose owner hid the like counts (Instagram shows a stand-in of 3): left out of the ER (issue 13).
    expect(stats.some((s) => s.hiddenCounts > 0)).toBe(true);
    // Feed videos that are not reels (media_type 2, product_type feed, plays as view_count).
    expect(stats.some((s) => s.fetched.some((m) => m.kind === 'video'))).toBe(true);
    // Collab posts another creator posted with this one as co-author.
    expect(stats.some((s) => s.fetched.some((m) => m.authorPk !== m.ownerPk))).toBe(true);
    // Captions that end with a contact e-mail, which must not become a mention.
    expect(stats.some((s) => s.fetched.some((m) => m.captionText?.includes('@mail.kz')))).toBe(true);

    h.fx.emulator.resetLog();
    const tasks = await scrape(creators.map((c) => c.username));
    expect(tasks.map((t) => [t.status, t.attempts])).toEqual(tasks.map(() => ['done', 1]));

    for (const creator of creators) await expectBlogMatchesWorld(creator);
    expectRequestsPerProfile(creators);

    const snapshots = await testDb.db.selectFrom('blog_snapshots').select(['blog_id']).execute();
    expect(snapshots).toHaveLength(50);
    const ai = await testDb.db.selectFrom('scrape_tasks').selectAll().where('task_type', '=', 'ai_analysis').execute();
    expect(ai).toHaveLength(50);
    expect(ai.every((t) => t.priority === 3 && t.status === 'pending' && t.dedupe_key === `ai_analysis:${t.blog_id}`)).toBe(true);
    const result = tasks[0]!.result!;
    expect(result).toMatchObject({ status: 'analyzing', resumed_from: null });
    // `requests` is what each task really spent (the first task on each account paid its login too): together
    // exactly what Instagram saw, and each task's equal to its rows in the ledger.
    expect(tasks.reduce((sum, t) => sum + Number(t.result!['requests']), 0)).toBe(h.fx.emulator.log.length);
    for (const t of tasks) expect(t.result!['requests'], `task ${t.id}`).toBe(await ledgerRequests(t.id));
  });

  it('scraped again: one more snapshot each, no duplicate posts or highlights, no second AI task', async () => {
    const counts = async () => {
      const one = async (table: 'blog_posts' | 'blog_highlights' | 'blog_snapshots' | 'blog_post_snapshots') =>
        Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(testDb.db)).rows[0]!.n);
      return {
        posts: await one('blog_posts'),
        highlights: await one('blog_highlights'),
        snapshots: await one('blog_snapshots'),
        postSnapshots: await one('blog_post_snapshots'),
      };
    };
    const before = await counts();
    const postsBefore = await testDb.db.selectFrom('blog_posts').select(['id', 'platform_id', 'like_count', 'raw']).orderBy('id').execute();
    h.fx.emulator.resetLog();
    const tasks = await scrape(creators.map((c) => c.username));
    expect(tasks.every((t) => t.status === 'done')).toBe(true);

    const after = await counts();
    expect(after).toEqual({ posts: before.posts, highlights: before.highlights, snapshots: 100, postSnapshots: before.postSnapshots * 2 });
    expect(await testDb.db.selectFrom('blog_posts').select(['id', 'platform_id', 'like_count', 'raw']).orderBy('id').execute()).toEqual(
      postsBefore,
    );
    for (const creator of creators) await expectBlogMatchesWorld(creator);
    // The pk is known now: the re-scrape asks users/{pk}/info, which follows renames.
    expectRequestsPerProfile(creators, 'pk');
    const ai = await testDb.db.selectFrom('scrape_tasks').select('blog_id').where('task_type', '=', 'ai_analysis').execute();
    expect(ai).toHaveLength(50);
  });
});

describe('private and deleted users', () => {
  it('end on their first attempt: task done, blog private / deleted, no retry', async () => {
    const privateUser = world.creators.find((c) => c.isPrivate)!;
    const gone = world.deleted[0]!;
    h.fx.emulator.resetLog();
    const tasks = await scrape([privateUser.username, gone.username]);
    expect(tasks.map((t) => [t.status, t.attempts, t.error_message])).toEqual([
      ['done', 1, null],
      ['done', 1, null],
    ]);
    expect(tasks.map((t) => t.result!['status'])).toEqual(['private', 'deleted']);

    const priv = await blogByUsername(privateUser.username);
    expect(priv).toMatchObject({
      scrape_status: 'private',
      is_private: true,
      follower_count: privateUser.followerCount,
      platform_id: String(privateUser.pk),
    });
    expect(await blogByUsername(gone.username)).toMatchObject({ scrape_status: 'deleted', platform_id: null });
    // One profile request each: a private profile's media are not asked for.
    expect(
      h.fx.emulator.log
        .filter((e) => e.route.startsWith('users/') || e.route.startsWith('feed/'))
        .map((e) => e.status)
        .sort(),
    ).toEqual([200, 404]);
    const ai = await testDb.db
      .selectFrom('scrape_tasks')
      .select('id')
      .where('task_type', '=', 'ai_analysis')
      .where('blog_id', 'in', [priv.id])
      .execute();
    expect(ai).toHaveLength(0);
  });
});

describe('a 404 for a blog we know (issue 13)', () => {
  it('is not believed from one account: a second one is asked, and the scrape goes on', async () => {
    const creator = world.creators.filter((c) => !c.isPrivate && c.mediaCount > 0).at(-3)!;
    await scrape([creator.username]); // known now, with its pk
    h.fx.emulator.resetLog();
    h.fx.emulator.setGlobalFault({ kind: 'false_not_found', route: '/info/', times: 1 });
    const [task] = await scrape([creator.username]);
    expect(task).toMatchObject({ status: 'done', attempts: 1 });
    expect(task!.result).toMatchObject({ status: 'analyzing' });
    expect(await blogByUsername(creator.username)).toMatchObject({ scrape_status: 'analyzing' });
    const info = h.fx.emulator.log.filter((e) => e.route === 'users/{pk}/info');
    expect(info.map((e) => e.status)).toEqual([404, 200]);
    expect(info[0]!.username).not.toBe(info[1]!.username);
  });

  it('is believed when a second account agrees: deleted, after two requests', async () => {
    const gone = world.deleted[1]!;
    await testDb.db
      .insertInto('blogs')
      .values({ username: gone.username, platform_id: String(gone.pk), source: 'manual', scrape_status: 'active' })
      .execute();
    h.fx.emulator.resetLog();
    const [task] = await scrape([gone.username]);
    expect(task).toMatchObject({ status: 'done', attempts: 1 });
    expect(task!.result).toMatchObject({ status: 'deleted' });
    expect(await blogByUsername(gone.username)).toMatchObject({ scrape_status: 'deleted' });
    const info = h.fx.emulator.log.filter((e) => e.route === 'users/{pk}/info');
    expect(info.map((e) => e.status)).toEqual([404, 404]);
    expect(new Set(info.map((e) => e.username)).size).toBe(2);
  });
});

describe('a full_scrape that keeps failing', () => {
  it('ends failed with its error kept, and the blog in error with the reason', async () => {
    const creator = world.creators.filter((c) => !c.isPrivate).at(-2)!;
    h.fx.emulator.setGlobalFault({ kind: 'server_error', status: 500, route: 'feed/user' });
    try {
      const enqueued = await requestScrapes(testDb.db, { usernames: [creator.username], priority: 2, source: 'manual', maxAttempts: 1 });
      const [task] = await waitForTasks(testDb, [enqueued[0]!.task.id]);
      expect(task).toMatchObject({ status: 'failed', attempts: 1 });
      expect(task!.error_message).toMatch(/feed_user failed on 3 accounts/);
      const blog = await blogByUsername(creator.username);
      expect(blog).toMatchObject({ scrape_status: 'error', platform_id: String(creator.pk) });
      expect(blog.status_reason).toMatch(/feed_user/);
    } finally {
      h.fx.emulator.resetFaults();
    }
  });
});

describe('an interrupted full_scrape', () => {
  it('resumes after its last finished stage without asking Instagram again', async () => {
    const creator = world.creators.filter((c) => !c.isPrivate && c.mediaCount > 12 && world.highlightsOf(c.pk).length > 0).at(-1)!;
    await testDb.db.deleteFrom('blogs').where('username', '=', creator.username).execute();
    h.fx.emulator.resetLog();
    // Every account gets a 500 on the highlights tray: the task retries (50 ms backoff here) and resumes.
    h.fx.emulator.setGlobalFault({ kind: 'server_error', status: 500, route: 'highlights_tray', times: 3 });
    const [task] = await scrape([creator.username]);
    expect(task).toMatchObject({ status: 'done', attempts: 2 });
    // 5 requests of the scrape and the 3 tray requests that failed, as Instagram counted them.
    expect(task!.result).toMatchObject({ resumed_from: 'media', requests: h.fx.emulator.log.length });
    expect(task!.result!['requests']).toBe(await ledgerRequests(task!.id));
    expect(h.fx.emulator.log.filter((e) => e.status === 500)).toHaveLength(3);
    const routes = h.fx.emulator.log.filter((e) => !e.route.startsWith('accounts/') && !e.route.endsWith('sync'));
    const count = (route: string, status = 200) => routes.filter((e) => e.route === route && e.status === status).length;
    expect([
      count('users/{username}/usernameinfo'),
      count('feed/user/{pk}'),
      count('highlights/{pk}/highlights_tray'),
      count('feed/reels_media'),
    ]).toEqual([1, 2, 1, 1]);
    expect(count('highlights/{pk}/highlights_tray', 500)).toBe(3);
    await expectBlogMatchesWorld(creator);
  });
});

async function expectBlogMatchesWorld(creator: WorldUser) {
  const blog = await blogByUsername(creator.username);
  const stats = profileStats(world, creator.username, 20)!;
  expect(blog).toMatchObject({
    platform_id: String(creator.pk),
    full_name: creator.fullName,
    biography: creator.biography || null,
    follower_count: creator.followerCount,
    following_count: creator.followingCount,
    media_count: creator.mediaCount,
    is_verified: creator.isVerified,
    is_business: creator.isBusiness,
    is_private: false,
    business_category: creator.category,
    external_url: creator.externalUrl || null,
    er: stats.er,
    er_reels: stats.erReels,
    er_trend: stats.erTrend,
    posts_per_week: stats.postsPerWeek,
    er_posts_hidden: stats.hiddenCounts,
    scrape_status: 'analyzing',
  });
  expect(blog.scraped_at).not.toBeNull();
  // The world writes one address per profile (src of truth: emulator/world/profiles.ts): in some bios, and as the
  // business profile's public e-mail. Neither is an @mention anywhere.
  const worldEmail = `${creator.username.replace(/[^a-z0-9]/g, '')}@mail.kz`;
  expect(contactEmails(blog)).toEqual([
    ...new Set([...(creator.biography.includes(worldEmail) ? [worldEmail] : []), ...(creator.publicEmail ? [creator.publicEmail] : [])]),
  ]);

  const byPk =
    <T>(pk: (x: T) => string) =>
    (a: T, b: T) =>
      pk(a) < pk(b) ? -1 : pk(a) > pk(b) ? 1 : 0;
  const posts = (await testDb.db.selectFrom('blog_posts').selectAll().where('blog_id', '=', blog.id).execute()).sort(
    byPk((p) => p.platform_id),
  );
  const expected = [...stats.fetched].sort(byPk((m) => m.pk));
  expect(posts.map((p) => p.platform_id)).toEqual(expected.map((m) => m.pk));
  posts.forEach((post, i) => {
    const m = expected[i]!;
    expect(post).toMatchObject({
      // Hidden counts are unknown, not the stand-in Instagram sends.
      like_count: m.countsHidden ? null : m.likeCount,
      comment_count: m.commentCount,
      play_count: m.countsHidden ? null : m.playCount,
      counts_hidden: m.countsHidden,
      // A collab post is its author's, with the feed's owner a co-author.
      author_username: world.user(m.authorPk)!.username,
      coauthors: m.authorPk === m.ownerPk ? [] : [creator.username],
      is_pinned: m.pinned,
      product_type: PRODUCT_TYPE[m.kind],
      caption_text: m.captionText,
      shortcode: m.code,
      location_name: m.location?.name ?? null,
      taken_at: new Date(m.takenAt * 1000),
    });
    expect(sorted(post.hashtags)).toEqual(sorted(m.hashtags));
    expect(sorted(post.mentions)).toEqual(sorted(m.mentions));
  });

  const highlights = (await testDb.db.selectFrom('blog_highlights').selectAll().where('blog_id', '=', blog.id).execute()).sort(
    byPk((x) => x.platform_id),
  );
  const worldHighlights = [...world.highlightsOf(creator.pk)].sort(byPk((x) => x.pk));
  expect(highlights.map((hl) => [hl.platform_id, hl.title, hl.media_count])).toEqual(
    worldHighlights.map((wh) => [wh.pk, wh.title, wh.items.length]),
  );
  highlights.forEach((hl, i) => {
    const items = worldHighlights[i]!.items;
    expect(sorted(hl.story_mentions)).toEqual(uniqueSorted(items.flatMap((it) => it.mentions.map((m) => m.username))));
    expect(sorted(hl.story_locations)).toEqual(uniqueSorted(items.flatMap((it) => (it.location ? [it.location.name] : []))));
    expect(sorted(hl.story_links)).toEqual(uniqueSorted(items.flatMap((it) => (it.linkUrl ? [it.linkUrl] : []))));
  });
}

/** Exactly the requests the design needs: profile, ⌈min(20, media) / 12⌉ feed pages, tray, reels_media if any highlight. */
function expectRequestsPerProfile(users: WorldUser[], by: 'username' | 'pk' = 'username') {
  const profiles = requestsPerProfile(h.fx.emulator.log);
  expect(profiles).toHaveLength(users.length);
  for (const user of users) {
    const found = profiles.filter((p) => p.profile === (by === 'pk' ? String(user.pk) : user.username));
    expect(found, user.username).toHaveLength(1);
    const expected = 1 + (user.mediaCount > 12 ? 2 : 1) + 1 + (world.highlightsOf(user.pk).length > 0 ? 1 : 0);
    expect(found[0]!.entries.length, user.username).toBe(expected);
    expect(found[0]!.entries.length).toBeLessThanOrEqual(5);
    expect(found[0]!.entries.every((e) => e.status === 200)).toBe(true);
  }
}
