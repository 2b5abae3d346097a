import { z } from '@hono/zod-openapi';
import { AccountStoreError } from '../../accounts/store-errors.js';
import { ApiError, ErrorSchema } from '../errors.js';

/** Shared bits of the route definitions: response and body helpers, security, common errors, store errors. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
export const body = <T extends z.ZodType>(schema: T, description: string) => ({ body: { ...json(schema, description), required: true } });
export const security = [{ bearerAuth: [] }];
export const errors = {
  400: json(ErrorSchema, 'Invalid input; the message says what is wrong'),
  401: json(ErrorSchema, 'Missing or wrong API key'),
};
export const notFound = { 404: json(ErrorSchema, 'No such account or proxy') };
export const conflict = (description: string) => ({ 409: json(ErrorSchema, description) });

const STATUS_OF_KIND = { invalid: 400, not_found: 404, conflict: 409 } as const;

/** Runs a store call, turning its refusals into the API's error shape. */
export async function store<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AccountStoreError) throw new ApiError(STATUS_OF_KIND[error.kind], error.message);
    throw error;
  }
}
