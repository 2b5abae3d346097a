-- Claim up to $2 due tasks of the given types for worker $1, in one statement: most urgent priority first, then
-- the earliest due, then the oldest. SKIP LOCKED lets any number of workers claim at once without waiting on or
-- taking each other's rows.
-- The partial index scrape_tasks_claimable (task_type, priority, run_at, id) serves the inner SELECT, once per type
-- asked for (migration 0029): each type's due rows come in order from their own range of the index, and the most
-- urgent of all of them are taken. So a claim reads only the types it asks for; pending tasks of other types (an
-- Instagram backlog while no account is usable) are never walked. Each type may lock up to $2 rows of which fewer
-- are taken: they stay locked only until this statement commits. `task_type <> 'ai_analysis'` is the index's
-- predicate (migration 0018): the runner never claims those (the batch builder does, in bulk).
-- Claiming spends an attempt and sets the lease.
-- Runs as a prepared statement with a generic plan (src/db/database.ts), so it is written to have only one good
-- plan: `= ANY (ARRAY(…))` keeps the update on the primary key whatever LIMIT $2 is guessed to return, and the
-- columns are listed so that a migration adding one cannot invalidate the prepared statement's result type
-- (the claimed_columns variable, CLAIMED_COLUMNS of src/queue/task.ts: only what a run reads; in psql,
-- `\set claimed_columns …` first).
-- $1 lease token  $2 limit  $3 lease (ms)  $4 claimable task types
WITH next AS (
  SELECT due.id
  FROM (SELECT DISTINCT unnest($4::text[]) AS task_type) AS wanted
  CROSS JOIN LATERAL (
    SELECT s.id, s.priority, s.run_at
    FROM scrape_tasks AS s
    WHERE s.status = 'pending' AND s.task_type <> 'ai_analysis' AND s.task_type = wanted.task_type AND s.run_at <= now()
    ORDER BY s.priority, s.run_at, s.id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  ) AS due
  ORDER BY due.priority, due.run_at, due.id
  LIMIT $2
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
