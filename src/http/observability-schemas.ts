import { z } from '@hono/zod-openapi';
import type { ActivityKind } from '../db/schema.js';
import { AiStatsSchema } from './schemas-ai.js';
import { pageOf, paging, positiveInt, withoutControlCharacters } from './schemas.js';
import { UNUSABLE_REASON_CODES } from '../observability/unusable.js';

/** Schemas of /api/logs, /api/stats and the accounts section of /api/health; they also generate /openapi.json. */

export const ACTIVITY_KINDS = ['request', 'login', 'status', 'proxy_check', 'validation'] as const satisfies readonly ActivityKind[];

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

/** A time in a query: a date (UTC midnight) or a date-time with its zone, because a zoneless time is ambiguous. */
const IsoTime = z
  .string()
  .trim()
  .refine((value) => ISO_8601.test(value) && !Number.isNaN(Date.parse(value)), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an ISO 8601 date or date-time with a zone (e.g. 2024-05-01 or 2024-05-01T12:00:00Z)`,
  })
  .transform((value) => new Date(value))
  .openapi({ type: 'string', format: 'date-time', example: '2024-05-01T12:00:00Z' });

/** A cursor that may be 0: "after nothing", the start of the log. */
const afterId = z.coerce
  .number({ error: 'after_id must be a number' })
  .int('after_id must be a whole number')
  .min(0, 'after_id must be 0 or more')
  .max(Number.MAX_SAFE_INTEGER, 'after_id is too large')
  .openapi({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const LogListQuery = z
  .strictObject({
    account: withoutControlCharacters(z.string().trim().min(1, 'give an account id or username').max(64))
      .optional()
      .openapi({ description: 'Account id or username', example: 'scout.kz.01' }),
    outcome: z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,50}$/, 'is a lower-case word such as ok, rate_limited, challenge, login_required')
      .optional()
      .openapi({ example: 'rate_limited' }),
    kind: z.enum(ACTIVITY_KINDS).optional(),
    task_id: positiveInt('task_id').optional(),
    since: IsoTime.optional().openapi({ description: 'Rows at or after this time' }),
    until: IsoTime.optional().openapi({ description: 'Rows before this time' }),
    before_id: positiveInt('before_id')
      .optional()
      .openapi({ description: "Rows older than this id: pass the previous page's next_before_id (cheap at any depth)" }),
    after_id: afterId.optional().openapi({
      description:
        "Rows newer than this id, OLDEST first (for following the log: pass the previous answer's next_after_id; 0 = from the start). " +
        'Not together with before_id',
    }),
    ...paging({ max: 500, default: 100 }, 10_000, 'For shallow jumps; page deeper with before_id'),
  })
  .refine((q) => !q.since || !q.until || q.since < q.until, { path: ['until'], error: 'must be later than since' })
  .refine((q) => q.before_id === undefined || q.after_id === undefined, {
    path: ['after_id'],
    error: 'give before_id (older rows, newest first) or after_id (newer rows, oldest first), not both',
  });

export const LogEntrySchema = z
  .object({
    id: z.number().int(),
    created_at: z.string(),
    kind: z.enum(ACTIVITY_KINDS),
    action: z.string().openapi({ description: 'Instagram endpoint or event name' }),
    outcome: z.string().openapi({ example: 'ok' }),
    http_status: z.number().int().nullable(),
    duration_ms: z.number().int().nullable(),
    error: z.string().nullable(),
    task_id: z.number().int().nullable(),
    account: z.object({ id: z.number().int(), username: z.string().nullable() }).nullable(),
    proxy: z
      .object({ id: z.number().int(), label: z.string().nullable() })
      .nullable()
      .openapi({ description: 'Label only: scheme://host:port, never credentials' }),
  })
  .openapi('LogEntry');

export const LogListSchema = pageOf(LogEntrySchema, 'LogList', {
  next_before_id: z
    .number()
    .int()
    .nullable()
    .openapi({ description: 'Pass as before_id for the next page; null on the last one (and with after_id)' }),
  next_after_id: z.number().int().nullable().openapi({
    description:
      "With after_id: pass as after_id to go on (the last row's id, or the after_id given when no row is newer yet, so a follower polls with it); null without after_id",
  }),
});

const Counts = z.record(z.string(), z.number().int());
const Rate = z.number().nullable().openapi({ description: 'ok ÷ total, 0–1; null when there was nothing to count' });
const OutcomeCounts = z.object({ total: z.number().int(), by_outcome: Counts });

export const AccountStatsSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  status: z.string(),
  status_reason: z.string().nullable(),
  cooldown_until: z.string().nullable(),
  proxy: z.string().nullable().openapi({ description: 'Label of its proxy' }),
  in_warmup: z.boolean(),
  budget_per_window: z
    .number()
    .int()
    .openapi({ description: 'ACCOUNT_REQUESTS_PER_HOUR, or ACCOUNT_WARMUP_REQUESTS_PER_HOUR during warm-up' }),
  budget_left: z.number().int().openapi({ description: 'budget_per_window − requests_in_window (and within the daily cap), at least 0' }),
  requests_in_window: z.number().int().openapi({ description: 'Requests in the budget window (ACCOUNT_BUDGET_WINDOW_MS, 1 h by default)' }),
  requests_last_hour: z.number().int(),
  requests_last_24h: z.number().int(),
  ok_last_24h: z.number().int(),
  success_rate_24h: Rate,
  last_used_at: z.string().nullable(),
  unusable_reason: z
    .enum(UNUSABLE_REASON_CODES)
    .nullable()
    .openapi({
      description:
        'Why it cannot take work now, null when it can: its status (login_required, challenge, banned, proxy_error, disabled), ' +
        'cooldown, proxy_failed / proxy_disabled (its proxy), no_route (no proxy and ACCOUNT_DIRECT_CONNECTIONS forbids a direct ' +
        'connection), in_use (a task holds it), budget_spent (no request left in this window or day)',
    }),
});

export const ProxyStatsSchema = z.object({
  id: z.number().int(),
  label: z.string(),
  type: z.string(),
  status: z.string(),
  account: z.string().nullable().openapi({ description: 'Username of the account using it' }),
  consecutive_failures: z.number().int(),
  success_count: z.number().int(),
  failure_count: z.number().int(),
  success_rate: Rate,
  latency_ms: z.number().int().nullable(),
  last_check_at: z.string().nullable(),
  last_error: z.string().nullable(),
});

export const StatsSchema = z
  .object({
    generated_at: z.string(),
    budget: z.object({
      window_ms: z.number().int(),
      per_window: z.number().int(),
      warmup_per_window: z.number().int(),
      warmup_days: z.number().int(),
      daily_cap: z.number().int().openapi({ description: '0: none' }),
    }),
    accounts: z.object({ total: z.number().int(), by_status: Counts, items: z.array(AccountStatsSchema) }),
    proxies: z.object({ total: z.number().int(), by_status: Counts, items: z.array(ProxyStatsSchema) }),
    tasks: z.object({
      by_status: Counts,
      by_type: z.record(z.string(), Counts).openapi({ description: 'task type → status → count (statuses with tasks only)' }),
    }),
    requests: z.object({
      last_hour: OutcomeCounts.openapi({ description: 'Instagram requests of the last hour by outcome' }),
      last_24h: OutcomeCounts,
    }),
    ai: AiStatsSchema.openapi({ description: 'OpenAI batches: cost (requests, bytes, tokens), outcomes, the ai_analysis queue' }),
  })
  .openapi('Stats');

export const MAX_USABLE_USERNAMES = 50;

export const AccountHealthSchema = z
  .object({
    total: z.number().int(),
    by_status: Counts,
    usable: z.number().int().openapi({
      description: 'Accounts that can take work: active, or cooldown already over; proxy not failed (or none)',
    }),
    usable_usernames: z.array(z.string()).openapi({ description: `At most ${MAX_USABLE_USERNAMES}, least recently used first` }),
    unusable: Counts.openapi({
      description: 'The others by why they cannot take work (as unusable_reason in /api/stats, without in_use and budget_spent)',
    }),
  })
  .openapi('AccountHealth');
