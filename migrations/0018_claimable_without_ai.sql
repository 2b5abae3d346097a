-- Issue 14: the runner never claims ai_analysis tasks (the batch builder takes them in bulk through
-- scrape_tasks_ai_pending, sql/ai/claim.sql). While they sat in scrape_tasks_claimable, a backlog of them (no OpenAI
-- key, or batches open) ahead of the runner's work made every claim walk them, index and heap, only to filter them
-- out: 100,000 pending ai_analysis tasks cut the runner to ×0.11 (BENCHMARKS.md, "Queue under a stuck backlog").
-- The runner's claims (sql/queue/claim.sql, complete-claim.sql) repeat this predicate word for word, so that even a
-- generic plan can prove the index applies. Counts of every pending task add the two indexes' counts
-- (countPendingTasks in src/queue/read.ts).
DROP INDEX scrape_tasks_claimable;
CREATE INDEX scrape_tasks_claimable ON scrape_tasks (priority, run_at, id) WHERE status = 'pending' AND task_type <> 'ai_analysis';
