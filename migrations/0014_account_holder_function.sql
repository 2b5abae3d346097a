-- The Instagram account a task's run holds is leased under `<worker id>:task:<task id>` (accountHolderOf in
-- src/accounts/session.ts), and the run's lease token is `<worker id>#<claim sequence>` (leaseTokenOf in
-- src/queue/runner.ts). Recovery (sql/queue/recover.sql) and the claim plan (sql/accounts/next-usable.sql) both go
-- from a task to its account holder: one definition, here.
CREATE FUNCTION igscout_account_holder(lease_token text, task_id bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format('%s:task:%s', regexp_replace(lease_token, '#[0-9]+$', ''), task_id)
$$;
