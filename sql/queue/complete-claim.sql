-- Completes a task and claims the next ones for the freed slot in one statement (one round trip and one commit
-- instead of two): the runner's busy path. The completion is conditioned on the lease exactly as completeTask's;
-- the claim is claim.sql's. Always one row: `completed` tells whether the lease was still held, and the claimed
-- task's columns follow (all null when nothing was due).
-- $1 id  $2 lease token of the finished run  $3 result (jsonb or null)  $4 claim limit  $5 lease (ms)
-- $6 claimable task types  $7 lease token for the new claim
WITH done AS (
  UPDATE scrape_tasks
  SET status = 'done',
      result = $3::jsonb,
      completed_at = now(),
      locked_by = NULL,
      locked_until = NULL,
      updated_at = now()
  WHERE id = $1 AND status = 'running' AND locked_by = $2
  RETURNING id
),
next AS (
  SELECT id
  FROM scrape_tasks
  WHERE status = 'pending' AND run_at <= now() AND task_type = ANY ($6::text[])
  ORDER BY priority, run_at, id
  LIMIT $4
  FOR UPDATE SKIP LOCKED
),
claimed AS (
  UPDATE scrape_tasks AS t
  SET status = 'running',
      attempts = t.attempts + 1,
      locked_by = $7,
      locked_until = now() + $5 * interval '1 millisecond',
      started_at = now(),
      updated_at = now()
  FROM next
  WHERE t.id = next.id
  RETURNING t.*
)
SELECT d.completed, c.*
FROM (SELECT count(*) > 0 AS completed FROM done) AS d
LEFT JOIN claimed AS c ON true;
