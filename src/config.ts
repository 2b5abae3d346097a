import { Cron } from 'croner';
import { z } from 'zod';
import { DEFAULT_AI_PRICES } from './ai/prices.js';
import { DEFAULT_ER_BANDS } from './results/er-bands.js';

/** Ad hashtags (lower case, without #) by default: English, Russian and Kazakh disclosure tags (AD_HASHTAGS). */
export const DEFAULT_AD_HASHTAGS = [
  'ad',
  'ads',
  'advert',
  'advertisement',
  'sponsored',
  'sponsor',
  'paidpartnership',
  'partner',
  'partnership',
  'реклама',
  'спонсор',
  'партнер',
  'партнёр',
  'жарнама',
] as const;

/**
 * Every setting of the daemon, read once from the environment at start. Each duration, limit and threshold of
 * SPEC.md is here with the SPEC's default, so tests and the emulator demo can compress time.
 */
const seconds = (n: number) => n * 1000;
const minutes = (n: number) => n * 60_000;

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(def);

/** A cron pattern (UTC, 5 fields or 6 with seconds), checked with croner itself so a bad one stops the start. */
const cronPattern = (def: string) =>
  z
    .string()
    .default(def)
    .superRefine((pattern, ctx) => {
      try {
        new Cron(pattern, { paused: true, timezone: 'UTC' }).stop();
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `not a cron pattern ("${pattern}"): ${(error as Error).message}; e.g. "0 2 * * 1" for Mondays at 02:00 UTC`,
        });
      }
    });

