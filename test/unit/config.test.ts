import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8001,
      DATA_DIR: './.data',
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: 2,
      TASK_MAX_ATTEMPTS: 3,
      TASK_RETRY_BASE_MS: 300_000,
      TASK_RETRY_FACTOR: 3,
    });
    expect(config.SCRAPER_API_KEY).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.PORT).toBe(8001);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: must be a number/],
    [{ PORT: '70000' }, /PORT: must be at most 65535/],
    [{ WORKER_CONCURRENCY: '1.5' }, /WORKER_CONCURRENCY: must be a whole number/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres:\/\//],
    [{ SCRAPER_API_KEY: 'short' }, /SCRAPER_API_KEY: must be at least 24 characters/],
  ])('names the variable and the problem: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', TASK_LEASE_MS: '5' })).toThrow(/PORT[\s\S]*TASK_LEASE_MS/);
  });
});
