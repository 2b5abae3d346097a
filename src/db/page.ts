/**
 * A page of a list: one row more than asked is fetched, so whether another page exists is known without counting a
 * table that may be large. What every offset-paged list of the API returns (`pageOf` in the HTTP kit shows it).
 */
export interface Page<Row> {
  items: Row[];
  hasMore: boolean;
}

/** The part of a Kysely select that paging needs. */
interface Pageable<Row> {
  limit(limit: number): { offset(offset: number): { execute(): Promise<Row[]> } };
}

/** Runs an ordered query for one page: `limit` rows from `offset`, and whether more follow. */
export async function fetchPage<Row>(query: Pageable<Row>, page: { limit: number; offset: number }): Promise<Page<Row>> {
  const rows = await query
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute();
  return { items: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}
