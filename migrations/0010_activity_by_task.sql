-- A task's requests, read from the ledger: `result.requests` of every scraping task is counted from it (what was
-- really spent, failed requests and logins included), and /api/logs?task_id= filters on it.
CREATE INDEX activity_log_task ON activity_log (task_id, kind) WHERE task_id IS NOT NULL;
