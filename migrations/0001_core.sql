-- Core schema: the task queue and the results it produces (SPEC §3, §4).

CREATE TABLE persons (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  full_name   text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blogs (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  platform          text NOT NULL DEFAULT 'instagram',
  username          text NOT NULL,
  platform_id       text,             -- Instagram pk as text: pks exceed 2^53
  person_id         bigint REFERENCES persons (id) ON DELETE SET NULL,
  full_name         text,
  biography         text,
  avatar_url        text,
  follower_count    integer,
  following_count   integer,
  media_count       integer,
  is_verified       boolean,
  is_business       boolean,
  is_private        boolean,
  business_category text,
  external_url      text,
  er                numeric(8, 2),
  er_reels          numeric(8, 2),
  er_trend          text CHECK (er_trend IN ('growing', 'stable', 'declining')),
  posts_per_week    numeric(8, 2),
  scrape_status     text NOT NULL DEFAULT 'pending'
                    CHECK (scrape_status IN ('pending', 'scraping', 'analyzing', 'active', 'private', 'deleted', 'error')),
  status_reason     text,             -- why the blog is in its status (e.g. AI fallback), for humans
  scraped_at        timestamptz,
  ai_insights       jsonb,
  ai_confidence     numeric(4, 3),
  ai_analyzed_at    timestamptz,
  source            text NOT NULL DEFAULT 'manual',
  raw               jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (platform, username)
);
CREATE INDEX blogs_scrape_status ON blogs (scrape_status);
CREATE INDEX blogs_scraped_at ON blogs (scraped_at);
CREATE INDEX blogs_person ON blogs (person_id);

CREATE TABLE blog_posts (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blog_id           bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  platform_id       text NOT NULL,
  shortcode         text,
  caption_text      text,
  hashtags          text[] NOT NULL DEFAULT '{}',
  mentions          text[] NOT NULL DEFAULT '{}',
  like_count        integer,
  comment_count     integer,
  play_count        bigint,
  media_type        smallint,
  product_type      text,
  thumbnail_url     text,
  location_name     text,
  location_lat      double precision,
  location_lng      double precision,
  taken_at          timestamptz,
  is_pinned         boolean NOT NULL DEFAULT false,
  raw               jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (blog_id, platform_id)
);
CREATE INDEX blog_posts_blog_taken ON blog_posts (blog_id, taken_at DESC);

CREATE TABLE blog_highlights (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blog_id           bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  platform_id       text NOT NULL,
  title             text,
  media_count       integer,
  cover_url         text,
  story_mentions    text[] NOT NULL DEFAULT '{}',
  story_locations   text[] NOT NULL DEFAULT '{}',
  story_links       text[] NOT NULL DEFAULT '{}',
  raw               jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (blog_id, platform_id)
);

CREATE TABLE categories (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blog_categories (
  blog_id     bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  category_id bigint NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
  is_primary  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (blog_id, category_id)
);
CREATE INDEX blog_categories_category ON blog_categories (category_id);

-- The queue. Its rules live here: states and priorities as CHECKs, the dedupe key as a partial unique index,
-- and the claim served by a partial index over claimable rows only (so finished rows never slow it down).
CREATE TABLE scrape_tasks (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blog_id        bigint REFERENCES blogs (id) ON DELETE SET NULL,
  task_type      text NOT NULL CHECK (task_type ~ '^[a-z][a-z_]*$'),
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'running', 'waiting_batch', 'done', 'failed', 'cancelled')),
  priority       smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 10),
  payload        jsonb NOT NULL DEFAULT '{}',
  progress       jsonb,
  result         jsonb,
  dedupe_key     text,
  attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts   integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  error_message  text,
  last_error_at  timestamptz,
  run_at         timestamptz NOT NULL DEFAULT now(),   -- due time: now, or the next retry
  locked_by      text,                                 -- lease holder (worker id)
  locked_until   timestamptz,                          -- lease expiry
  started_at     timestamptz,
  completed_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'running') = (locked_by IS NOT NULL AND locked_until IS NOT NULL))
);

CREATE INDEX scrape_tasks_claimable ON scrape_tasks (priority, run_at, id) WHERE status = 'pending';
CREATE INDEX scrape_tasks_running_lease ON scrape_tasks (locked_until) WHERE status = 'running';
CREATE UNIQUE INDEX scrape_tasks_dedupe ON scrape_tasks (dedupe_key)
  WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running', 'waiting_batch');
CREATE INDEX scrape_tasks_status_type ON scrape_tasks (status, task_type, id);
CREATE INDEX scrape_tasks_blog ON scrape_tasks (blog_id);
CREATE INDEX scrape_tasks_finished ON scrape_tasks (completed_at) WHERE status IN ('done', 'failed', 'cancelled');

-- Wakes idle workers at once (LISTEN scrape_tasks); one notification per statement, not per row.
CREATE FUNCTION scrape_tasks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('scrape_tasks', '');
  RETURN NULL;
END $$;

CREATE TRIGGER scrape_tasks_notify_insert AFTER INSERT ON scrape_tasks
  FOR EACH STATEMENT EXECUTE FUNCTION scrape_tasks_notify();
