import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { World, WorldUser } from '../../emulator/world/index.js';
import { PRIORITY } from '../../src/queue/task.js';
import { requestDiscover } from '../../src/tasks/requests.js';
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

/** The hashtag's authors as the world ranks them, split the way SPEC §6 says discover must. */
function expectedAuthors(tag: string) {
  const owners = world.hashtag(tag)!.topMediaPks.slice(0, 50).map((pk) => world.mediaByPk(pk)!.ownerPk);
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
    await testDb.db.insertInto('blogs').values({ username: known.username, platform_id: String(known.pk), source: 'manual' }).execute();

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
      expect(blog).toMatchObject({ platform_id: String(user.pk), follower_count: user.followerCount, media_count: user.mediaCount, scrape_status: 'pending' });
      expect(blog.person_id).not.toBeNull();
    }
    expect(new Set(blogs.map((b) => b.person_id)).size).toBe(blogs.length);
    const persons = await testDb.db.selectFrom('persons').selectAll().execute();
    expect(persons.map((p) => p.full_name).sort()).toEqual(kept.map((u) => u.fullName).sort());

    const scrapes = await testDb.db.selectFrom('scrape_tasks').selectAll().where('task_type', '=', 'full_scrape').execute();
    expect(scrapes).toHaveLength(kept.length);
    for (const scrape of scrapes) {
      const blog = blogs.find((b) => b.id === scrape.blog_id)!;
      expect(scrape).toMatchObject({ priority: 5, status: 'pending', dedupe_key: `full_scrape:${blog.username}`, payload: { username: blog.username } });
    }

    // Lookups: every new author the feed did not already show as private, once; never the known one.
    const looked = lookups();
    const publicNew = expected.all.filter((u) => u !== known && !u.isPrivate).map((u) => String(u.pk));
    expect(looked.sort()).toEqual(publicNew.sort());
    expect(h.fx.emulator.log.filter((e) => e.route === 'feed/tag/{tag}')).toHaveLength(2);
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
    expect(looked.sort()).toEqual(expected.all.filter((u) => !u.isPrivate).map((u) => String(u.pk)).sort());
    expect(h.fx.emulator.log.filter((e) => e.route === 'feed/tag/{tag}')).toHaveLength(2);
    expect(await testDb.db.selectFrom('blogs').select('username').where('source', '=', `discover:${tag}`).execute()).toHaveLength(expected.qualifying.length);
  });
});
