/**
 * `probability` on a fault spec: the emulator's chaos switch (test/faults/chaos.test.ts uses it at ~20 %). The draws
 * are seeded, so the same sequence of requests meets the same faults; a spared request goes on to the next fault.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IgCheckpointError, IgResponseError, type IgApiClient } from 'instagram-private-api';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { loggedInClient, okAccounts, rejectionOf } from './ig-helpers.js';

let emulator: InstagramEmulator;
let ig: IgApiClient;
let targetPk: number;

beforeAll(async () => {
  emulator = await startInstagramEmulator({ seed: 13, proxies: 1 });
  ig = await loggedInClient(emulator, okAccounts(emulator)[0]!, 0);
  targetPk = emulator.world.followersAccount.pk;
});
afterEach(() => emulator.resetFaults());
afterAll(async () => {
  await emulator.close();
});

/** Sends `count` profile lookups one after the other; true where the request failed. */
async function failures(count: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < count; i++)
    out.push(
      await ig.user.info(targetPk).then(
        () => false,
        () => true,
      ),
    );
  return out;
}

describe('fault probability', () => {
  it('strikes about the given share of matching requests, the same ones for the same seed and fault id', async () => {
    const fault = emulator.setGlobalFault({ kind: 'server_error', status: 503, route: 'users/', probability: 0.25 });
    const first = await failures(80);
    const struck = first.filter(Boolean).length;
    expect(struck).toBeGreaterThan(8); // 20 expected; the bounds are many standard deviations wide
    expect(struck).toBeLessThan(36);
    expect(emulator.faults().find((f) => f.id === fault.id)?.applied).toBe(struck);
    expect(emulator.log.filter((e) => e.fault === 'server_error').length).toBeGreaterThanOrEqual(struck);

    // A second emulator with the same seed draws the same decisions for its fault #1.
    const twin = await startInstagramEmulator({ seed: 13, proxies: 1 });
    try {
      const twinIg = await loggedInClient(twin, okAccounts(twin)[0]!, 0);
      twin.setGlobalFault({ kind: 'server_error', status: 503, route: 'users/', probability: 0.25 });
      const again: boolean[] = [];
      for (let i = 0; i < 80; i++)
        again.push(
          await twinIg.user.info(targetPk).then(
            () => false,
            () => true,
          ),
        );
      expect(again).toEqual(first);
    } finally {
      await twin.close();
    }
  });

  it('a spared request meets the next matching fault, and does not use up `times`', async () => {
    const never = emulator.setGlobalFault({ kind: 'rate_limit', probability: 0, times: 1 });
    emulator.setGlobalFault({ kind: 'challenge', times: 1 });
    expect(await rejectionOf(ig.user.info(targetPk))).toBeInstanceOf(IgCheckpointError);
    expect(emulator.faults().find((f) => f.id === never.id)).toMatchObject({ remaining: 1, applied: 0 });
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
  });

  it('probability 1 is an ordinary fault; out-of-range values are refused', async () => {
    emulator.setGlobalFault({ kind: 'rate_limit', probability: 1, times: 1 });
    const error = await rejectionOf(ig.user.info(targetPk));
    expect((error as IgResponseError).response?.statusCode).toBe(401);
    expect(() => emulator.setGlobalFault({ kind: 'rate_limit', probability: 1.5 })).toThrow(/between 0 and 1/);
  });
});
