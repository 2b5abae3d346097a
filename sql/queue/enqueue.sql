-- Enqueue many tasks in one statement. A task whose dedupe_key already belongs to a live task (pending, running or
-- waiting in an AI batch) is skipped here; the caller then reads the live one back, so "create if not exists" is
-- atomic under any concurrency.
-- Prepared (src/db/sql-file.ts), hence the listed columns (task_columns, see claim.sql): a new column cannot
-- invalidate the statement.
-- $1 task_type[]  $2 payload[]  $3 priority[]  $4 blog_id[]  $5 dedupe_key[]  $6 max_attempts[]  $7 run_at[]
INSERT INTO scrape_tasks (task_type, payload, priority, blog_id, dedupe_key, max_attempts, run_at)
SELECT t.task_type, t.payload, t.priority, t.blog_id, t.dedupe_key, t.max_attempts, coalesce(t.run_at, now())
FROM unnest($1::text[], $2::jsonb[], $3::smallint[], $4::bigint[], $5::text[], $6::int[], $7::timestamptz[])
  AS t (task_type, payload, priority, blog_id, dedupe_key, max_attempts, run_at)
ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running', 'waiting_batch')
DO NOTHING
RETURNING :task_columns;
