-- Claim due ai_analysis tasks for one batch build, in one statement. SKIP LOCKED: two processes building at once
-- take disjoint sets, so a task is never in two batches. Claiming spends an attempt, as a runner claim does; the
-- task waits in `waiting_batch` (no lease: lease recovery only touches `running`, so it never takes them back).
-- $1 now  $2 limit
WITH next AS (
  SELECT id
  FROM scrape_tasks
  WHERE status = 'pending' AND task_type = 'ai_analysis' AND run_at <= $1
  ORDER BY run_at, id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE scrape_tasks AS t
SET status = 'waiting_batch',
    attempts = t.attempts + 1,
    started_at = $1,
    completed_at = NULL,
    updated_at = now()
FROM next
WHERE t.id = next.id
RETURNING t.id,
          t.run_at,
          coalesce(t.blog_id, CASE WHEN t.payload ->> 'blog_id' ~ '^[0-9]{1,18}$' THEN (t.payload ->> 'blog_id')::bigint END) AS blog_id,
          -- Sent even when the blog's prompt material is unchanged since its last analysis (issue 22).
          coalesce(t.payload ->> 'force' = 'true', false) AS force;