/** Hashtags, comma- or space-separated, a leading # allowed: each letters, digits and _ only. */
const hashtagList = z
  .string()
  .default('')
  .superRefine((text, ctx) => {
    const invalid = text
      .split(/[\s,]+/)
      .map((t) => t.replace(/^#/, '').trim())
      .filter((t) => t.length > 0 && !/^[\p{L}\p{N}_]{1,100}$/u.test(t));
    if (invalid.length > 0) ctx.addIssue({ code: 'custom', message: `not valid hashtags: ${invalid.join(', ')}` });
  });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const configSchema = z
  .object({
    SCRAPER_API_KEY: optionalString.pipe(
      z.string().min(24, 'must be at least 24 characters (generate one with: openssl rand -hex 32)').optional(),
    ),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    PORT: int(8001, 0, 65535),
    HOST: z.string().default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./.data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    DB_POOL_MAX: int(10, 2, 200),
    DB_QUEUE_POOL_MAX: int(3, 1, 50),
    /** Runs of a transaction that Postgres aborted for a deadlock or serialization failure, the first included. */
    DB_CONFLICT_ATTEMPTS: int(3, 1, 50),
    /** Upper bound of the random pause before such a transaction runs again (times the attempt number). */
    DB_CONFLICT_BACKOFF_MS: int(10, 0, seconds(10)),
    EMBEDDED_PG_PORT: int(0, 0, 65535),
    /** How often the daemon checks that the embedded Postgres it runs is alive (a signal-0 probe, no query). */
    EMBEDDED_PG_CHECK_INTERVAL_MS: int(1000, 50, minutes(5)),
    /** First wait between failed restarts of the embedded Postgres; doubles per failure up to the maximum. */
    EMBEDDED_PG_RESTART_BACKOFF_MS: int(500, 10, minutes(5)),
    EMBEDDED_PG_RESTART_BACKOFF_MAX_MS: int(seconds(10), 10, minutes(30)),
    /** Failed restarts in a row after which liveness (/api/health/live) answers 503, so an orchestrator restarts us. */
    EMBEDDED_PG_RESTART_ATTEMPTS: int(5, 1, 1000),
    WORKER_CONCURRENCY: int(2, 0, 256),
    QUEUE_POLL_INTERVAL_MS: int(seconds(5), 10),
    QUEUE_STATEMENTS_IN_FLIGHT: int(2, 1, 49),
    /** Account-free tasks claimed ahead of free slots; unset: WORKER_CONCURRENCY + 1 (src/tasks/wiring.ts claimAheadOf). */
    QUEUE_CLAIM_AHEAD: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(1024, 'must be at most 1024')
      .optional(),
    TASK_LEASE_MS: int(seconds(60), 1000),
    TASK_MAX_ATTEMPTS: int(3, 1, 100),
    TASK_RETRY_BASE_MS: int(minutes(5), 0),
    TASK_RETRY_FACTOR: int(3, 1, 100),
    SHUTDOWN_GRACE_MS: int(seconds(25), 0),
    HTTP_BODY_LIMIT_BYTES: int(1_000_000, 1024),
    HTTP_RETRY_AFTER_SECONDS: int(5, 1),
    HEALTH_SETTLED_COUNTS_TTL_MS: int(seconds(30), 0),
    HEALTH_COUNTS_TTL_MS: int(seconds(1), 0),
    /** Time a client has to send its request line and headers; slower ones are answered 408 and closed. */
    HTTP_HEADERS_TIMEOUT_MS: int(seconds(20), 1000, seconds(120)),
    /** Open HTTP connections at most; more are closed at once (a flood cannot hold the daemon's sockets). */
    HTTP_MAX_CONNECTIONS: int(1024, 1, 1_000_000),
    /** How long a connection the server closes (after an early 413) keeps reading what the client still sends. */
    HTTP_LINGER_MS: int(seconds(10), 0, minutes(5)),
    /** How long a console sign-in (the /ui session cookie) lasts. */
    CONSOLE_SESSION_TTL_MS: int(minutes(12 * 60), seconds(60)),
    /** How often the console's live parts (tasks, accounts, overview) refresh in the browser. */
    CONSOLE_REFRESH_MS: int(seconds(2), 250, minutes(10)),
    /** Tasks one bulk cancel or retry in the console acts on at most (the oldest of the filter first). */
    CONSOLE_BULK_MAX: int(1000, 1, 100_000),
    /** Log lines the daemon keeps in memory for the live tail (GET /api/logs/stream, the console's Logs page). */
    LOG_TAIL_LINES: int(2000, 1, 1_000_000),
    /** How often a live tail looks for new activity rows (Instagram calls, logins, status changes). */
    LOG_STREAM_POLL_MS: int(500, 50, minutes(1)),
    /** A comment line this often keeps a quiet live tail open through proxies. */
    LOG_STREAM_HEARTBEAT_MS: int(seconds(15), 1000, minutes(10)),

    // --- Instagram account pool (SPEC §5) ---
    /** 32 bytes, hex or base64; zero-setup generates DATA_DIR/encryption-key; required with DATABASE_URL. */
    ENCRYPTION_KEY: optionalString,
    /** Accounts to import at start (Compose): `username:password` lines, optionally `:proxy-url`; or @/path/to/file. */
    IG_ACCOUNTS: optionalString,
    /** Proxies to import at start: one per line (`scheme://user:pass@host:port`, `host:port`, `host:port:user:pass`); or @file. */
    IG_PROXIES: optionalString,
    ACCOUNT_REQUESTS_PER_HOUR: int(30, 1, 10_000),
    /** The "hour" of the budget; shorter in tests and the demo to simulate a day in seconds. */
    ACCOUNT_BUDGET_WINDOW_MS: int(minutes(60), 1000),
    ACCOUNT_DAILY_CAP: int(0, 0, 1_000_000),
    ACCOUNT_WARMUP_DAYS: int(3, 0, 365),
    ACCOUNT_WARMUP_REQUESTS_PER_HOUR: int(10, 1, 10_000),
    ACCOUNT_REQUEST_DELAY_MIN_MS: int(seconds(2), 0),
    ACCOUNT_REQUEST_DELAY_MAX_MS: int(seconds(5), 0),
    ACCOUNT_LEASE_MS: int(seconds(60), 1000),
    /**
     * How long a run that finds every usable account leased waits for one to be released (or to leave its cooldown
     * or spent budget) before it defers. Processes woken by one release plan against the same free account; the runs
     * that lose the race wait here instead of handing their task back (0: defer at once).
     */
    ACCOUNT_WAIT_MS: int(seconds(5), 0, minutes(10)),
    ACCOUNT_TRIES_PER_REQUEST: int(3, 1, 20),
    COOLDOWN_RATE_LIMIT_MS: int(minutes(45), 0),
    COOLDOWN_CHALLENGE_MS: int(minutes(90), 0),
    COOLDOWN_FEEDBACK_MS: int(minutes(6 * 60), 0),
    CHALLENGES_BEFORE_HUMAN: int(2, 1, 100),
    PROXY_FAILURES_BEFORE_FAILED: int(3, 1, 100),
    /**
     * The Instagram Android app version the clients announce (User-Agent and headers). instagram-private-api 1.46.1
     * ships 222.0.0.13.114 (2022); Instagram answers an app it considers out of date with 400 needs_upgrade, which
     * parks every account with a critical alert until this is set to a current release and the accounts activated.
     */
    IG_APP_VERSION: z
      .string()
      .regex(/^\d+(\.\d+){3,4}$/, 'must look like 269.0.0.18.75')
      .default('269.0.0.18.75'),
    IG_APP_VERSION_CODE: z
      .string()
      .regex(/^\d{6,12}$/, 'must be the numeric version code, e.g. 314665256')
      .default('314665256'),
    /**
     * Accounts without a proxy send Instagram the server's own address: `auto` uses them only while no proxy is
     * configured at all, `allow` always, `deny` never.
     */
    ACCOUNT_DIRECT_CONNECTIONS: z.enum(['auto', 'allow', 'deny']).default('auto'),
    /** First cooldown of an account whose own route fails (no proxy and no way out, DNS, refused); doubles each time. */
    COOLDOWN_ROUTE_FAILURE_MS: int(60_000, 0),
    COOLDOWN_ROUTE_FAILURE_MAX_MS: int(minutes(60), 0),
    PROXY_CHECK_TIMEOUT_MS: int(seconds(10), 100),
    SESSION_VALIDATE_INTERVAL_MS: int(minutes(30), 1000),
    INSTAGRAM_REQUEST_TIMEOUT_MS: int(seconds(30), 100),

    // --- AI analysis through the OpenAI Batch API (SPEC §7) ---
    /** Without it AI analysis is off: ai_analysis tasks wait (pending) until a key is configured. */
    OPENAI_API_KEY: optionalString,
    /** The API's base URL, as the openai SDK reads it (e.g. the emulator's `http://127.0.0.1:PORT/v1`). */
    OPENAI_BASE_URL: optionalString.pipe(z.url('must be an http(s) URL').optional()),
    AI_MODEL: z.string().trim().min(1).default('gpt-5-nano'),
    /** A batch is built when this many ai_analysis tasks are pending… */
    AI_BATCH_MIN_TASKS: int(10, 1, 50_000),
    /** …or when the oldest has waited this long. */
    AI_BATCH_MAX_WAIT_MS: int(minutes(120), 0),
    /** How often the pending count is checked (cheap: one indexed query). */
    AI_BATCH_CHECK_INTERVAL_MS: int(seconds(60), 100),
    /** At most this many tasks are claimed per build (bounds memory; the rest go in the next one). */
    AI_BATCH_MAX_TASKS: int(5_000, 1, 50_000),
    AI_POLL_INTERVAL_MS: int(minutes(15), 100),
    /** Batches still open after this long are cancelled and their tasks retried. */
    AI_BATCH_STALE_MS: int(minutes(26 * 60), 1000),
    AI_STALE_CHECK_INTERVAL_MS: int(minutes(120), 100),
    /** Images per request: the avatar and up to AI_MAX_IMAGES − 1 post thumbnails, at detail "low". */
    AI_MAX_IMAGES: int(10, 0, 50),
    /**
     * The size assumed for an image whose link does not say it (Instagram's links carry it: `…_s320x400`, `/s150x150/`),
     * for counting its tokens (src/ai/tokens.ts): the GPT-5 mini/nano family bills 32-px patches whatever `detail`
     * says. Default: the version the scraper keeps, the narrowest at least 320 px wide (src/scraping/parse.ts), 4:5.
     */
    AI_IMAGE_WIDTH_PX: int(320, 1, 4096),
    AI_IMAGE_HEIGHT_PX: int(400, 1, 4096),
    /**
     * `reasoning_effort` of every request line to a reasoning model (gpt-5*, o-series; never sent to others, which
     * refuse it). `minimal`: the answer is extraction and classification from the material given, and each effort level
     * up multiplies the billed output (README, "AI cost"). `default` sends nothing (the model's own, medium).
     */
    AI_REASONING_EFFORT: z.enum(['default', 'none', 'minimal', 'low', 'medium', 'high']).default('minimal'),
    /** `max_completion_tokens` of every line: the answer (~300 tokens) plus reasoning; bounds a runaway answer's cost. */
    AI_MAX_COMPLETION_TOKENS: int(4_000, 16, 128_000),
    /**
     * Prices for the cost figures, JSON {"model":{"input":$,"output":$}} in $ per 1M tokens (Batch API), merged over
     * the defaults of src/ai/prices.ts.
     */
    AI_PRICES: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === '') return { ...DEFAULT_AI_PRICES };
        try {
          const price = z.object({ input: z.number().min(0), output: z.number().min(0) }).strict();
          return { ...DEFAULT_AI_PRICES, ...z.record(z.string().min(1), price).parse(JSON.parse(v)) };
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON {"model":{"input":<$ per 1M>,"output":<$ per 1M>}}' });
          return z.NEVER;
        }
      }),
    /** Per-file limits of the Batch API (50,000 requests, 200 MB); a build is split into several batches to fit. */
    AI_BATCH_MAX_REQUESTS_PER_FILE: int(50_000, 1, 50_000),
    AI_BATCH_MAX_FILE_BYTES: int(190 * 1024 * 1024, 10_000, 200 * 1024 * 1024),
    /**
     * OpenAI's enqueued-token limit for AI_MODEL in your organisation (see its limits page): open batches plus a new
     * one stay under it, each request counted by src/ai/tokens.ts (tokenizer + the model's image rule). 0 = no limit of ours; a batch OpenAI rejects
     * for its limit then costs no attempt, only a critical alert and a retry after AI_POLL_INTERVAL_MS.
     */
    AI_MAX_ENQUEUED_TOKENS: int(0, 0, 10_000_000_000),

    // --- Scraping (SPEC §6) ---
    /** Latest media a full_scrape fetches (feed order: pinned first). */
    SCRAPE_MEDIA_COUNT: int(20, 1, 200),
    /** Posts of a hashtag that discover reads per tab of tags/{tag}/sections. */
    DISCOVER_TOP_POSTS: int(50, 1, 500),
    /** Tabs of tags/{tag}/sections discover reads, in order: `top`, or `top,recent` for fresh posts too. */
    DISCOVER_TABS: z
      .string()
      .default('top')
      .transform((value) => [...new Set(value.split(/[\s,]+/).filter(Boolean))])
      .pipe(z.array(z.enum(['top', 'recent'], { message: 'each tab must be "top" or "recent"' })).min(1, 'name at least one tab')),
    DISCOVER_MIN_FOLLOWERS: int(1000, 0),
    DISCOVER_MIN_POSTS: int(5, 0),
    /** Accounts a followers task fetches at most when the request gives no max (a list may be millions long). */
    FOLLOWERS_MAX_DEFAULT: int(10_000, 1, 1_000_000),
    /** Rows an export reads per keyset query: memory held is one batch, whatever the export's size. */
    EXPORT_BATCH_SIZE: int(1000, 10, 50_000),
    /** Audience quality (issue 19): followers the quick tier reads when the request gives no sample (±5 points at 95 %). */
    AUDIENCE_SAMPLE_DEFAULT: int(400, 1, 10_000),
    /** The most profile lookups a deep-tier request may ask for (each is one Instagram request). */
    AUDIENCE_DEEP_BUDGET_MAX: int(1_000, 0, 10_000),
    /** Lookalikes (issue 19): the embedding model of the AI profile text, sent through the Batch API. */
    EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
    /** Reduced `dimensions` of the embeddings (text-embedding-3 keeps most of its quality shortened; 1536 is the full size). */
    EMBEDDING_DIMENSIONS: int(256, 8, 3072),
    /** Blogs per embeddings batch at most (the Batch API takes 50,000 lines). */
    EMBEDDING_BATCH_MAX: int(5_000, 1, 50_000),
    /** GET /api/blogs/{username}/similar: the nearest blogs of the database considered beside Instagram's list. */
    SIMILAR_DATABASE_CANDIDATES: int(50, 0, 1_000),
    /** Growth spikes: a day's gain above max(MULTIPLIER × 1.4826 × MAD of the last WINDOW gains, MIN_SHARE × followers). */
    GROWTH_SPIKE_MAD_MULTIPLIER: z.coerce.number().positive().default(5),
    GROWTH_SPIKE_MIN_SHARE: z.coerce.number().min(0).max(1).default(0.005),
    GROWTH_SPIKE_WINDOW_DAYS: int(30, 3, 365),
    /** Seesaw: following rises by ≥ max(50, 10 %) and falls back ≥ 80 % of the rise within this many days. */
    GROWTH_SEESAW_DAYS: int(7, 1, 90),
    /** ER bands per follower tier as JSON [{"min":1000,"low":1.72,"high":4.42},…]; default Modash's (src/results/er-bands.ts). */
    ER_BANDS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v.trim() === '') return [...DEFAULT_ER_BANDS];
        try {
          return z
            .array(z.object({ min: z.number().min(0), low: z.number().min(0), high: z.number().min(0) }))
            .min(1)
            .parse(JSON.parse(v));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {"min","low","high"} numbers' });
          return z.NEVER;
        }
      }),
    /** Caption hashtags that mark a post sponsored, comma-separated, without # (default: DEFAULT_AD_HASHTAGS above). */
    AD_HASHTAGS: z
      .string()
      .optional()
      .transform((v) =>
        v === undefined || v.trim() === ''
          ? [...DEFAULT_AD_HASHTAGS]
          : v
              .split(',')
              .map((t) => t.trim().replace(/^#/, '').toLowerCase())
              .filter(Boolean),
      ),

    // --- Scheduler (SPEC §8): cron patterns in UTC, 5 fields or 6 with seconds ---
    SCHEDULER_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    CRON_POLL_BATCHES: cronPattern('*/15 * * * *'),
    CRON_RECOVER_TASKS: cronPattern('*/10 * * * *'),
    CRON_RETRY_STALE_BATCHES: cronPattern('0 */2 * * *'),
    CRON_SCHEDULE_UPDATES: cronPattern('0 3 * * *'),
    CRON_DISCOVER_WEEKLY: cronPattern('0 2 * * 1'),
    CRON_VALIDATE_SESSIONS: cronPattern('*/30 * * * *'),
    CRON_CHECK_PROXIES: cronPattern('*/10 * * * *'),
    CRON_HOUSEKEEPING: cronPattern('17 4 * * *'),
    /** Blogs scraped longer ago than this are scraped again by schedule_updates (priority 8). */
    RESCRAPE_AFTER_DAYS: int(60, 1, 3650),
    /** schedule_updates refreshes the profile (1 request) of blogs whose newest snapshot is older: the daily growth series. 0 = off. */
    PROFILE_REFRESH_AFTER_HOURS: int(20, 0, 24 * 365),
    /** Hashtags for discover_weekly, comma- or space-separated (a leading # is fine). */
    DISCOVER_HASHTAGS: hashtagList,
    PRUNE_TASKS_AFTER_DAYS: int(30, 1, 3650),
    PRUNE_FAILED_TASKS_AFTER_DAYS: int(90, 1, 3650),
    PRUNE_ACTIVITY_AFTER_DAYS: int(30, 1, 3650),
    PRUNE_BATCH_SIZE: int(5000, 100, 1_000_000),

    // --- Instagram Graph API, the official source (issue 21; src/graph/). Off without app id, secret and redirect URL ---
    GRAPH_APP_ID: optionalString,
    GRAPH_APP_SECRET: optionalString,
    /** Where Facebook Login sends the browser back: this daemon's `/api/graph/callback`, as registered in the app. */
    GRAPH_REDIRECT_URL: optionalString.pipe(z.url('must be an http(s) URL').optional()),
    /** The Graph API with its version: v25.0 is the current one in 2026. */
    GRAPH_API_BASE_URL: z.url('must be an http(s) URL').default('https://graph.facebook.com/v25.0'),
    /** The Facebook Login dialog; by default www.facebook.com/<version>/dialog/oauth (or the same host as the API, for the emulator). */
    GRAPH_DIALOG_URL: optionalString.pipe(z.url('must be an http(s) URL').optional()),
    /** Permissions asked for in the dialog, comma-separated. */
    GRAPH_SCOPES: z.string().default('instagram_basic,instagram_manage_insights,pages_show_list,pages_read_engagement,business_management'),
    /** How long a dialog's `state` (CSRF) stays usable. */
    GRAPH_OAUTH_STATE_TTL_MS: int(minutes(15), seconds(10)),
    /** refresh_tokens refreshes a token once it expires within this many days (it must also be ≥ 24 h old). */
    GRAPH_TOKEN_REFRESH_WITHIN_DAYS: int(30, 1, 59),
    CRON_REFRESH_TOKENS: cronPattern('23 3 * * *'),
    /** graph_media_sync of every connected account (its media and insights), as snapshots. */
    CRON_GRAPH_MEDIA_SYNC: cronPattern('0 */6 * * *'),
    /** Usage (X-App-Usage / X-Business-Use-Case-Usage call_count, %) from which calls are spaced out… */
    GRAPH_USAGE_SLOWDOWN_PERCENT: int(75, 1, 100),
    /** …by up to this pause, growing linearly to it at GRAPH_USAGE_STOP_PERCENT. */
    GRAPH_USAGE_MAX_DELAY_MS: int(seconds(20), 0, minutes(10)),
    /** Usage at which a task stops calling and waits (deferred, no attempt spent). */
    GRAPH_USAGE_STOP_PERCENT: int(95, 1, 100),
    /** How long a throttled task waits when the answer does not say (estimated_time_to_regain_access). */
    GRAPH_THROTTLE_WAIT_MS: int(minutes(10), seconds(1)),
    /** Newest media of the connected account that graph_media_sync reads insights of. */
    GRAPH_MEDIA_SYNC_COUNT: int(50, 1, 500),
    GRAPH_REQUEST_TIMEOUT_MS: int(seconds(30), 100),

    // --- Alerts (SPEC §10) ---
    ALERT_WEBHOOK_URL: optionalString.pipe(z.url('must be an http(s) URL').optional()),
    ALERT_THROTTLE_MS: int(minutes(15), 0),

    // --- Outgoing webhooks (issue 18; src/webhooks/) ---
    /** Deliveries in flight at once per process. */
    WEBHOOK_CONCURRENCY: int(4, 1, 100),
    /** How often a deliverer looks for due deliveries when no NOTIFY woke it. */
    WEBHOOK_POLL_INTERVAL_MS: int(seconds(2), 10),
    /** A receiver that has not answered within this is a failed attempt. */
    WEBHOOK_TIMEOUT_MS: int(seconds(10), 100, minutes(5)),
    /** An attempt's lease: a deliverer killed mid-attempt leaves the delivery due again after this. */
    WEBHOOK_LEASE_MS: int(seconds(30), 200),
    /** Attempts per delivery before it is `failed` (then only a new event reaches the endpoint). */
    WEBHOOK_MAX_ATTEMPTS: int(8, 1, 100),
    /** Backoff after failed attempt n: base × factor^(n−1), at most WEBHOOK_RETRY_MAX_MS. */
    WEBHOOK_RETRY_BASE_MS: int(seconds(5), 10),
    WEBHOOK_RETRY_FACTOR: int(5, 1, 100),
    WEBHOOK_RETRY_MAX_MS: int(minutes(6 * 60), 10),
    /** After a rotation, the previous secrets still sign (a second signature) for this long. */
    WEBHOOK_SECRET_GRACE_MS: int(minutes(24 * 60), 0),
  })
  .superRefine((config, ctx) => {
    if (config.WEBHOOK_LEASE_MS <= config.WEBHOOK_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_LEASE_MS'],
        message: 'must be above WEBHOOK_TIMEOUT_MS (an attempt must end before its lease)',
      });
    }
    if (config.ACCOUNT_REQUEST_DELAY_MAX_MS < config.ACCOUNT_REQUEST_DELAY_MIN_MS) {
      ctx.addIssue({ code: 'custom', path: ['ACCOUNT_REQUEST_DELAY_MAX_MS'], message: 'must not be below ACCOUNT_REQUEST_DELAY_MIN_MS' });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; the error names each bad variable and what is wrong with it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PORT=` in an env file) means "use the default", as it does for most daemons.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}
