-- The Instagram Graph API, a second and official source (issue 21): connected Facebook users and their long-lived
-- tokens (sealed), one-time OAuth states, the connected account's media with insights snapshots, briefs with
-- expected figures, and which source filled a blog's posts and snapshots.

CREATE TABLE graph_oauth_states (
  -- sha256 of the `state` sent to the dialog: the value itself is a bearer of the flow and is never stored.
  state_hash  text PRIMARY KEY,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE graph_connections (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fb_user_id        text NOT NULL UNIQUE,
  fb_user_name      text,
  -- The long-lived user token, SecretBox-sealed (v1:iv:tag:ciphertext); never selected by a view.
  token_encrypted   text NOT NULL,
  token_issued_at   timestamptz NOT NULL,
  token_expires_at  timestamptz,
  scopes            text[] NOT NULL DEFAULT '{}',
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'expired', 'revoked', 'refresh_failed')),
  status_reason     text,
  -- The Instagram professional account picked for this connection (through one of the user's Pages).
  ig_user_id        text,
  ig_username       text,
  page_id           text,
  page_name         text,
  last_refreshed_at timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE graph_briefs (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL,
  -- The campaign or script version the media was shot from (free text).
  script_version  text,
  -- Free-form expected figures, e.g. {"views": 50000, "reach": 30000, "er": 4.5}.
  expected        jsonb NOT NULL DEFAULT '{}'::jsonb,
  notes           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE graph_media (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id       bigint NOT NULL REFERENCES graph_connections (id) ON DELETE CASCADE,
  ig_user_id          text NOT NULL,
  ig_media_id         text NOT NULL,
  media_type          text,
  media_product_type  text,
  shortcode           text,
  permalink           text,
  caption             text,
  posted_at           timestamptz,
  like_count          integer,
  comments_count      integer,
  brief_id            bigint REFERENCES graph_briefs (id) ON DELETE SET NULL,
  insights_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, ig_media_id)
);
CREATE INDEX graph_media_brief ON graph_media (brief_id) WHERE brief_id IS NOT NULL;

-- One row per media per graph_media_sync run (unique per task, so a resumed run writes one).
CREATE TABLE graph_media_snapshots (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  media_id              bigint NOT NULL REFERENCES graph_media (id) ON DELETE CASCADE,
  task_id               bigint,
  like_count            integer,
  comments_count        integer,
  reach                 bigint,
  views                 bigint,
  saved                 bigint,
  shares                bigint,
  total_interactions    bigint,
  avg_watch_time_ms     bigint,
  total_watch_time_ms   bigint,
  -- Every metric as answered (name → value), including ones without a column.
  metrics               jsonb NOT NULL DEFAULT '{}'::jsonb,
  taken_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (media_id, task_id)
);
CREATE INDEX graph_media_snapshots_media_time ON graph_media_snapshots (media_id, taken_at DESC);

-- Which source filled a post or a snapshot: the private mobile API (full_scrape) or the Graph API (graph_discovery).
ALTER TABLE blog_posts ADD COLUMN source text NOT NULL DEFAULT 'private_api' CHECK (source IN ('private_api', 'graph'));
ALTER TABLE blog_snapshots ADD COLUMN source text NOT NULL DEFAULT 'private_api' CHECK (source IN ('private_api', 'graph'));
