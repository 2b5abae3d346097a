-- Creator intelligence (issue 19). Audience quality: the latest estimate per blog from the `audience_quality`
-- task. The quick tier reads only follower-list pages; the deep tier (opt-in) adds profile lookups on a seeded
-- sample and with them the suspicious share and credibility (README "Audience quality" has every formula).
CREATE TABLE audience_quality (
  blog_id          bigint PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  task_id          bigint NOT NULL,            -- no FK: tasks are pruned independently
  tier             text NOT NULL CHECK (tier IN ('quick', 'deep')),
  sample_size      integer NOT NULL,           -- followers read from the list (the quick-tier frame)
  deep_sample_size integer NOT NULL DEFAULT 0, -- profiles looked up (deep tier)
  requests         integer NOT NULL,           -- Instagram requests the estimate cost
  credibility      real,                       -- 1 − suspicious share; null without the deep tier
  credibility_low  real,                       -- Wilson 95 % interval
  credibility_high real,
  components       jsonb NOT NULL,             -- each share with its count, n and interval
  computed_at      timestamptz NOT NULL DEFAULT now()
);
-- min_credibility filter of GET /api/blogs.
CREATE INDEX audience_quality_credibility ON audience_quality (credibility) WHERE credibility IS NOT NULL;

-- Sponsored posts and brands (README "Sponsored posts and brands"): computed when a post is upserted, from
-- Instagram's labels (is_paid_partnership, sponsor_tags) and the AD_HASHTAGS list; brands = sponsor tags, tagged
-- users and caption @mentions of a sponsored post. Posts stored before this migration read as organic until the
-- next scrape of their blog.
ALTER TABLE blog_posts
  ADD COLUMN is_sponsored    boolean NOT NULL DEFAULT false,
  ADD COLUMN sponsor_signals text[] NOT NULL DEFAULT '{}',
  ADD COLUMN brands          text[] NOT NULL DEFAULT '{}';
-- "worked with brand X" (GET /api/blogs?brand=): posts naming the brand, then their blogs.
CREATE INDEX blog_posts_brands ON blog_posts USING gin (brands);
