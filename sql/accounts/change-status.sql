-- The one way an account's status changes outside the lease (src/accounts/events.ts changeAccountStatus): the
-- UPDATE and its 'status' row of activity_log in one statement, so neither is ever written without the other, and
-- only from the statuses the caller expects (a human's "activate" must not undo a ban decided meanwhile).
-- $1 account ids  $2 new status  $3 reason  $4 cooldown until (NULL: none)  $5 task id  $6 only from these
-- statuses (NULL: any)  $7 the log row's action  $8 the log row's proxy id  $9 keep the cooldown as it is (an
-- admin's disable, a deleted proxy)  $10 forget the challenge streak (a human's activate)
WITH old AS (
  SELECT id FROM ig_accounts
  WHERE id = ANY ($1::bigint[]) AND ($6::text[] IS NULL OR status = ANY ($6::text[]))
  ORDER BY id
  FOR UPDATE
), changed AS (
  UPDATE ig_accounts AS a
  SET status = $2::text,
      status_reason = $3::text,
      cooldown_until = CASE WHEN $9::boolean THEN a.cooldown_until ELSE $4::timestamptz END,
      challenge_count = CASE WHEN $10::boolean THEN 0 ELSE a.challenge_count END,
      status_changed_at = now(),
      updated_at = now()
  FROM old
  WHERE a.id = old.id
  RETURNING a.id
)
INSERT INTO activity_log (account_id, proxy_id, task_id, kind, action, outcome, error)
SELECT id, $8::bigint, $5::bigint, 'status', $7::text, $2::text, left($3::text, 1000) FROM changed
RETURNING account_id;
