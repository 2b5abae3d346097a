import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { createTestApp } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/db.js';

/**
 * Issue 17: while the database is unreachable, every data route used to answer 500 "internal error". The API
 * promises 503 with Retry-After: nothing was wrong with the request and nothing was changed.
 */
let handle: DatabaseHandle;
let api: ReturnType<typeof createTestApp>;

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  handle = openDatabase(`postgres://igscout:pw@127.0.0.1:${await closedPort()}/igscout`, { poolMax: 2, onPoolError: () => undefined });
  api = createTestApp({ db: handle.db } as TestDatabase, { ready: () => false });
});
afterAll(async () => handle.close());

describe('the database unreachable', () => {
  it.each([
    ['GET', '/api/tasks', undefined],
    ['GET', '/api/tasks/1', undefined],
    ['POST', '/api/tasks/scrape', { usernames: ['natgeo'] }],
    ['POST', '/api/tasks/followers', { username: 'natgeo' }],
    ['GET', '/api/blogs', undefined],
    ['GET', '/api/accounts', undefined],
    ['GET', '/api/logs', undefined],
    ['GET', '/api/stats', undefined],
  ] as const)('%s %s answers 503 with Retry-After, in the error shape', async (method, path, body) => {
    const response = await api.call(method, path, body);
    expect(response.status, response.text).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/database is unreachable/) } });
  });
});
