import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { retryOnConflict } from '../db/retry.js';
import { PRIORITY } from '../queue/task.js';
import { requestScrapesIn } from '../blogs/scrape-requests.js';
import type { Author, ProfileFields, Raw } from './parse.js';

/** Authors (by pk) that already have a blog, by Instagram pk or by username: they are not looked up again. */
export async function knownAuthorPks(db: Kysely<Database>, authors: readonly Author[]): Promise<Set<string>> {
  if (authors.length === 0) return new Set();
  const rows = await db
    .selectFrom('blogs')
    .select(['platform_id', 'username'])
    .where('platform', '=', 'instagram')
    .where((eb) =>
      eb.or([
        eb(
          'platform_id',
          'in',
          authors.map((a) => a.pk),
        ),
        eb(
          'username',
          'in',
          authors.map((a) => a.username),
        ),
      ]),
    )
    .execute();
  const pks = new Set(rows.map((r) => r.platform_id));
  const usernames = new Set(rows.map((r) => r.username));
  return new Set(authors.filter((a) => pks.has(a.pk) || usernames.has(a.username)).map((a) => a.pk));
}

export interface Discovered {
  profile: ProfileFields & { username: string };
  raw: Raw;
  hashtag: string;
  maxAttempts: number;
}

/**
 * A kept author, atomically: the blog with the profile discover already fetched, the person behind it, and its
 * full_scrape at priority 5. A blog created meanwhile by someone else keeps its row and source; it still gets
 * the scrape (deduplicated against a live one).
 */
export async function keepDiscovered(db: Kysely<Database>, found: Discovered): Promise<void> {
  const source = `discover:${found.hashtag}`;
  await retryOnConflict(db, () =>
    db.transaction().execute(async (trx) => {
      const blog = await trx
        .insertInto('blogs')
        .values({ ...found.profile, raw: JSON.stringify(found.raw), source })
        .onConflict((oc) => oc.columns(['platform', 'username']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (blog) {
        const person = await trx
          .insertInto('persons')
          .values({ full_name: found.profile.full_name })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx.updateTable('blogs').set({ person_id: person.id, updated_at: sql`now()` }).where('id', '=', blog.id).execute();
      }
      await requestScrapesIn(trx, {
        usernames: [found.profile.username],
        priority: PRIORITY.discoveredScrape,
        source,
        maxAttempts: found.maxAttempts,
      });
    }),
  );
}
