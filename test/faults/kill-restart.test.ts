import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startInstagramEmulator, type InstagramEmulator, type LogEntry } from '../../emulator/instagram/index.js';
import { waitFor } from '../../src/util/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { pageLog } from '../helpers/follow-log.js';
import { api, countByStatus, Daemons, daemonEnv, duplicatePosts, finished, requestKey, requestScrapes, tasks } from './helpers.js';

/**
 * Fault 1 — kill -9 of the daemon mid-run. 200 full_scrapes of emulated creators and the followers task of the
 * 1,663-follower account run in a real daemon process (production registry, accounts and proxies from IG_ACCOUNTS /
 * IG_PROXIES); once a quarter of the scrapes are done and a followers page is in flight, the process is killed -9.
 * A new process on the same database must finish everything, losing nothing and repeating nothing but the work that
 * was in flight at the kill — judged from Postgres and from the emulator's own request log.
 */
const SCRAPES = 200;
const DONE_BEFORE_KILL = 50;
const LEASE_MS = 2_000;

let testDb: TestDatabase;
let emulator: InstagramEmulator;
const daemons = new Daemons();

beforeAll(async () => {
  testDb = await createTestDatabase({ poolMax: 4 });
  emulator = await startInstagramEmulator({ seed: 21, proxies: 8, world: { creators: SCRAPES + 10, accounts: 11, followPageSize: 100 } });
});
afterEach(() => daemons.killAll());
afterAll(async () => {
  await emulator.close();
  await testDb.drop();
});

function env(name: string) {
  return daemonEnv(emulator, testDb.url, {
    WORKER_NAME: name,
    WORKER_CONCURRENCY: '4',
    TASK_LEASE_MS: String(LEASE_MS),
    ACCOUNT_LEASE_MS: String(LEASE_MS),
    ACCOUNT_REQUESTS_PER_HOUR: '10000',
    ACCOUNT_REQUEST_DELAY_MIN_MS: '5',
    ACCOUNT_REQUEST_DELAY_MAX_MS: '15',
    SCHEDULER_ENABLED: 'false',
  });
}

/** username or pk (as text) in a request path → the creator's username. */
function profileIndex(): (entry: LogEntry) => string | undefined {
  const byKey = new Map<string, string>();
  for (const user of emulator.world.creators) {
    byKey.set(user.username, user.username);
    byKey.set(String(user.pk), user.username);
  }
  return (entry) => {
    const parts = entry.path.split('/').filter(Boolean); // api, v1, users, <x>, info
    for (const part of parts.slice(2)) {
      const hit = byKey.get(part);
      if (hit) return hit;
    }
    return undefined;
  };
}

