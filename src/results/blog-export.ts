import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { filteredBlogs, type BlogFilters, type BlogRow } from './blog-list.js';

/**
 * Every blog matching the filters, read in keyset batches on the primary key (`id > last`): each batch is an index
 * range scan that costs the same on the last page as on the first, and only one batch is held at a time, so a
 * million rows stream in constant memory. Offsets would rescan every skipped row and drift when rows are added.
 */
export async function* exportBlogs(db: Kysely<Database>, filter: BlogFilters, batchSize: number): AsyncGenerator<BlogRow> {
  let after = 0;
  for (;;) {
    const rows = (await filteredBlogs(db, filter)
      .where('blogs.id', '>', after)
      .orderBy('blogs.id')
      .limit(batchSize)
      .execute()) as BlogRow[];
    yield* rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.id;
  }
}
