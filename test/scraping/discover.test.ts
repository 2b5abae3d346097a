import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { World, WorldUser } from '../../emulator/world/index.js';
import { PRIORITY } from '../../src/queue/task.js';
import { enqueueTasks } from '../../src/queue/enqueue.js';
import { discoverDedupeKey, requestDiscover } from '../../src/tasks/requests.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startHarness, waitForTasks, type ScrapeHarness } from './harness.js';

/**
 * discover against the emulator through the real library, pool and runner. Only discover runs here, so the
 * full_scrape tasks it creates stay pending where the test can read them. Expected authors come from the world.
 */
let testDb: TestDatabase;
let h: ScrapeHarness;
let world: World;

beforeAll(async () => {
  testDb = await createTestDatabase();
  h = await startHarness(testDb, { accounts: 4, types: ['discover'] });
  world = h.fx.emulator.world;
});
afterAll(async () => {
  await h?.stop();
  await testDb?.drop();
});
beforeEach(async () => {
  await sql`TRUNCATE blogs, persons, scrape_tasks RESTART IDENTITY CASCADE`.execute(testDb.db);
  h.fx.emulator.resetLog();
  h.fx.emulator.resetFaults();
});

/**
 * The first `limit` posts of the hashtag's `top` tab as tags/{tag}/sections serves them: per page of 15, three grid
 * posts, the page's extra clip with two posts in `fill_items` beside it, then the rest of the grid.
 */
function sectionPosts(tag: string, limit = 50): string[] {
  const hashtag = world.hashtag(tag)!;
  const size = world.options.tagSectionsPageSize;
  const posts: string[] = [];
  for (let p = 0; p * size < hashtag.topMediaPks.length; p++) {
    const page = hashtag.topMediaPks.slice(p * size, (p + 1) * size);
    const clip = hashtag.extraClipPks[p];
    posts.push(...(clip ? [...page.slice(0, 3), clip, ...page.slice(3)] : page));
  }
  return posts.slice(0, limit);
}

/** The hashtag's authors as the world ranks them, split the way SPEC §6 says discover must. */
function expectedAuthors(tag: string) {
  // Each post's author, and its owner when the post is a collab the author posted with the owner as co-author.
  const owners = sectionPosts(tag).flatMap((pk) => [world.mediaByPk(pk)!.authorPk, world.mediaByPk(pk)!.ownerPk]);
  const authors = [...new Set(owners)].map((pk) => world.user(pk)!);
  const qualifies = (u: WorldUser) => !u.isPrivate && u.followerCount >= 1000 && u.mediaCount >= 5;
  return {
    all: authors,
    qualifying: authors.filter(qualifies),
    private: authors.filter((u) => u.isPrivate),
    small: authors.filter((u) => !u.isPrivate && !qualifies(u)),
  };
}

/** A hashtag whose authors include qualifying, private and small ones. */
function mixedHashtag(skip = 0): string {
  const tags = world.hashtags.filter((t) => {
    const e = expectedAuthors(t.name);
    return e.qualifying.length >= 3 && e.private.length >= 1 && e.small.length >= 1;
  });
  return tags[skip]!.name;
}

async function runDiscover(tag: string) {
  const { task } = await requestDiscover(testDb.db, { hashtag: tag, priority: PRIORITY.manualDiscover, maxAttempts: 3 });
  const [done] = await waitForTasks(testDb, [task.id], 30_000);
  return done!;
}

/** Looked-up pks (users/{pk}/info answered 200), in order. */
const lookups = () => h.fx.emulator.log.filter((e) => e.route === 'users/{pk}/info' && e.status === 200).map((e) => e.path.split('/')[4]!);

