-- Scraping history (SPEC §3, from seed 000): one blog snapshot per successful full_scrape, and the metrics of each
-- fetched post at that moment, so growth and decay can be charted. The current values stay on blogs / blog_posts.

CREATE TABLE blog_snapshots (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blog_id          bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  -- The full_scrape that took it. No FK: tasks are pruned independently. Unique per blog and task, so a task that
  -- is interrupted after writing its snapshot and run again does not write a second one.
  task_id          bigint,
  follower_count   integer,
  following_count  integer,
  media_count      integer,
  er               numeric(8, 2),
  er_reels         numeric(8, 2),
  er_trend         text CHECK (er_trend IN ('growing', 'stable', 'declining')),
  posts_per_week   numeric(8, 2),
  posts_fetched    integer NOT NULL DEFAULT 0,
  taken_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (blog_id, task_id)
);
CREATE INDEX blog_snapshots_blog_time ON blog_snapshots (blog_id, taken_at DESC);

CREATE TABLE blog_post_snapshots (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  snapshot_id    bigint NOT NULL REFERENCES blog_snapshots (id) ON DELETE CASCADE,
  post_id        bigint NOT NULL REFERENCES blog_posts (id) ON DELETE CASCADE,
  like_count     integer,
  comment_count  integer,
  play_count     bigint,
  taken_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (snapshot_id, post_id)
);
CREATE INDEX blog_post_snapshots_post_time ON blog_post_snapshots (post_id, taken_at DESC);

-- discover and re-scrapes look blogs up by Instagram pk (a renamed account keeps its pk).
CREATE INDEX blogs_platform_id ON blogs (platform, platform_id) WHERE platform_id IS NOT NULL;
