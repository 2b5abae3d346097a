-- Issue 14: the task.completed / task.failed trigger (0021) costs every completion a function call and a probe of
-- webhook_endpoints, about 5 µs a row: 8–11 % of the queue's throughput with short tasks, paid even with no endpoint
-- at all (the common case). It now runs only while an enabled endpoint exists: any change to webhook_endpoints turns
-- it on or off (ALTER TABLE … ENABLE/DISABLE TRIGGER) in the transaction of that change.
--
-- Why this is safe:
--  - ALTER TABLE takes SHARE ROW EXCLUSIVE on scrape_tasks, so it waits for every statement writing scrape_tasks
--    at that moment and the statements after it see the new state: a completion either ran before the endpoint
--    existed (no event was owed) or after, with the trigger on.
--  - Endpoint changes are serialized on that same lock before deciding, and decide from a fresh snapshot (READ
--    COMMITTED, one per statement of the function): deleting the last endpoint while another is added ends with the
--    trigger on (test/webhooks/delivery.test.ts).
--  - No deadlock with the queue: a queue statement holds ROW EXCLUSIVE on scrape_tasks and, through the trigger, only
--    reads webhook_endpoints (ACCESS SHARE), which the endpoint change's ROW EXCLUSIVE does not block.
--  - SECURITY DEFINER: ALTER TABLE needs the table's owner (the role that ran the migrations), not the API's role.
-- Endpoint changes are rare (the API, the console), so taking that lock for a moment costs nothing that matters.

CREATE FUNCTION igscout_task_events_follow_endpoints() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  wanted boolean;
  running boolean;
BEGIN
  LOCK TABLE scrape_tasks IN SHARE ROW EXCLUSIVE MODE;
  wanted := EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled);
  SELECT tgenabled <> 'D' INTO running FROM pg_trigger
  WHERE tgrelid = 'scrape_tasks'::regclass AND tgname = 'scrape_tasks_webhooks';
  IF wanted AND NOT running THEN
    ALTER TABLE scrape_tasks ENABLE TRIGGER scrape_tasks_webhooks;
  ELSIF running AND NOT wanted THEN
    BEGIN
      ALTER TABLE scrape_tasks DISABLE TRIGGER scrape_tasks_webhooks;
    EXCEPTION WHEN object_in_use THEN
      -- The same statement uses scrape_tasks (TRUNCATE webhook_endpoints, scrape_tasks …): left on, which is always
      -- correct, only slower; the next change of the endpoints turns it off. Turning it on is never skipped this way.
      NULL;
    END;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER webhook_endpoints_task_events
  AFTER INSERT OR UPDATE OF enabled OR DELETE OR TRUNCATE ON webhook_endpoints
  FOR EACH STATEMENT
  EXECUTE FUNCTION igscout_task_events_follow_endpoints();

-- In step with the endpoints that exist now.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) THEN
    ALTER TABLE scrape_tasks DISABLE TRIGGER scrape_tasks_webhooks;
  END IF;
END $$;
