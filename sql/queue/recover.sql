-- Tasks whose lease ran out: their worker died or lost the database. Each such run already spent an attempt, so a
-- task that keeps killing its worker ends `failed` after max_attempts instead of looping forever.
-- The Instagram account the dead run had leased is freed in the same statement (its holder from the task's lease
-- token: igscout_account_holder, migration 0014). Otherwise it would stay unusable until its own, longer
-- ACCOUNT_LEASE_MS ran out, long after the task came back.
WITH expired AS (
  SELECT id, locked_by FROM scrape_tasks
  WHERE status = 'running' AND locked_until < now()
  FOR UPDATE SKIP LOCKED
), recovered AS (
  UPDATE scrape_tasks AS t
  SET status = CASE WHEN t.attempts < t.max_attempts THEN 'pending' ELSE 'failed' END,
      run_at = now(),
      completed_at = CASE WHEN t.attempts < t.max_attempts THEN NULL ELSE now() END,
      error_message = 'worker ' || expired.locked_by || ' stopped renewing its lease (process died or lost the database)',
      last_error_at = now(),
      locked_by = NULL,
      locked_until = NULL,
      updated_at = now()
  FROM expired
  WHERE t.id = expired.id
  RETURNING t.id, t.status, expired.locked_by
), freed AS (
  UPDATE ig_accounts AS a
  SET leased_by = NULL, leased_until = NULL, updated_at = now()
  FROM recovered
  WHERE a.leased_by = igscout_account_holder(recovered.locked_by, recovered.id)
  RETURNING a.id
)
SELECT id, status FROM recovered;
