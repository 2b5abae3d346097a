-- Lease one usable account to $1 (a worker/task holder), least recently used first, in one statement.
-- Usable: active (or a cooldown that has run out), not leased by anyone, its proxy (if any) not failed, not one the
-- caller excludes, and with budget left in the current window — counted from activity_log, the request ledger
-- every process writes, so the budget holds across processes and restarts.
-- $1 holder  $2 lease ms  $3 excluded ids  $4 window ms  $5 per-window budget  $6 warm-up budget  $7 warm-up days
-- $8 daily cap (0 = none)  $9 only this account id (NULL = any)  $10 direct connections (auto | allow | deny)
WITH candidate AS (
  SELECT a.id, a.status AS was_status, used.n AS used_in_window, today.n AS used_today,
         CASE WHEN a.warmup_started_at > now() - $7::int * interval '1 day' THEN $6::int ELSE $5::int END AS window_budget
  FROM ig_accounts a
  LEFT JOIN proxies p ON p.id = a.proxy_id
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n FROM activity_log l
    WHERE l.account_id = a.id AND l.kind = 'request' AND l.created_at > now() - $4::int * interval '1 millisecond'
  ) AS used
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n FROM activity_log l
    WHERE $8::int > 0 AND l.account_id = a.id AND l.kind = 'request' AND l.created_at > now() - interval '1 day'
  ) AS today
  WHERE (a.status = 'active' OR (a.status = 'cooldown' AND a.cooldown_until <= now()))
    AND (a.leased_until IS NULL OR a.leased_until < now())
    AND (a.proxy_id IS NULL OR p.status = 'active')
    AND igscout_route_allowed(a.proxy_id, $10::text)
    AND a.id <> ALL ($3::bigint[])
    AND ($9::bigint IS NULL OR a.id = $9)
    AND used.n < CASE WHEN a.warmup_started_at > now() - $7::int * interval '1 day' THEN $6::int ELSE $5::int END
    AND ($8::int = 0 OR today.n < $8::int)
  ORDER BY a.last_used_at NULLS FIRST, a.id
  LIMIT 1
  FOR UPDATE OF a SKIP LOCKED
), leased AS (
UPDATE ig_accounts AS a
SET leased_by = $1,
    leased_until = now() + $2::int * interval '1 millisecond',
    last_used_at = now(),
    status = 'active',
    cooldown_until = NULL,
    status_reason = CASE WHEN a.status = 'cooldown' THEN NULL ELSE a.status_reason END,
    status_changed_at = CASE WHEN a.status = 'cooldown' THEN now() ELSE a.status_changed_at END,
    updated_at = now()
FROM candidate
WHERE a.id = candidate.id
-- `budget` is what the lease may reach in `used_in_window`: the window's budget, lowered by what is left of the
-- daily cap, so the holder checks one number before each request.
RETURNING a.*, candidate.used_in_window, candidate.was_status,
  CASE WHEN $8::int = 0 THEN candidate.window_budget
       ELSE least(candidate.window_budget, candidate.used_in_window + $8::int - candidate.used_today) END AS budget
), logged AS (
  -- A cooldown that ran out ends here: its status row, as for every status change (issue 15), with the task whose
  -- lease took the account (the holder is `worker:task:<id>`, src/accounts/session.ts accountHolderOf).
  INSERT INTO activity_log (account_id, task_id, kind, action, outcome)
  SELECT id, substring($1 from '[:]task[:]([0-9]+)$')::bigint, 'status', 'status:active', 'active'
  FROM leased WHERE was_status = 'cooldown'
)
SELECT * FROM leased;
