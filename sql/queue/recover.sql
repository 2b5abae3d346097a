-- Tasks whose lease ran out: their worker died or lost the database. Each such run already spent an attempt, so a
-- task that keeps killing its worker ends `failed` after max_attempts instead of looping forever.
UPDATE scrape_tasks
SET status = CASE WHEN attempts < max_attempts THEN 'pending' ELSE 'failed' END,
    run_at = now(),
    completed_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END,
    error_message = 'worker ' || locked_by || ' stopped renewing its lease (process died or lost the database)',
    last_error_at = now(),
    locked_by = NULL,
    locked_until = NULL,
    updated_at = now()
WHERE status = 'running' AND locked_until < now()
RETURNING id, status;
