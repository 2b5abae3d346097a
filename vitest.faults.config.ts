import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: only the fault tests (kill -9, Postgres outage, emulator chaos), which start real daemon
 * processes. They are part of `npm test` as well (the default include covers test/faults); this config runs them alone.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/setup/global-postgres.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
