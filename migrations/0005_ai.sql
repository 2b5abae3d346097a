-- AI analysis through the OpenAI Batch API (SPEC §7): one row per OpenAI batch, one item per blog in it, and the
-- seed list of topic categories the model chooses from.

-- One OpenAI batch (one input file). `building` rows are being uploaded by the process holding the lease; a row is
-- open until `processed_at` is set, after which its results are applied and it is never touched again.
CREATE TABLE ai_batches (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  openai_batch_id  text UNIQUE,
  -- Random tag sent as the batch's metadata: a process taking over a dead build finds its batch by it.
  tag              text NOT NULL,
  status           text NOT NULL DEFAULT 'building'
                   CHECK (status IN ('building', 'validating', 'in_progress', 'finalizing', 'cancelling',
                                     'completed', 'expired', 'failed', 'cancelled', 'submit_failed', 'abandoned')),
  model            text NOT NULL,
  -- The category names offered in this batch's schema: results are validated against exactly what was asked.
  categories       text[] NOT NULL DEFAULT '{}',
  input_file_id    text,
  output_file_id   text,
  error_file_id    text,
  request_count    integer NOT NULL DEFAULT 0,
  input_bytes      bigint NOT NULL DEFAULT 0,
  -- Outcomes once processed: ok, refused, invalid (unparseable / not the schema), error (error-file line),
  -- missing (no result: expired, cancelled, failed batch).
  ok_count         integer NOT NULL DEFAULT 0,
  refused_count    integer NOT NULL DEFAULT 0,
  invalid_count    integer NOT NULL DEFAULT 0,
  error_count      integer NOT NULL DEFAULT 0,
  missing_count    integer NOT NULL DEFAULT 0,
  -- Token usage summed from the output lines (the cost of the batch).
  input_tokens     bigint NOT NULL DEFAULT 0,
  output_tokens    bigint NOT NULL DEFAULT 0,
  total_tokens     bigint NOT NULL DEFAULT 0,
  error            text,
  locked_by        text,               -- process building or processing it
  locked_until     timestamptz,
  submitted_at     timestamptz,
  last_polled_at   timestamptz,
  finished_at      timestamptz,        -- OpenAI reached a final status
  cancel_requested_at timestamptz,
  processed_at     timestamptz,        -- results applied: closed
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ai_batches_open ON ai_batches (last_polled_at NULLS FIRST, id) WHERE processed_at IS NULL;
CREATE INDEX ai_batches_created ON ai_batches (created_at DESC);

-- One request line of a batch: custom_id = the blog's id. `outcome` is set once, in the same transaction that
-- applies the result, so a line is applied at most once however many processes read the output file.
CREATE TABLE ai_batch_items (
  batch_id       bigint NOT NULL REFERENCES ai_batches (id) ON DELETE CASCADE,
  custom_id      text NOT NULL,
  task_id        bigint NOT NULL REFERENCES scrape_tasks (id) ON DELETE CASCADE,
  blog_id        bigint NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  outcome        text CHECK (outcome IN ('ok', 'refused', 'invalid', 'error', 'missing')),
  detail         text,
  input_tokens   integer,
  output_tokens  integer,
  applied_at     timestamptz,
  PRIMARY KEY (batch_id, custom_id)
);
CREATE INDEX ai_batch_items_task ON ai_batch_items (task_id);
CREATE INDEX ai_batch_items_blog ON ai_batch_items (blog_id);

-- ai_analysis tasks waiting to be batched are found by this (the generic claim index orders by priority first).
CREATE INDEX scrape_tasks_ai_pending ON scrape_tasks (run_at, id) WHERE status = 'pending' AND task_type = 'ai_analysis';

-- Topics of the Russian/Kazakh-speaking creator market, named in English; editable through /api/categories.
INSERT INTO categories (name) VALUES
  ('beauty'), ('fashion'), ('food'), ('travel'), ('family & kids'), ('fitness'), ('health'), ('lifestyle'),
  ('humor'), ('education'), ('business'), ('finance'), ('tech'), ('auto'), ('home & interior'), ('pets'),
  ('music'), ('art'), ('photography'), ('gaming'), ('sports'), ('esoterics'), ('religion'), ('wedding')
ON CONFLICT (name) DO NOTHING;
