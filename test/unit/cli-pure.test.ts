import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilters } from '../../src/cli/commands/export.js';
import { CliError } from '../../src/cli/exit-codes.js';
import { atLeast, levelOf } from '../../src/cli/log-level.js';
import { loadSettings } from '../../src/cli/settings.js';

/** The command line's pure parts: where it finds the daemon and the key, --filter, a log row's level. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-settings-'));
  await writeFile(path.join(dir, 'api-key'), 'key-from-file-0123456789abcdef\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('settings', () => {
  it('takes IG_SCOUT_API_KEY over SCRAPER_API_KEY over DATA_DIR/api-key', async () => {
    expect(await loadSettings({ IG_SCOUT_API_KEY: 'a'.repeat(24), SCRAPER_API_KEY: 'b'.repeat(24), DATA_DIR: dir })).toMatchObject({
      apiKey: 'a'.repeat(24),
      keySource: 'IG_SCOUT_API_KEY',
    });
    expect(await loadSettings({ SCRAPER_API_KEY: 'b'.repeat(24), DATA_DIR: dir })).toMatchObject({
      apiKey: 'b'.repeat(24),
      keySource: 'SCRAPER_API_KEY',
    });
    expect(await loadSettings({ DATA_DIR: dir })).toMatchObject({
      apiKey: 'key-from-file-0123456789abcdef',
      keySource: path.join(dir, 'api-key'),
    });
    expect((await loadSettings({ DATA_DIR: path.join(dir, 'none') })).apiKey).toBeUndefined();
  });

  it('defaults to http://localhost:8001; --url wins over IG_SCOUT_URL; a trailing slash is dropped', async () => {
    expect((await loadSettings({ DATA_DIR: dir })).url).toBe('http://localhost:8001');
    expect((await loadSettings({ DATA_DIR: dir, IG_SCOUT_URL: 'http://h:1/' })).url).toBe('http://h:1');
    expect((await loadSettings({ DATA_DIR: dir, IG_SCOUT_URL: 'http://h:1' }, 'https://other:2')).url).toBe('https://other:2');
  });

  it.each([
    [{ IG_SCOUT_URL: 'localhost:8001' }, /IG_SCOUT_URL: .* must be an http:\/\/ or https:\/\/ URL/],
    [{ IG_SCOUT_URL: 'not a url' }, /IG_SCOUT_URL: .* is not a URL/],
    [{ IG_SCOUT_TIMEOUT_MS: '0' }, /IG_SCOUT_TIMEOUT_MS: "0" must be a whole number/],
    [{ IG_SCOUT_POLL_MS: 'soon' }, /IG_SCOUT_POLL_MS/],
  ])('refuses %j as a usage error', async (env, message) => {
    const error = await loadSettings({ DATA_DIR: dir, ...env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toMatch(message);
  });
});

describe('--filter', () => {
  it('turns key=value into the query, keeping = inside the value', () => {
    expect(parseFilters(['min_followers=1000', 'q=a=b', 'category='])).toEqual({ min_followers: '1000', q: 'a=b', category: '' });
  });
  it.each([['min_followers'], ['=3'], ['format=csv']])('refuses %s', (filter) => {
    expect(() => parseFilters([filter])).toThrow(CliError);
  });
});

describe('log levels', () => {
  it('info when it went well, warn when the pool copes, error when a person must act', () => {
    expect(levelOf({ kind: 'request', outcome: 'ok' })).toBe('info');
    expect(levelOf({ kind: 'status', outcome: 'active' })).toBe('info');
    expect(levelOf({ kind: 'request', outcome: 'rate_limited' })).toBe('warn');
    expect(levelOf({ kind: 'request', outcome: 'challenge' })).toBe('warn'); // a cooldown; the account goes on
    expect(levelOf({ kind: 'status', outcome: 'cooldown' })).toBe('warn');
    expect(levelOf({ kind: 'status', outcome: 'challenge' })).toBe('error'); // parked for a human
    expect(levelOf({ kind: 'login', outcome: 'needs_human' })).toBe('error');
    expect(levelOf({ kind: 'request', outcome: 'app_outdated' })).toBe('error');
    expect(atLeast('error', 'warn')).toBe(true);
    expect(atLeast('info', 'warn')).toBe(false);
  });
});
