-- Enqueue many tasks in one statement. A task whose dedupe_key already belongs to a live task (pending, running or
-- waiting in an AI batch) is skipped here; the caller then reads the live one back, so "create if not exists" is
-- atomic under any concurrency.
-- The payloads come as one JSON array, not a jsonb[]: the client serialises one document natively instead of
-- quoting 20,000 array elements in JavaScript (40 ms of the caller's event loop on a 20,000-task enqueue; issue 14).
-- ROWS FROM zips the arrays element by element, in order.
-- RETURNING only what the server makes (the id and the transaction's timestamp) and the key that matches a row to its
-- input: src/queue/enqueue.ts builds the rest of each task from its input and the columns' defaults. Returning every
-- column cost a 20,000-task enqueue 85 ms before its first task could start. Prepared (src/db/sql-file.ts), hence
-- the listed columns: a new column cannot invalidate the statement.
-- $1 task_type[]  $2 payloads (jsonb array)  $3 priority[]  $4 blog_id[]  $5 dedupe_key[]  $6 max_attempts[]
-- $7 run_at[]
INSERT INTO scrape_tasks (task_type, payload, priority, blog_id, dedupe_key, max_attempts, run_at)
SELECT t.task_type, t.payload, t.priority, t.blog_id, t.dedupe_key, t.max_attempts, coalesce(t.run_at, now())
FROM ROWS FROM (unnest($1::text[]), jsonb_array_elements($2::jsonb), unnest($3::smallint[]), unnest($4::bigint[]),
                unnest($5::text[]), unnest($6::int[]), unnest($7::timestamptz[]))
  AS t (task_type, payload, priority, blog_id, dedupe_key, max_attempts, run_at)
ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running', 'waiting_batch')
DO NOTHING
RETURNING id, dedupe_key, created_at;
