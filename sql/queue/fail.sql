-- A failed run, accepted only from the lease holder. With attempts left and a retryable error the task goes back
-- to pending with the queue's backoff, igscout_retry_delay (migration 0024): base × factor^(attempts − 1), i.e.
-- 5 → 15 → 45 min by default. Otherwise it ends `failed`, keeping its last error (and its progress, for a manual
-- retry).
-- $1 id  $2 lease token  $3 error message  $4 retryable  $5 backoff base (ms)  $6 backoff factor
UPDATE scrape_tasks
SET status = CASE WHEN $4 AND attempts < max_attempts THEN 'pending' ELSE 'failed' END,
    run_at = CASE WHEN $4 AND attempts < max_attempts
                  THEN now() + igscout_retry_delay(attempts, $5, $6)
                  ELSE run_at END,
    completed_at = CASE WHEN $4 AND attempts < max_attempts THEN NULL ELSE now() END,
    error_message = $3,
    last_error_at = now(),
    locked_by = NULL,
    locked_until = NULL,
    updated_at = now()
WHERE id = $1 AND locked_by = $2  -- the lease token is set exactly while running (CHECK on scrape_tasks)
RETURNING :task_columns;
