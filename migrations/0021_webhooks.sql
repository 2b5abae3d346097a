-- Issue 18: signed outgoing webhooks (Standard Webhooks). Endpoints with their event filters and sealed secrets, an
-- outbox of events, and one delivery row per (event, endpoint), which is both the delivery queue and its log.
--
-- Events are written in the transaction of the state change they report, by triggers on the tables that change
-- (scrape_tasks, blogs, audience_lists): the queue's hot statements (sql/queue/*.sql) stay as they are, and no path
-- that finishes a task (complete, fail, recovery, the AI poller, a cancel racing a completion) can forget one.
-- Each trigger is a row trigger whose WHEN clause names the one transition it reports, so every other UPDATE (a
-- claim, a lease renewal, a checkpoint) queues no trigger call at all; the function then returns at once unless an
-- enabled endpoint subscribes to the event (one probe of a table of a few rows), so with no endpoint a completion
-- pays one function call and no write. A statement trigger with transition tables was not chosen: it makes every
-- UPDATE of scrape_tasks (claims and renewals included) copy its rows into a tuplestore.

CREATE TABLE webhook_endpoints (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url          text NOT NULL CHECK (url ~ '^https?://'),
  description  text,
  events       text[] NOT NULL CHECK (cardinality(events) > 0),
  enabled      boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Signing secrets (whsec_…, sealed by SecretBox). Several may sign at once: a rotation adds one and gives the
-- others a `retires_at`; until then every delivery carries one signature per live secret.
CREATE TABLE webhook_secrets (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id  bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  secret       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retires_at   timestamptz
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint_id);

-- The outbox. `message_id` is the Standard Webhooks `webhook-id`: fixed when the event is written, so every retry,
-- on whichever process and after whatever crash, sends the same id and a receiver can drop repeats.
CREATE TABLE webhook_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id   text NOT NULL UNIQUE DEFAULT ('msg_' || replace(gen_random_uuid()::text, '-', '')),
  event_type   text NOT NULL,
  payload      jsonb NOT NULL,            -- the body sent: {type, timestamp, data}
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         bigint NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  endpoint_id      bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Due time; while an attempt is in flight, the end of its lease (a dead deliverer's row falls due again then).
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  locked_by        text,                  -- lease token of the attempt in flight; outcomes are conditioned on it
  last_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC);

-- Writes one event and a delivery for each enabled endpoint subscribed to it, and wakes the deliverers (NOTIFY on
-- the queue's channel, payload 'webhooks'; delivered at commit, and not at all on rollback). Nothing when no
-- endpoint subscribes. Returns the event's id, or NULL.
CREATE FUNCTION igscout_webhook_emit(p_type text, p_data jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  event bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND p_type = ANY (events)) THEN
    RETURN NULL;
  END IF;
  INSERT INTO webhook_events (event_type, payload)
  VALUES (p_type, jsonb_build_object(
    'type', p_type,
    'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'data', p_data))
  RETURNING id INTO event;
  INSERT INTO webhook_deliveries (event_id, endpoint_id)
  SELECT event, id FROM webhook_endpoints WHERE enabled AND p_type = ANY (events);
  PERFORM pg_notify('scrape_tasks', 'webhooks');
  RETURN event;
END $$;

-- task.completed / task.failed: a task reaching done or failed, however it got there.
CREATE FUNCTION igscout_webhook_task_finished() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind text := CASE NEW.status WHEN 'done' THEN 'task.completed' ELSE 'task.failed' END;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND kind = ANY (events)) THEN
    RETURN NULL; -- the common case: nobody listens, nothing is built or written
  END IF;
  PERFORM igscout_webhook_emit(kind, jsonb_build_object(
    'task_id', NEW.id,
    'task_type', NEW.task_type,
    'status', NEW.status,
    'blog_id', NEW.blog_id,
    'username', (SELECT username FROM blogs WHERE id = NEW.blog_id),
    'attempts', NEW.attempts,
    'result', NEW.result,
    'error', NEW.error_message,
    'completed_at', NEW.completed_at));
  RETURN NULL;
END $$;

CREATE TRIGGER scrape_tasks_webhooks
  AFTER UPDATE OF status ON scrape_tasks
  FOR EACH ROW
  WHEN (NEW.status IN ('done', 'failed') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION igscout_webhook_task_finished();

-- blog.analyzed: a blog going from `analyzing` to `active` (with insights, after a refusal, or on the AI fallback:
-- src/ai/blog-results.ts) or getting new insights while in another state. A blog re-scraped while it waited for
-- its analysis (analyzing → scraping) was not analyzed: no event.
CREATE FUNCTION igscout_webhook_blog_analyzed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND 'blog.analyzed' = ANY (events)) THEN
    RETURN NULL;
  END IF;
  PERFORM igscout_webhook_emit('blog.analyzed', jsonb_build_object(
    'blog_id', NEW.id,
    'username', NEW.username,
    'scrape_status', NEW.scrape_status,
    'status_reason', NEW.status_reason,
    'analyzed', NEW.ai_analyzed_at IS DISTINCT FROM OLD.ai_analyzed_at,
    'ai_analyzed_at', NEW.ai_analyzed_at,
    'ai_confidence', NEW.ai_confidence,
    'ai_insights', NEW.ai_insights));
  RETURN NULL;
END $$;

CREATE TRIGGER blogs_webhooks
  AFTER UPDATE OF scrape_status, ai_analyzed_at ON blogs
  FOR EACH ROW
  WHEN ((OLD.scrape_status = 'analyzing' AND NEW.scrape_status = 'active')
        OR (NEW.ai_analyzed_at IS DISTINCT FROM OLD.ai_analyzed_at AND NEW.ai_analyzed_at IS NOT NULL))
  EXECUTE FUNCTION igscout_webhook_blog_analyzed();

-- followers.completed: a followers or following list fetch ending (read to its end, cut at max, or abandoned).
CREATE FUNCTION igscout_webhook_list_done() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND 'followers.completed' = ANY (events)) THEN
    RETURN NULL;
  END IF;
  PERFORM igscout_webhook_emit('followers.completed', jsonb_build_object(
    'blog_id', NEW.blog_id,
    'username', (SELECT username FROM blogs WHERE id = NEW.blog_id),
    'kind', NEW.kind,
    'task_id', NEW.task_id,
    'fetched', NEW.fetched,
    'expected', NEW.expected,
    'complete', NEW.complete,
    'completed_at', NEW.completed_at));
  RETURN NULL;
END $$;

CREATE TRIGGER audience_lists_webhooks_insert
  AFTER INSERT ON audience_lists
  FOR EACH ROW
  WHEN (NEW.status = 'done')
  EXECUTE FUNCTION igscout_webhook_list_done();

CREATE TRIGGER audience_lists_webhooks_update
  AFTER UPDATE ON audience_lists
  FOR EACH ROW
  WHEN (NEW.status = 'done' AND (OLD.status <> 'done' OR OLD.task_id IS DISTINCT FROM NEW.task_id))
  EXECUTE FUNCTION igscout_webhook_list_done();
