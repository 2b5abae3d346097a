-- Completes finished tasks and claims the next ones for the freed slots in one statement (one round trip and one
-- commit instead of two or more): the runner's busy path. Each completion is conditioned on its lease token (set
-- exactly while running); the claim is claim.sql's, which reads only the types it asks for (see there). At least
-- one row: `completed` (first row) lists the ids whose lease was
-- still held (the others' results are discarded), and the claimed tasks' columns follow (all null when nothing was due).
-- Prepared with a generic plan, hence claim.sql's shape (see there).
-- The claim takes up to two groups of types in order, as the runner's claim plan gives them (src/tasks/claim-plan.ts:
-- Instagram types up to the accounts usable now, then the types that need no account), so the daemon's account-aware
-- wiring keeps the one-statement path; the second group gets what the first left of the slots.
-- $1 ids  $2 lease tokens of the finished runs  $3 results (jsonb or null)  $4 first group's limit  $5 lease (ms)
-- $6 first group's task types  $7 lease token for the new claim  $8 second group's task types  $9 its limit
-- $10 slots in all (the two groups together claim no more)
WITH done AS (
  -- Pairs each row with its token and result by position rather than by joining unnest($1, $2, $3): a join may be
  -- planned as a scan of the whole table, a primary-key lookup of `= ANY ($1)` cannot (a few ids: O(n²) is nothing).
  UPDATE scrape_tasks AS t
  SET status = 'done',
      result = ($3::jsonb[])[array_position($1::bigint[], t.id)],
      completed_at = now(),
      locked_by = NULL,
      locked_until = NULL,
      updated_at = now()
  WHERE t.id = ANY ($1::bigint[]) AND t.locked_by = ($2::text[])[array_position($1::bigint[], t.id)]
  RETURNING t.id
),
next AS (
  -- claim.sql's shape: one ordered range of scrape_tasks_claimable per type asked for (migration 0029).
  SELECT due.id
  FROM (SELECT DISTINCT unnest($6::text[]) AS task_type) AS wanted
  CROSS JOIN LATERAL (
    SELECT s.id, s.priority, s.run_at
    FROM scrape_tasks AS s
    WHERE s.status = 'pending' AND s.task_type <> 'ai_analysis' AND s.task_type = wanted.task_type AND s.run_at <= now()
    ORDER BY s.priority, s.run_at, s.id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
  ) AS due
  ORDER BY due.priority, due.run_at, due.id
  LIMIT $4
),
more AS (
  SELECT due.id
  FROM (SELECT DISTINCT unnest($8::text[]) AS task_type) AS wanted
  CROSS JOIN LATERAL (
    SELECT s.id, s.priority, s.run_at
    FROM scrape_tasks AS s
    WHERE s.status = 'pending' AND s.task_type <> 'ai_analysis' AND s.task_type = wanted.task_type AND s.run_at <= now()
    ORDER BY s.priority, s.run_at, s.id
    LIMIT greatest(0, least($9::int, $10::int - (SELECT count(*) FROM next)))
    FOR UPDATE SKIP LOCKED
  ) AS due
  ORDER BY due.priority, due.run_at, due.id
  LIMIT greatest(0, least($9::int, $10::int - (SELECT count(*) FROM next)))
),
claimed AS (
  UPDATE scrape_tasks AS t
  SET status = 'running',
      attempts = t.attempts + 1,
      locked_by = $7,
      locked_until = now() + $5 * interval '1 millisecond',
      started_at = now(),
      updated_at = now()
  WHERE t.id = ANY (ARRAY(SELECT id FROM next UNION ALL SELECT id FROM more))
  RETURNING :claimed_columns
)
-- `completed` on the first row only: repeated on each, a batch of 32 would send 32 × 32 ids.
SELECT CASE WHEN row_number() OVER () = 1 THEN d.completed END AS completed, c.*
FROM (SELECT coalesce(array_agg(id), '{}') AS completed FROM done) AS d
LEFT JOIN claimed AS c ON true;
