import { z } from '@hono/zod-openapi';
import { TASK_STATUSES } from '../db/schema.js';
import { TASK_KINDS, TASK_TYPES } from '../queue/task.js';

/**
 * Input and output schemas of the API. The same definitions validate requests and generate /openapi.json.
 */

/**
 * An integer query parameter. z.coerce hides the bounds and the default from the OpenAPI generator, so they are
 * written into the document here, from the same numbers the validator enforces.
 */
export function queryInt(bounds: { min: number; max: number; default: number }, description?: string) {
  return z.coerce
    .number()
    .int()
    .min(bounds.min)
    .max(bounds.max)
    .default(bounds.default)
    .openapi({
      type: 'integer',
      minimum: bounds.min,
      maximum: bounds.max,
      default: bounds.default,
      ...(description ? { description } : {}),
    });
}

/** `limit` (1 to `limit.max`) and `offset` (0 to `maxOffset`) of a list route. */
/**
 * The page envelope of every list response: `items`, the `limit` and `offset` asked for, and `has_more`; `extra`
 * adds fields of that list (a keyset cursor, the state of the lists a relation was computed from).
 */
export function pageOf<T extends z.ZodType, E extends z.ZodRawShape = Record<never, never>>(item: T, name: string, extra?: E) {
  return z
    .object({ ...(extra ?? ({} as E)), items: z.array(item), limit: z.number().int(), offset: z.number().int(), has_more: z.boolean() })
    .openapi(name);
}

export function paging(limit: { max: number; default: number }, maxOffset = 100_000, offsetDescription?: string) {
  return {
    limit: queryInt({ min: 1, ...limit }),
    offset: queryInt({ min: 0, max: maxOffset, default: 0 }, offsetDescription),
  };
}

/** Instagram's rules: 1–30 of a-z 0-9 . _, no leading/trailing dot, no two dots in a row. Case-insensitive. */
const USERNAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[a-z0-9._]{1,30}$/;

export const Username = z
  .string()
  .trim()
  .transform((value) => value.replace(/^@/, '').toLowerCase())
  .refine((value) => USERNAME.test(value), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a valid Instagram username (1–30 letters, digits, "." or "_"; no leading, trailing or double ".")`,
  })
  .openapi({ type: 'string', example: 'natgeo', description: 'Instagram username; a leading @ and upper case are accepted' });

export const Hashtag = z
  .string()
  .trim()
  .transform((value) => value.replace(/^#/, '').toLowerCase())
  .refine((value) => /^[\p{L}\p{N}_]{1,100}$/u.test(value), {
    error: (issue) => `${JSON.stringify(issue.input)} is not a valid hashtag (letters, digits and "_", at most 100)`,
  })
  .openapi({ type: 'string', example: 'almatyfood', description: 'Hashtag, with or without the leading #' });

/**
 * Free text from a query string that goes into SQL as a value. Postgres text cannot hold NUL: `?q=%00` made it
 * answer "invalid byte sequence" and the API a 500. No search term or name needs a control character, so they are
 * refused with a message instead.
 */
export const withoutControlCharacters = <T extends z.ZodType<string>>(schema: T) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point of this check
  schema.refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: 'must not contain control characters' });

export const MAX_USERNAMES_PER_REQUEST = 1000;

export const ScrapeBody = z
  .strictObject({
    usernames: z
      .array(Username)
      .min(1, 'give at least one username')
      .max(MAX_USERNAMES_PER_REQUEST, `at most ${MAX_USERNAMES_PER_REQUEST} usernames per request`),
    priority: z
      .number()
      .int()
      .min(1)
      .max(3)
      .default(TASK_KINDS.full_scrape.priorities.manual)
      .openapi({ description: 'Manual scrapes run at 1–3 (1 most urgent)' }),
  })
  .openapi('ScrapeRequest');

export const DiscoverBody = z
  .strictObject({
    hashtag: Hashtag,
    priority: z.number().int().min(1).max(10).default(TASK_KINDS.discover.priorities.manual),
  })
  .openapi('DiscoverRequest');

/** A row id given as text (path or query): a positive safe integer, each refusal naming `what`. */
export function positiveInt(what: string) {
  return z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .positive(`${what} must be positive`)
    .max(Number.MAX_SAFE_INTEGER, `${what} is too large`)
    .openapi({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
}

/** `{id}` in a route's path, e.g. idParam('task', 42) for /api/tasks/{id}. */
export function idParam(what: string, example: number) {
  return z.object({ id: positiveInt(`${what} id`).openapi({ param: { name: 'id', in: 'path' }, example }) });
}

export const TaskIdParam = idParam('task', 42);

export const TaskListQuery = z.strictObject({
  status: z.enum(TASK_STATUSES).optional(),
  task_type: z.enum(TASK_TYPES).optional(),
  ...paging({ max: 500, default: 50 }),
});

export const TaskSchema = z
  .object({
    id: z.number().int(),
    task_type: z.string(),
    status: z.enum(TASK_STATUSES),
    priority: z.number().int(),
    blog_id: z.number().int().nullable(),
    payload: z.record(z.string(), z.unknown()),
    progress: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'Checkpoint of long work (cursor, counts)' }),
    result: z.record(z.string(), z.unknown()).nullable(),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    error_message: z.string().nullable().openapi({ description: 'The last error, kept after success for inspection' }),
    waiting_reason: z
      .string()
      .nullable()
      .openapi({ description: 'While pending: why it has not run yet (no Instagram account usable, …); null otherwise' }),
    last_error_at: z.string().nullable(),
    run_at: z.string().openapi({ description: 'When the task is due (now, or its next retry)' }),
    lease: z.object({ holder: z.string(), until: z.string() }).nullable(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Task');

export const TaskListSchema = pageOf(TaskSchema, 'TaskList');

export const EnqueuedSchema = z
  .object({
    tasks: z.array(TaskSchema),
    created: z.number().int().openapi({ description: 'Tasks created by this request' }),
    existing: z.number().int().openapi({ description: 'Live tasks returned instead of duplicates' }),
  })
  .openapi('Enqueued');
