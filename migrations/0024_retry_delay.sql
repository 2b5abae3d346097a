-- The queue's one backoff expression: the wait before a failed task's next attempt, base × factor^(attempts − 1)
-- (5 → 15 → 45 min by default). A runner's failed run (sql/queue/fail.sql) and an AI analysis that did not succeed
-- (sql/queue/batch-retry.sql) both call it, so the two can never drift apart. A one-line SQL function, IMMUTABLE:
-- the planner inlines it, and a prepared statement that calls it plans exactly as the written-out expression did.
CREATE FUNCTION igscout_retry_delay(attempts int, base_ms numeric, factor numeric) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (base_ms * power(factor, greatest(attempts - 1, 0))) * interval '1 millisecond'
$$;
