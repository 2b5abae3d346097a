import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorBody } from './errors.js';

/**
 * Bearer authentication compared in constant time: both sides are hashed first, so neither the content nor the
 * length of the key leaks through timing.
 */
export function bearerAuth(apiKey: string): MiddlewareHandler {
  const expected = digest(apiKey);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match || !timingSafeEqual(digest(match[1]!.trim()), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="ig-scout"');
      const message = match ? 'invalid API key' : 'missing "Authorization: Bearer <SCRAPER_API_KEY>" header';
      return c.json(errorBody(401, message), 401);
    }
    await next();
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();