describe('kill -9 of the daemon mid-run', () => {
  it('a new process completes all 200 scrapes and the followers list; only the work in flight is repeated', async () => {
    const target = emulator.world.followersAccount;
    const usernames = emulator.world.creators
      .filter((c) => c.pk !== target.pk)
      .slice(0, SCRAPES)
      .map((c) => c.username);
    const started = Date.now();

    // After the 4th followers page, the next one hangs in the emulator: the kill catches it in flight.
    let answered = 0;
    const stopWatching = emulator.onRequest((entry) => {
      if (entry.route !== 'friendships/{pk}/followers' || entry.status !== 200 || ++answered !== 4) return;
      stopWatching();
      emulator.setGlobalFault({ kind: 'slow', delayMs: 30_000, route: 'friendships/', times: 1 });
    });

    const doomed = await daemons.start(env('doomed'));
    const followers = await api(doomed, '/api/tasks/followers', { username: target.username, kind: 'followers', priority: 1 });
    expect(followers.status).toBe(202);
    const followersId = ((await followers.json()) as { tasks: { id: number }[] }).tasks[0]!.id;
    const scrapeIds = await requestScrapes(doomed, usernames);
    expect(new Set(scrapeIds).size).toBe(SCRAPES);

    const inFlight = () => pageLog(emulator.log, 'followers', target.pk).requests.some((e) => e.status === null);
    await waitFor(async () => inFlight() && ((await countByStatus(testDb.db, 'full_scrape')).done ?? 0) >= DONE_BEFORE_KILL, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: `a followers page in flight and ${DONE_BEFORE_KILL} scrapes done`,
    });
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const killedAt = Date.now();

    // What the dead process held: these runs, and only these, may be repeated.
    const atKill = await tasks(testDb.db, ['full_scrape', 'followers']);
    const interrupted = new Set(atKill.filter((t) => t.status === 'running').map((t) => t.id));
    const doneAtKill = atKill.filter((t) => t.task_type === 'full_scrape' && t.status === 'done').length;
    expect(doneAtKill).toBeGreaterThanOrEqual(DONE_BEFORE_KILL);
    expect(doneAtKill).toBeLessThan(SCRAPES); // really mid-run
    expect(interrupted.has(followersId)).toBe(true);
    const followersAtKill = atKill.find((t) => t.id === followersId)!.progress!;
    expect(followersAtKill).toMatchObject({ fetched: 400, pages: 4 });

    await daemons.start(env('survivor'));
    await waitFor(async () => (await tasks(testDb.db, ['full_scrape', 'followers'])).every((t) => finished(t.status)), {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: 'every scrape and the followers task finished',
    });
    const recoveredIn = Date.now() - killedAt;

    // Nothing lost: every task done, with its result.
    const end = await tasks(testDb.db, ['full_scrape', 'followers']);
    const notDone = end.filter((t) => t.status !== 'done').map((t) => ({ id: t.id, status: t.status, error: t.error_message }));
    expect(notDone).toEqual([]);
    const scrapes = end.filter((t) => t.task_type === 'full_scrape');
    expect(scrapes).toHaveLength(SCRAPES);
    expect(new Set(scrapes.map((t) => t.payload['username'] ?? t.result?.['username'])).size).toBe(SCRAPES);
    for (const t of scrapes) expect(['analyzing', 'private', 'deleted'], `task ${t.id}`).toContain(t.result?.['status']);

    // Nothing repeated but the interrupted runs: one attempt each, two for those the kill cut short.
    for (const t of end) expect(t.attempts, `task ${t.id}`).toBe(interrupted.has(t.id) ? 2 : 1);

    // Stored once: no duplicate posts, each blog's posts as its task counted them, one ai_analysis per analysed blog.
    expect(await duplicatePosts(testDb.db)).toEqual([]);
    const posts = await testDb.db
      .selectFrom('blog_posts')
      .innerJoin('blogs', 'blogs.id', 'blog_posts.blog_id')
      .select(['blogs.username', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('blogs.username')
      .execute();
    const postsOf = new Map(posts.map((p) => [p.username, Number(p.n)]));
    for (const t of scrapes.filter((s) => s.result?.['status'] === 'analyzing')) {
      expect(postsOf.get(t.result!['username'] as string), `posts of ${t.result!['username']}`).toBe(t.result!['posts']);
    }
    const analysed = scrapes.filter((t) => t.result?.['status'] === 'analyzing').length;
    expect((await tasks(testDb.db, ['ai_analysis'])).length).toBe(analysed);

    // The emulator's view: per profile, no request (path + cursor) asked twice, except by a run the kill interrupted —
    // and then only the stage it was in (at most the two pages of the media stage).
    const profileOf = profileIndex();
    const interruptedUsers = new Set(scrapes.filter((t) => interrupted.has(t.id)).map((t) => t.result!['username'] as string));
    const asked = new Map<string, Map<string, number>>();
    for (const entry of emulator.log) {
      const key = requestKey(entry);
      const user = profileOf(entry);
      if (!key || !user || entry.route.startsWith('friendships/')) continue;
      const perUser = asked.get(user) ?? new Map<string, number>();
      perUser.set(key, (perUser.get(key) ?? 0) + 1);
      asked.set(user, perUser);
    }
    for (const username of usernames) {
      const repeated = [...(asked.get(username)?.entries() ?? [])].filter(([, n]) => n > 1);
      expect(repeated.length, `${username} repeated ${JSON.stringify(repeated)}`).toBeLessThanOrEqual(
        interruptedUsers.has(username) ? 2 : 0,
      );
      for (const [, n] of repeated) expect(n).toBe(2);
      expect(asked.get(username)?.size ?? 0, `${username} was asked for`).toBeGreaterThan(0);
    }

    // The followers list: complete, every page asked once except the one in flight at the kill.
    const followersTask = end.find((t) => t.id === followersId)!;
    expect(followersTask.result).toMatchObject({ fetched: 1663, stored: 1663, expected: 1663, complete: true, resumed: 1 });
    const pages = pageLog(emulator.log, 'followers', target.pk);
    const cursors = pages.requests.map((e) => e.maxId ?? '');
    expect(new Set(cursors).size).toBe(17);
    expect(cursors).toHaveLength(18);
    expect(cursors.filter((c) => c === followersAtKill['cursor'])).toHaveLength(2);
    expect(pages.repeatedAnswers.every((c) => c === followersAtKill['cursor'])).toBe(true);
    const stored = await testDb.db
      .selectFrom('audience_edges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'followers')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(1663);

    console.info(
      `[faults] kill -9: ${doneAtKill}/${SCRAPES} scrapes done at the kill, ${interrupted.size} runs interrupted ` +
        `(followers at ${String(followersAtKill['fetched'])}/1663); all done ${Math.round(recoveredIn / 100) / 10} s after the kill, ` +
        `${Math.round((Date.now() - started) / 100) / 10} s in all; ${emulator.log.length} Instagram requests`,
    );
  }, 240_000);
});
