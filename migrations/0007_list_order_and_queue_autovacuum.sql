-- Found by `npm run bench:api` (BENCHMARKS.md), 100,000 blogs and 1,000,000 tasks.

-- GET /api/blogs?sort=scraped_at (newest first, the default order) read every matching blog and sorted it: 91 ms
-- p50 under load for source=discover:*. blogs_scraped_at (ascending, for schedule_updates' range) cannot give
-- "DESC NULLS LAST, id DESC"; this index does, as blogs_follower_count and blogs_er do for their sorts.
CREATE INDEX blogs_scraped_at_desc ON blogs (scraped_at DESC NULLS LAST, id DESC);

-- The queue table is rewritten row by row all day (each task: insert, claim, finish). With the default thresholds
-- (20 % / 10 % of the table) a table of a million finished tasks is vacuumed and analysed rarely, and the claim
-- is planned with stale estimates of what is pending. A fixed, smaller share keeps both current.
ALTER TABLE scrape_tasks SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.01);
