import { OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Enqueued } from '../../queue/enqueue.js';
import { ErrorSchema, expectedError, validationHook } from '../errors.js';
import { EnqueuedSchema } from '../schemas.js';
import { taskView } from '../views.js';

/**
 * The HTTP kit every route file is built from (ARCHITECTURE.md, "How to add… a route"): a router with the API's
 * validation hook, response and body helpers, the page envelope, the `enqueued` answer. Expected errors need no
 * code here: throw them (ApiError, a store's refusal) and src/http/errors.ts maps them, in one place.
 */

/** A router whose input validation answers 400 in the one error shape. Every route file starts with one. */
export const createRouter = () => new OpenAPIHono({ defaultHook: validationHook });

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
export const body = <T extends z.ZodType>(schema: T, description: string) => ({ body: { ...json(schema, description), required: true } });
export const security = [{ bearerAuth: [] }];
export const errors = {
  400: json(ErrorSchema, 'Invalid input; the message says what is wrong'),
  401: json(ErrorSchema, 'Missing or wrong API key'),
};
export const notFound = { 404: json(ErrorSchema, 'No such account or proxy') };
export const conflict = (description: string) => ({ 409: json(ErrorSchema, description) });

/** The schema of a page of `item` (defined with the other schemas; here so a route file needs one import). */
export { pageOf } from '../schemas.js';

/** A page's body: its items and the `limit` / `offset` asked for, as pageOf(schema) describes it. */
export const page = <T>(items: T[], query: { limit: number; offset: number }, hasMore: boolean) => ({
  items,
  limit: query.limit,
  offset: query.offset,
  has_more: hasMore,
});

/** The 202 of a request that enqueues work, with the API's errors. */
export const enqueuedResponses = (description: string) => ({ 202: json(EnqueuedSchema, description), ...errors });

/** The body of that 202: the tasks (created, or the live ones returned instead of duplicates) and how many of each. */
export function enqueued(results: Enqueued | readonly Enqueued[]) {
  const list = Array.isArray(results) ? (results as readonly Enqueued[]) : [results as Enqueued];
  const created = list.filter((e) => e.created).length;
  return { tasks: list.map((e) => taskView(e.task)), created, existing: list.length - created };
}

/**
 * Runs a store call, turning its refusals into the API's error shape. Kept for the route files that use it; a store
 * error thrown without it is mapped the same way by the app's error handler (expectedError).
 */
export async function store<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw expectedError(error) ?? error;
  }
}
