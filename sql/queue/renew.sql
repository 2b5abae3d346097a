-- Extends the leases of every task one runner holds, in one statement per renewal period instead of one per task:
-- the tasks it runs, those it claimed ahead and has not started yet (QUEUE_CLAIM_AHEAD), and those whose completion
-- is not written yet. Each row is paired with its own lease token by position (complete-claim.sql's shape), so the
-- primary key serves it under a generic plan. Returns the ids whose lease was still held: a missing one was
-- cancelled or recovered, and its run stops (or, claimed ahead, never starts).
-- $1 ids  $2 lease tokens  $3 lease (ms)
UPDATE scrape_tasks AS t
SET locked_until = now() + $3 * interval '1 millisecond'
WHERE t.id = ANY ($1::bigint[]) AND t.locked_by = ($2::text[])[array_position($1::bigint[], t.id)]
RETURNING t.id;
