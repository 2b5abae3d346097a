-- Issue 14, "claims that never walk what they cannot take": the runner claims only the types it can run now. While
-- no Instagram account is usable it claims only the account-free types (graph_*), and with scrape_tasks_claimable
-- ordered (priority, run_at, id) such a claim walked every pending Instagram task ahead of them, heap included, to
-- filter them out: 100,000 pending full_scrape tasks made each claim of the account-free types read 1,850 buffers
-- and take 15 ms, at every NOTIFY and every poll, even with nothing to claim.
-- Leading with task_type, the index gives each type its own ordered range: the claims (sql/queue/claim.sql,
-- complete-claim.sql) descend once per type they ask for and read only that type's due rows. Same partial predicate
-- as 0018, so ai_analysis stays out and the counts that name this index (src/queue/read.ts, metrics) are unchanged.
DROP INDEX scrape_tasks_claimable;
CREATE INDEX scrape_tasks_claimable ON scrape_tasks (task_type, priority, run_at, id) WHERE status = 'pending' AND task_type <> 'ai_analysis';
