-- One row per tick of each cron job (SPEC §8). The primary key makes "each tick runs once in total, however many
-- processes run" a property of the schema: the first process to insert the tick runs it, the others see the row.
CREATE TABLE scheduler_runs (
  job          text NOT NULL,
  tick         timestamptz NOT NULL,        -- the scheduled time of the run, the same in every process
  run_by       text NOT NULL,               -- worker id of the process that took the tick
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'skipped')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  result       jsonb,
  error        text,
  PRIMARY KEY (job, tick)
);
CREATE INDEX scheduler_runs_running ON scheduler_runs (job) WHERE status = 'running';
CREATE INDEX scheduler_runs_started ON scheduler_runs (started_at);
