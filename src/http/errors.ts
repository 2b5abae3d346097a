import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';
import { AccountStoreError } from '../accounts/store-errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { Logger } from '../logger.js';

/** The one error shape of the API: `{ "error": { "code", "message", "details"? } }`. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'bad_request' }),
      message: z.string().openapi({ example: 'usernames.3: "bad..name" is not a valid Instagram username' }),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export type ErrorBody = z.infer<typeof ErrorSchema>;

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
  500: 'internal',
  503: 'unavailable',
};

/** An expected failure a handler raises on purpose; it becomes a 4xx in the error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

const STATUS_OF_STORE_ERROR = { invalid: 400, not_found: 404, conflict: 409 } as const satisfies Record<
  AccountStoreError['kind'],
  ContentfulStatusCode
>;

/**
 * Every expected failure, mapped to its answer in one place: an ApiError as it is, a store's refusal (invalid /
 * not_found / conflict) to 400 / 404 / 409. A new kind of expected error gets its line here, not a try/catch in
 * each route. Undefined: not expected, a 5xx.
 */
export function expectedError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof AccountStoreError) return new ApiError(STATUS_OF_STORE_ERROR[error.kind], error.message);
  return undefined;
}

export function errorBody(status: number, message: string, details?: ErrorBody['error']['details']): ErrorBody {
  return { error: { code: CODES[status] ?? 'error', message, ...(details?.length ? { details } : {}) } };
}

/** zod issues → one readable message naming each bad field, plus the list. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  where: string,
): { message: string; details: { path: string; message: string }[] } {
  const details = issues.map((issue) => ({ path: issue.path.join('.') || where, message: issueMessage(issue) }));
  const shown = details.slice(0, 5).map((d) => `${d.path}: ${d.message}`);
  const more = details.length > 5 ? ` (and ${details.length - 5} more)` : '';
  return { message: `invalid ${where}: ${shown.join('; ')}${more}`, details };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

/** Used by every route's validator: a failed parse is a 400 in the one error shape. */
export function validationHook(result: { success: boolean; error?: unknown; target?: string }, c: Context) {
  if (result.success) return;
  const { message, details } = describeIssues((result.error as z.ZodError).issues, result.target ?? 'request');
  return c.json(errorBody(400, message, details), 400);
}

export function handleError(error: Error, c: Context, logger: Logger, options: { retryAfterSeconds: number }): Response {
  const expected = expectedError(error);
  if (expected) return c.json(errorBody(expected.status, expected.message, expected.details), expected.status);
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = httpExceptionMessage(status, error.message);
    return c.json(errorBody(status, message), status);
  }
  if (isDatabaseUnavailable(error)) {
    // Nothing the caller did wrong and nothing lost: the database is down or restarting (readiness says so too).
    logger.warn({ err: error, method: c.req.method, path: c.req.path }, 'request refused: database unreachable');
    c.header('Retry-After', String(options.retryAfterSeconds));
    return c.json(errorBody(503, 'the database is unreachable right now; nothing was changed, try again shortly'), 503);
  }
  logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error in request');
  return c.json(errorBody(500, 'internal error; the details are in the server log'), 500);
}

/** Hono's own refusals (malformed JSON, wrong content type) in words that tell the caller what to change. */
function httpExceptionMessage(status: number, message: string): string {
  if (status === 400 && /JSON/i.test(message)) return 'request body is not valid JSON';
  if (status === 415) return 'send the request body as JSON with "Content-Type: application/json"';
  return message || 'request refused';
}
