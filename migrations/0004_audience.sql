-- Audience (SPEC §3, seed 001): the follower and following lists of a blog, fetched page by page by the
-- `followers` task, and enough bookkeeping to answer "mutual follows" only from complete lists.

-- One edge per (blog, list, other account). `kind` = 'followers': the account follows the blog;
-- 'following': the blog follows the account. The other account's public fields are kept as last seen.
CREATE TABLE audience_edges (
  blog_id       bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('followers', 'following')),
  platform_id   text NOT NULL,               -- the other account's Instagram pk, as text (pks exceed 2^53)
  username      text NOT NULL,
  full_name     text,
  is_private    boolean,
  is_verified   boolean,
  avatar_url    text,
  -- The fetch (task) that saw the edge last: a complete re-fetch deletes the edges it did not see (unfollows).
  seen_by_task  bigint NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blog_id, kind, platform_id)
);
CREATE INDEX audience_edges_account ON audience_edges (platform_id);

-- The state of each list of a blog: the last fetch that started it, how far it got, and whether it reached the
-- end of the list (complete) or stopped at the requested maximum. Mutuals need both lists finished.
CREATE TABLE audience_lists (
  blog_id       bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('followers', 'following')),
  task_id       bigint NOT NULL,             -- no FK: tasks are pruned independently
  status        text NOT NULL CHECK (status IN ('fetching', 'done')),
  fetched       integer NOT NULL DEFAULT 0,
  expected      integer,                     -- the profile's count when the fetch started (capped by max)
  complete      boolean NOT NULL DEFAULT false,  -- true when the whole list was read, false when cut at max
  started_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (blog_id, kind)
);

-- The results API (GET /api/blogs) sorts and filters by these; scraped_at and scrape_status are indexed in 0001.
CREATE INDEX blogs_follower_count ON blogs (follower_count DESC NULLS LAST, id);
CREATE INDEX blogs_er ON blogs (er DESC NULLS LAST, id);
