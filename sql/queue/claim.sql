-- Claim up to $2 due tasks of the given types for worker $1, in one statement: most urgent priority first, then
-- the earliest due, then the oldest. SKIP LOCKED lets any number of workers claim at once without waiting on or
-- taking each other's rows; the partial index scrape_tasks_claimable serves the inner SELECT. `task_type <> 'ai_analysis'`
-- is that index's predicate (migration 0018): the runner never claims those (the batch builder does, in bulk), and a
-- backlog of them must not be walked by every claim.
-- Claiming spends an attempt and sets the lease.
-- Runs as a prepared statement with a generic plan (src/db/database.ts), so it is written to have only one good
-- plan: `= ANY (ARRAY(…))` keeps the update on the primary key whatever LIMIT $2 is guessed to return, and the
-- columns are listed so that a migration adding one cannot invalidate the prepared statement's result type
-- (the claimed_columns variable, CLAIMED_COLUMNS of src/queue/task.ts: only what a run reads; in psql,
-- `\set claimed_columns …` first).
-- $1 lease token  $2 limit  $3 lease (ms)  $4 claimable task types
WITH next AS (
  SELECT id
  FROM scrape_tasks
  WHERE status = 'pending' AND task_type <> 'ai_analysis' AND run_at <= now() AND task_type = ANY ($4::text[])
  ORDER BY priority, run_at, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE scrape_tasks AS t
SET status = 'running',
    attempts = t.attempts + 1,
    locked_by = $1,
    locked_until = now() + $3 * interval '1 millisecond',
    started_at = now(),
    updated_at = now()
WHERE t.id = ANY (ARRAY(SELECT id FROM next))
RETURNING :claimed_columns;
