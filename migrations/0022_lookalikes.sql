-- Lookalikes (issue 19, README "Similar creators"): Instagram's similar accounts of a blog (the `similar_accounts`
-- task, one discover/chaining request) and an embedding of each analysed blog's AI profile text (OpenAI Batch API,
-- /v1/embeddings with reduced dimensions), which GET /api/blogs/{username}/similar ranks candidates by.

-- The latest similar-accounts answer for a blog: replaced as a whole by the next one. `position` is Instagram's order.
CREATE TABLE similar_accounts (
  blog_id      bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  username     text NOT NULL,
  platform_id  text,
  full_name    text,
  is_private   boolean,
  is_verified  boolean,
  position     integer NOT NULL,
  task_id      bigint NOT NULL,              -- no FK: tasks are pruned independently
  fetched_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blog_id, username)
);

-- One embedding per blog: a unit vector (so cosine = dot product) of the text in `text_hash`, from `model` at
-- `dimensions`. A plain real[] everywhere (the exact scan reads it); `embedding_v`, a pgvector column, only where the
-- server has pgvector (below).
CREATE TABLE blog_embeddings (
  blog_id      bigint PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  model        text NOT NULL,
  dimensions   integer NOT NULL CHECK (dimensions > 0),
  text_hash    text NOT NULL,
  embedding    real[] NOT NULL CHECK (cardinality(embedding) = dimensions),
  embedded_at  timestamptz NOT NULL DEFAULT now()
);

-- An embeddings batch: the blogs it carries and where it stands. Open until processed_at is set; a `building` row
-- older than an hour belongs to a process that died while uploading and is closed by the next submit.
CREATE TABLE embedding_batches (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  openai_batch_id  text UNIQUE,
  status           text NOT NULL DEFAULT 'building',
  model            text NOT NULL,
  dimensions       integer NOT NULL,
  blog_ids         bigint[] NOT NULL,
  text_hashes      text[] NOT NULL,
  ok_count         integer NOT NULL DEFAULT 0,
  error_count      integer NOT NULL DEFAULT 0,
  total_tokens     bigint NOT NULL DEFAULT 0,
  error            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  processed_at     timestamptz
);
CREATE INDEX embedding_batches_open ON embedding_batches (id) WHERE processed_at IS NULL;

-- pgvector where the server has it: the same vectors in a `vector` column, compared in C. Without a fixed dimension
-- there is no HNSW index: the scan is exact either way (README "Similar creators" says how to add one). Where the
-- extension cannot be created (not installed, as in the embedded Postgres, or not allowed), the real[] scan is used
-- (a notice: the fallback ranks exactly the same, only slower on very large tables).
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS vector;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pgvector is not available (%): similar creators are ranked by an exact scan of real[] embeddings', SQLERRM;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
    EXECUTE 'ALTER TABLE blog_embeddings ADD COLUMN embedding_v vector';
  END IF;
END $$;
