-- The Instagram account pool (SPEC §5): proxies, accounts, and the activity log that doubles as the request
-- budget's ledger. Secrets (passwords, session state, proxy URLs with credentials) are stored encrypted
-- (AES-256-GCM, see src/crypto/secret-box.ts) and never selected into API responses.

CREATE TABLE proxies (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url_encrypted        text NOT NULL,              -- scheme://user:pass@host:port, encrypted
  label                text NOT NULL,              -- scheme://host:port, no credentials: safe to show and log
  type                 text NOT NULL CHECK (type IN ('http', 'socks5')),
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failed', 'disabled')),
  consecutive_failures integer NOT NULL DEFAULT 0,
  success_count        bigint NOT NULL DEFAULT 0,
  failure_count        bigint NOT NULL DEFAULT 0,
  latency_ms           integer,                    -- of the last successful check
  last_check_at        timestamptz,
  last_error           text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (label)
);

CREATE TABLE ig_accounts (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username           text NOT NULL UNIQUE,
  password_encrypted text NOT NULL,
  session_encrypted  text,                         -- ig.state.serialize() without constants, encrypted
  device_seed        text NOT NULL,                -- stable per account: the same phone across restarts
  proxy_id           bigint UNIQUE REFERENCES proxies (id) ON DELETE SET NULL,  -- one account = one proxy
  status             text NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'cooldown', 'login_required', 'challenge', 'banned', 'proxy_error', 'disabled')),
  status_reason      text,
  status_changed_at  timestamptz NOT NULL DEFAULT now(),
  cooldown_until     timestamptz,
  challenge_count    integer NOT NULL DEFAULT 0,   -- challenges since the last clean hour of work
  leased_by          text,                         -- who uses the account right now (worker + task)
  leased_until       timestamptz,
  last_request_at    timestamptz,                  -- for the 2–5 s pause between two requests
  last_used_at       timestamptz,                  -- least recently used first
  last_login_at      timestamptz,
  last_validated_at  timestamptz,
  warmup_started_at  timestamptz NOT NULL DEFAULT now(),
  requests_total     bigint NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((leased_by IS NULL) = (leased_until IS NULL))
);
CREATE INDEX ig_accounts_pickable ON ig_accounts (last_used_at NULLS FIRST, id) WHERE status IN ('active', 'cooldown');

-- One row per Instagram call and per account event. The request rows are also the budget's ledger:
-- "requests in the last hour" is a count over (account_id, created_at).
CREATE TABLE activity_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id   bigint REFERENCES ig_accounts (id) ON DELETE SET NULL,
  proxy_id     bigint REFERENCES proxies (id) ON DELETE SET NULL,
  task_id      bigint,                              -- no FK: tasks are pruned independently
  kind         text NOT NULL CHECK (kind IN ('request', 'login', 'status', 'proxy_check', 'validation')),
  action       text NOT NULL,                       -- endpoint or event name
  outcome      text NOT NULL,                       -- ok, rate_limited, challenge, login_required, not_found, ...
  http_status  integer,
  duration_ms  integer,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_log_account_time ON activity_log (account_id, created_at) WHERE kind = 'request';
CREATE INDEX activity_log_time ON activity_log (created_at);
CREATE INDEX activity_log_outcome_time ON activity_log (outcome, created_at);