describe('discover', () => {
  it('creates exactly the qualifying new creators, with a person and a priority-5 full_scrape; skips private, small and known ones', async () => {
    const tag = mixedHashtag();
    const expected = expectedAuthors(tag);
    // One qualifying author is already known: it must not be looked up, nor counted as new.
    const known = expected.qualifying[0]!;
    await testDb.db
      .insertInto('blogs')
      .values({ username: known.username, platform_id: String(known.pk), source: 'manual' })
      .execute();

    const task = await runDiscover(tag);
    expect(task).toMatchObject({ status: 'done', attempts: 1 });
    const kept = expected.qualifying.filter((u) => u !== known);
    expect(task.result).toMatchObject({
      hashtag: tag,
      posts: 50,
      seen: expected.all.length,
      new: expected.all.length - 1,
      kept: kept.length,
      skipped_private: expected.private.length,
      skipped_small: expected.small.length,
      skipped_missing: 0,
      known: 1,
      resumed: false,
    });

    const blogs = await testDb.db.selectFrom('blogs').selectAll().where('source', '=', `discover:${tag}`).orderBy('username').execute();
    expect(blogs.map((b) => b.username)).toEqual(kept.map((u) => u.username).sort());
    for (const blog of blogs) {
      const user = kept.find((u) => u.username === blog.username)!;
      expect(blog).toMatchObject({
        platform_id: String(user.pk),
        follower_count: user.followerCount,
        media_count: user.mediaCount,
        scrape_status: 'pending',
      });
      expect(blog.person_id).not.toBeNull();
    }
    expect(new Set(blogs.map((b) => b.person_id)).size).toBe(blogs.length);
    const persons = await testDb.db.selectFrom('persons').selectAll().execute();
    expect(persons.map((p) => p.full_name).sort()).toEqual(kept.map((u) => u.fullName).sort());

    const scrapes = await testDb.db.selectFrom('scrape_tasks').selectAll().where('task_type', '=', 'full_scrape').execute();
    expect(scrapes).toHaveLength(kept.length);
    for (const scrape of scrapes) {
      const blog = blogs.find((b) => b.id === scrape.blog_id)!;
      expect(scrape).toMatchObject({
        priority: 5,
        status: 'pending',
        dedupe_key: `full_scrape:${blog.username}`,
        payload: { username: blog.username },
      });
    }

    // Lookups: every new author the feed did not already show as private, once; never the known one.
    const looked = lookups();
    const publicNew = expected.all.filter((u) => u !== known && !u.isPrivate).map((u) => String(u.pk));
    expect(looked.sort()).toEqual(publicNew.sort());
    // tags/{tag}/sections, top tab: 50 posts in 4 pages of 15 (plus a clip each); feed/tag is dead and never asked.
    expect(h.fx.emulator.log.filter((e) => e.route === 'tags/{tag}/sections')).toHaveLength(4);
    expect(h.fx.emulator.log.filter((e) => e.route.startsWith('feed/tag'))).toEqual([]);
  });

  it('run again on the same hashtag: every author is known or skipped, nothing new is created', async () => {
    const tag = mixedHashtag();
    await runDiscover(tag);
    const blogsBefore = await testDb.db.selectFrom('blogs').select('id').execute();
    h.fx.emulator.resetLog();
    const again = await runDiscover(tag);
    const expected = expectedAuthors(tag);
    expect(again.result).toMatchObject({ kept: 0, known: expected.qualifying.length });
    expect(await testDb.db.selectFrom('blogs').select('id').execute()).toHaveLength(blogsBefore.length);
    // The known ones are not looked up again; the small ones are (they may have grown since).
    expect(lookups().sort()).toEqual(expected.small.map((u) => String(u.pk)).sort());
  });

  it('resumes after an interruption without reading the hashtag again or looking anyone up twice', async () => {
    const tag = mixedHashtag(1);
    const expected = expectedAuthors(tag);
    // After the 4th successful lookup, every account gets a 500 on the next one: the task retries and resumes.
    let seen = 0;
    const stop = h.fx.emulator.onRequest((entry) => {
      if (entry.route !== 'users/{pk}/info' || entry.status !== 200 || ++seen !== 4) return;
      stop();
      h.fx.emulator.setGlobalFault({ kind: 'server_error', status: 500, route: '/info/', times: 3 });
    });
    const task = await runDiscover(tag);
    expect(task).toMatchObject({ status: 'done', attempts: 2 });
    expect(task.result).toMatchObject({
      seen: expected.all.length,
      kept: expected.qualifying.length,
      skipped_private: expected.private.length,
      skipped_small: expected.small.length,
      resumed: true,
    });
    const looked = lookups();
    expect(new Set(looked).size).toBe(looked.length);
    expect(looked.sort()).toEqual(
      expected.all
        .filter((u) => !u.isPrivate)
        .map((u) => String(u.pk))
        .sort(),
    );
    expect(h.fx.emulator.log.filter((e) => e.route === 'tags/{tag}/sections')).toHaveLength(4);
    expect(await testDb.db.selectFrom('blogs').select('username').where('source', '=', `discover:${tag}`).execute()).toHaveLength(
      expected.qualifying.length,
    );
  });

  it('resumes a listing cut off between pages at the next page: no page of the hashtag is asked for twice', async () => {
    const tag = mixedHashtag(2);
    const expected = expectedAuthors(tag);
    let pages = 0;
    const stop = h.fx.emulator.onRequest((entry) => {
      if (entry.route !== 'tags/{tag}/sections' || entry.status !== 200 || ++pages !== 2) return;
      stop();
      h.fx.emulator.setGlobalFault({ kind: 'server_error', status: 500, route: '/sections/', times: 3 });
    });
    const task = await runDiscover(tag);
    expect(task).toMatchObject({ status: 'done', attempts: 2 });
    expect(task.result).toMatchObject({ posts: 50, seen: expected.all.length, kept: expected.qualifying.length, resumed: false });
    const answered = h.fx.emulator.log.filter((e) => e.route === 'tags/{tag}/sections' && e.status === 200);
    expect(answered).toHaveLength(4);
    expect(new Set(answered.map((e) => e.maxId)).size).toBe(4); // four different cursors: first page (none) and three more
  });

  // The payload is whole when the task is enqueued: a runner woken by the NOTIFY may claim it at once, so changing it
  // afterwards would race the claim.
  const enqueueDiscover = async (payload: Record<string, unknown>) => {
    const [enqueued] = await enqueueTasks(
      testDb.db,
      [{ type: 'discover', priority: PRIORITY.manualDiscover, dedupeKey: discoverDedupeKey(String(payload['hashtag'])), payload }],
      { maxAttempts: 3 },
    );
    return enqueued!.task;
  };

  it('reads the recent tab after the top one when the task asks for it', async () => {
    const tag = mixedHashtag();
    const task = await enqueueDiscover({ hashtag: tag, tabs: ['top', 'recent'] });
    const [done] = await waitForTasks(testDb, [task.id], 30_000);
    expect(done).toMatchObject({ status: 'done' });
    // 50 posts of the top tab (clips among them), then the hashtag's 50 posts newest first: 8 pages in all, and the
    // authors of both.
    const owners = new Set(
      [...sectionPosts(tag), ...world.hashtag(tag)!.topMediaPks].flatMap((pk) => [
        world.mediaByPk(pk)!.authorPk,
        world.mediaByPk(pk)!.ownerPk,
      ]),
    );
    expect(done!.result).toMatchObject({ posts: 100, seen: owners.size });
    const tabs = h.fx.emulator.log.filter((e) => e.route === 'tags/{tag}/sections').length;
    expect(tabs).toBe(8);
  });

  it('fails at once, naming the field, when payload.tabs is not a list of top and recent', async () => {
    const task = await enqueueDiscover({ hashtag: mixedHashtag(), tabs: ['hot'] });
    const [done] = await waitForTasks(testDb, [task.id], 30_000);
    expect(done).toMatchObject({ status: 'failed', attempts: 1 });
    expect(done!.error_message).toMatch(/payload\.tabs/);
  });
});
