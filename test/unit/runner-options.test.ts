import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { runnerOptionsFrom } from '../../src/tasks/wiring.js';

/** The runner options the daemon (and the queue bench, through the same call) takes from its configuration. */
describe('runnerOptionsFrom', () => {
  it('claims ahead concurrency + 1 tasks unless QUEUE_CLAIM_AHEAD says otherwise; 0 turns it off', () => {
    expect(runnerOptionsFrom(loadConfig({ WORKER_CONCURRENCY: '8' }), 'w').claimAhead).toBe(9);
    expect(runnerOptionsFrom(loadConfig({ WORKER_CONCURRENCY: '8', QUEUE_CLAIM_AHEAD: '' }), 'w').claimAhead).toBe(9);
    expect(runnerOptionsFrom(loadConfig({ WORKER_CONCURRENCY: '8', QUEUE_CLAIM_AHEAD: '3' }), 'w').claimAhead).toBe(3);
    expect(runnerOptionsFrom(loadConfig({ QUEUE_CLAIM_AHEAD: '0' }), 'w').claimAhead).toBe(0);
  });

  it('refuses a claim-ahead that is not a whole number of tasks, saying which setting', () => {
    for (const bad of ['-1', 'many', '2.5']) {
      expect(() => loadConfig({ QUEUE_CLAIM_AHEAD: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ QUEUE_CLAIM_AHEAD: bad })).toThrow(/QUEUE_CLAIM_AHEAD/);
    }
  });

  it("passes the daemon's queue settings through", () => {
    const config = loadConfig({
      WORKER_CONCURRENCY: '3',
      QUEUE_POLL_INTERVAL_MS: '700',
      QUEUE_STATEMENTS_IN_FLIGHT: '2',
      TASK_LEASE_MS: '9000',
    });
    expect(runnerOptionsFrom(config, 'host:1:ab')).toMatchObject({
      workerId: 'host:1:ab',
      concurrency: 3,
      pollIntervalMs: 700,
      statementsInFlight: 2,
      leaseMs: 9000,
      claimAhead: 4,
    });
  });
});
