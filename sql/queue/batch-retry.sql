-- A bulk-claimed task (ai_analysis) whose work did not succeed (invalid answer, error line, no result, failed batch):
-- back to pending with the queue's backoff (igscout_retry_delay, as in sql/queue/fail.sql) while attempts remain,
-- else `failed`. Accepted only while the task still waits on this batch, so a late or repeated result never moves
-- it twice.
-- $1 task id  $2 batch row id  $3 error  $4 now  $5 backoff base (ms)  $6 backoff factor
UPDATE scrape_tasks
SET status = CASE WHEN attempts < max_attempts THEN 'pending' ELSE 'failed' END,
    run_at = CASE WHEN attempts < max_attempts
                  THEN $4::timestamptz + igscout_retry_delay(attempts, $5, $6)
                  ELSE run_at END,
    completed_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END,
    error_message = $3,
    last_error_at = now(),
    updated_at = now()
WHERE id = $1 AND status = 'waiting_batch' AND (progress ->> 'ai_batch_id') = $2::text
RETURNING id, status, attempts, max_attempts, run_at, blog_id;
