import type pg from 'pg';

/**
 * 100,000 blogs and 1,000,000 tasks with generate_series, shaped like a year of use: most tasks finished, a few
 * failed or waiting, full_scrape the bulk; blogs with followers, ER and a bio to search. Then VACUUM ANALYZE,
 * as autovacuum would have done long before a table reached this size.
 */
export async function seed(client: pg.Client, blogs: number, tasks: number): Promise<void> {
  await client.query(
    `
    INSERT INTO blogs (username, full_name, biography, follower_count, following_count, media_count, er, er_reels,
                       er_trend, posts_per_week, scrape_status, scraped_at, source, created_at)
    SELECT 'creator_' || g,
           (ARRAY['Aruzhan', 'Dana', 'Yerlan', 'Madina', 'Timur', 'Aliya'])[1 + g % 6] || ' ' || g,
           (ARRAY['food blogger from Almaty', 'travel and mountains', 'fitness coach', 'mom of three, recipes',
                  'tech reviews', 'fashion and beauty'])[1 + g % 6] || ' #' || g,
           (1000 + (g * 7919) % 3000000), 100 + g % 900, 10 + g % 500,
           round(((g * 31) % 1000) / 100.0, 2), round(((g * 17) % 1000) / 100.0, 2),
           (ARRAY['growing', 'stable', 'declining'])[1 + g % 3], round(((g * 13) % 700) / 100.0, 2),
           (ARRAY['active', 'active', 'active', 'analyzing', 'private', 'error'])[1 + g % 6],
           now() - ((g % 50) || ' days')::interval,
           CASE WHEN g % 4 = 0 THEN 'discover:food' ELSE 'manual' END,
           now() - ((g % 300) || ' days')::interval
    FROM generate_series(1, $1::int) AS g`,
    [blogs],
  );
  await client.query(
    `
    INSERT INTO scrape_tasks (blog_id, task_type, status, priority, payload, result, attempts, error_message,
                              run_at, started_at, completed_at, created_at, updated_at)
    SELECT 1 + g % $2::int,
           t.type,
           t.status,
           CASE t.type WHEN 'ai_analysis' THEN 3 WHEN 'discover' THEN 4 ELSE 2 END,
           jsonb_build_object('username', 'creator_' || (1 + g % $2::int)),
           CASE WHEN t.status = 'done' THEN '{"posts": 20, "requests": 5}'::jsonb END,
           CASE WHEN t.status = 'pending' THEN 0 ELSE 1 END,
           CASE WHEN t.status = 'failed' THEN 'instagram answered 500 three times' END,
           t.at, t.at, CASE WHEN t.status IN ('done', 'failed', 'cancelled') THEN t.at + interval '5 seconds' END,
           t.at, t.at
    FROM generate_series(1, $1::int) AS g,
         LATERAL (SELECT (ARRAY['full_scrape', 'full_scrape', 'full_scrape', 'full_scrape', 'full_scrape', 'full_scrape',
                               'full_scrape', 'ai_analysis', 'discover', 'followers'])[1 + g % 10] AS type,
                         CASE WHEN g % 100 < 90 THEN 'done' WHEN g % 100 < 94 THEN 'failed'
                              WHEN g % 100 < 95 THEN 'cancelled' ELSE 'pending' END AS status,
                         now() - ((($1::int - g) / 40) || ' minutes')::interval AS at) AS t`,
    [tasks, blogs],
  );
  // VACUUM too: autovacuum would have set the visibility map long ago, which index-only scans rely on.
  await client.query('VACUUM ANALYZE blogs');
  await client.query('VACUUM ANALYZE scrape_tasks');
}
