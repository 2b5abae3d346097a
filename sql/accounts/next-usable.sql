-- When is each account usable? Now, or the latest of: its cooldown ending, its lease ending, the oldest request
-- of a spent budget leaving the window, the oldest request of a spent daily cap leaving the day. Returns how many
-- are usable now and when the next one will be (NULL when none can become usable without a human).
-- $1 window ms  $2 per-window budget  $3 warm-up budget  $4 warm-up days  $5 daily cap (0 = none)
-- $6 direct connections (auto | allow | deny; see igscout_route_allowed)
-- $7 the task types that run on an account (for claimed_without_account; empty: 0)
WITH usable AS (
  SELECT greatest(
      now(),
      CASE WHEN a.status = 'cooldown' THEN a.cooldown_until END,
      -- A lease usually ends early (the task finishes and releases it, with a NOTIFY): look again within 2 s rather
      -- than at the lease's expiry, so a task waiting for a busy account does not sit out a whole lease period.
      CASE WHEN a.leased_until > now() THEN least(a.leased_until, now() + interval '2 seconds') END,
      (SELECT l.created_at + $1::int * interval '1 millisecond'
       FROM activity_log l
       WHERE l.account_id = a.id AND l.kind = 'request' AND l.created_at > now() - $1::int * interval '1 millisecond'
       ORDER BY l.created_at DESC
       OFFSET (CASE WHEN a.warmup_started_at > now() - $4::int * interval '1 day' THEN $3::int ELSE $2::int END) - 1
       LIMIT 1),
      (SELECT l.created_at + interval '1 day'
       FROM activity_log l
       WHERE $5::int > 0 AND l.account_id = a.id AND l.kind = 'request' AND l.created_at > now() - interval '1 day'
       ORDER BY l.created_at DESC
       OFFSET greatest($5::int - 1, 0)
       LIMIT 1)
    ) AS at
  FROM ig_accounts a
  LEFT JOIN proxies p ON p.id = a.proxy_id
  WHERE a.status IN ('active', 'cooldown') AND (a.proxy_id IS NULL OR p.status = 'active')
    AND igscout_route_allowed(a.proxy_id, $6::text)
), claimed_without_account AS (
  -- Claimed runs of those types, in any process, that hold no account yet: each is about to take one of the usable
  -- ones. The account holder from the run's lease token: igscout_account_holder (migration 0014).
  SELECT count(*)::int AS n
  FROM scrape_tasks t
  WHERE t.status = 'running' AND t.task_type = ANY($7::text[])
    AND NOT EXISTS (
      SELECT 1 FROM ig_accounts h
      WHERE h.leased_by = igscout_account_holder(t.locked_by, t.id)
    )
)
SELECT min(at) AS next_usable_at,
       count(*) FILTER (WHERE at <= now())::int AS usable_now,
       (SELECT n FROM claimed_without_account) AS claimed_without_account
FROM usable;
