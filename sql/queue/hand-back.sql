-- Hands tasks a runner claimed ahead but never started back to pending (shutdown, or a lease too close to its end
-- to start safely), giving back the attempt their claim spent and keeping their place in line (run_at unchanged).
-- Conditioned on each task's own lease token, like every outcome: a task recovered or cancelled meanwhile is not
-- touched. Wakes idle workers of every process, which may take them at once.
-- $1 ids  $2 lease tokens
WITH handed AS (
  UPDATE scrape_tasks AS t
  SET status = 'pending',
      attempts = greatest(t.attempts - 1, 0),
      locked_by = NULL,
      locked_until = NULL,
      updated_at = now()
  WHERE t.id = ANY ($1::bigint[]) AND t.locked_by = ($2::text[])[array_position($1::bigint[], t.id)]
  RETURNING t.id
)
SELECT id, pg_notify('scrape_tasks', '') IS NULL AS notified FROM handed;
