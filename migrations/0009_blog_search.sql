-- GET /api/blogs?q= looks for a substring of the username, full name or biography (ILIKE '%…%'), which no b-tree
-- can serve: without these indexes a term that matches few blogs reads every blog. Trigram GIN indexes serve
-- terms of three characters or more; shorter ones still scan, as before.
-- pg_trgm ships with Postgres (contrib) and is a trusted extension since 13, so a database owner may create it. Where
-- it cannot be created (a managed server that withholds it), the search keeps working without an index and this
-- migration says so instead of failing the start.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm is not available (%): GET /api/blogs?q= will search without an index', SQLERRM;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX blogs_username_trgm ON blogs USING gin (username gin_trgm_ops);
    CREATE INDEX blogs_full_name_trgm ON blogs USING gin (full_name gin_trgm_ops);
    CREATE INDEX blogs_biography_trgm ON blogs USING gin (biography gin_trgm_ops);
  END IF;
END $$;
