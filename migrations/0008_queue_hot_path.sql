-- Found by `npm run bench:queue` (BENCHMARKS.md): every state change of a task (enqueue, claim, finish) is a
-- non-HOT update that adds an entry to every index whose predicate the new row version satisfies. These two
-- indexes were paid on every change while serving only listings:

-- scrape_tasks_status_type covered every status, so each claim and each completion added an entry to it; it also
-- offered the planner a second way to find pending tasks (read them all, then sort), which it took on stale
-- statistics. Live tasks are few and already indexed (scrape_tasks_claimable for pending, scrape_tasks_running_lease
-- for running); this index now covers only the settled ones that listings and counts need it for.
DROP INDEX scrape_tasks_status_type;
CREATE INDEX scrape_tasks_settled ON scrape_tasks (status, task_type, id) WHERE status NOT IN ('pending', 'running');

-- Most tasks of the queue's hot path (discover, followers of a seed, AI batches) have no blog yet; NULLs need no
-- entry for "tasks of this blog" or for the ON DELETE SET NULL of blogs.
DROP INDEX scrape_tasks_blog;
CREATE INDEX scrape_tasks_blog ON scrape_tasks (blog_id) WHERE blog_id IS NOT NULL;
