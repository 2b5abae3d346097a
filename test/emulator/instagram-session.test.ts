/**
 * Sessions (serialize/restore, expiry), the rate-limit window on an injected clock, and the
 * request log and counters tests of the daemon will rely on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IgApiClient, IgLoginRequiredError, IgResponseError } from 'instagram-private-api';
import { ManualClock, startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import { loggedInClient, newClient, okAccounts, rejectionOf } from './ig-helpers.js';

const HOUR = 3_600_000;
let emulator: InstagramEmulator;
let clock: ManualClock;
let targetPk: number;

beforeAll(async () => {
  clock = new ManualClock(1_000_000);
  emulator = await startInstagramEmulator({ seed: 5, proxies: 3, clock });
  targetPk = emulator.world.followersAccount.pk;
});
afterEach(() => {
  emulator.resetFaults();
  emulator.resetBehaviour();
});
afterAll(async () => {
  await emulator.close();
});

/** What the daemon persists: the serialized state without the (huge, static) constants. */
async function persisted(ig: IgApiClient): Promise<string> {
  const state = (await ig.state.serialize()) as Record<string, unknown>;
  delete state['constants'];
  return JSON.stringify(state);
}

describe('sessions', () => {
  it('a serialized session restored into a new client works without logging in again', async () => {
    const account = okAccounts(emulator)[0]!;
    const original = await loggedInClient(emulator, account, 0);
    const saved = await persisted(original);
    const restored = new IgApiClient();
    await restored.state.deserialize(saved);
    restored.state.proxyUrl = emulator.proxyUrls[0]!; // the proxy is not part of the serialized state
    const before = emulator.log.length;
    expect((await restored.user.info(targetPk)).pk).toBe(targetPk);
    expect((await restored.account.currentUser()).username).toBe(account.username);
    expect(emulator.loginCount(account.username)).toBe(1);
    expect(emulator.log.slice(before).map((e) => e.route)).toEqual(['users/{pk}/info', 'accounts/current_user']);
  });

  it('a restored client keeps working against a restarted emulator with the same seed (same password key)', async () => {
    const account = okAccounts(emulator)[1]!;
    const original = await loggedInClient(emulator, account, 0);
    const saved = await persisted(original);
    const restarted = await startInstagramEmulator({ seed: 5, proxies: 1 });
    try {
      const restored = new IgApiClient();
      await restored.state.deserialize(saved);
      restored.state.proxyUrl = restarted.proxyUrls[0]!;
      // Sessions live in memory, so the restart logged everyone out; the stored key still encrypts.
      expect(await rejectionOf(restored.user.info(targetPk))).toBeInstanceOf(IgLoginRequiredError);
      await restored.account.login(account.username, account.password);
      expect(restarted.log.map((e) => e.route)).not.toContain('qe/sync');
      expect(restarted.loginCount(account.username)).toBe(1);
    } finally {
      await restarted.close();
    }
  });

  it('expires after N requests: login_required until a new login', async () => {
    const account = okAccounts(emulator)[2]!;
    emulator.setSessionExpiry({ afterRequests: 3 }, account.username);
    const ig = await loggedInClient(emulator, account, 1);
    for (let i = 0; i < 3; i++) await ig.user.info(targetPk);
    expect(await rejectionOf(ig.user.info(targetPk))).toBeInstanceOf(IgLoginRequiredError);
    expect(await rejectionOf(ig.user.info(targetPk))).toBeInstanceOf(IgLoginRequiredError);
    await ig.account.login(account.username, account.password);
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
    expect(emulator.loginCount(account.username)).toBe(2);
  });

  it('expires after T ms of the injected clock, and on demand', async () => {
    const account = okAccounts(emulator)[3]!;
    emulator.setSessionExpiry({ afterMs: 2 * HOUR });
    const ig = await loggedInClient(emulator, account, 2);
    clock.advance(HOUR);
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
    clock.advance(HOUR);
    expect(await rejectionOf(ig.user.info(targetPk))).toBeInstanceOf(IgLoginRequiredError);
    await ig.account.login(account.username, account.password);
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
    expect(emulator.expireSessions(account.username)).toBe(1);
    expect(await rejectionOf(ig.user.info(targetPk))).toBeInstanceOf(IgLoginRequiredError);
  });

  it('unauthenticated clients get login_required', async () => {
    expect(await rejectionOf(newClient(emulator, 0).user.info(targetPk))).toBeInstanceOf(IgLoginRequiredError);
  });
});

describe('rate limit window', () => {
  it('answers a rate limit (401 require_login) past the per-account budget until the window slides', async () => {
    const [limited, free] = [okAccounts(emulator)[0]!, okAccounts(emulator)[1]!];
    const ig = await loggedInClient(emulator, limited, 0);
    const other = await loggedInClient(emulator, free, 1);
    emulator.setRateLimit({ maxRequests: 5, windowMs: HOUR }, limited.username);
    for (let i = 0; i < 5; i++) {
      await ig.user.info(targetPk);
      clock.advance(60_000);
    }
    expect(emulator.rateLimitUsed(limited.username)).toBe(5);
    const error = await rejectionOf(ig.user.info(targetPk));
    expect((error as IgResponseError).response.statusCode).toBe(401);
    expect((await other.user.info(targetPk)).pk).toBe(targetPk); // per account
    clock.advance(HOUR - 5 * 60_000 + 1); // the first request leaves the window
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
    expect(await rejectionOf(ig.user.info(targetPk))).toBeInstanceOf(IgResponseError);
  });
});

describe('request log and counters', () => {
  it('records endpoint, account, session, proxy, status and times for every request', async () => {
    emulator.resetLog();
    const [a, b] = [okAccounts(emulator)[2]!, okAccounts(emulator)[3]!];
    const igA = await loggedInClient(emulator, a, 1);
    const igB = await loggedInClient(emulator, b, 2);
    await igA.user.usernameinfo(emulator.world.followersAccount.username);
    await igA.feed.user(targetPk).items();
    await igB.user.info(targetPk);
    await rejectionOf(igB.user.info(emulator.world.deleted[0]!.pk));
    const entriesA = emulator.log.filter((e) => e.username === a.username);
    expect(entriesA.map((e) => e.route)).toEqual(['accounts/login', 'users/{username}/usernameinfo', 'feed/user/{pk}']);
    expect(new Set(entriesA.map((e) => e.proxyId))).toEqual(new Set([1]));
    expect(entriesA[1]!.sessionId).toBe(entriesA[2]!.sessionId);
    expect(entriesA[1]!.sessionId).toMatch(new RegExp(`^${a.pk}:`));
    for (const entry of emulator.log) {
      expect(entry.endedAt).not.toBeNull();
      expect(entry.wallEndedAt! >= entry.wallStartedAt).toBe(true);
    }
    // Requests of one account never overlap (they are sequential here).
    for (let i = 1; i < entriesA.length; i++) expect(entriesA[i]!.wallStartedAt).toBeGreaterThanOrEqual(entriesA[i - 1]!.wallEndedAt!);
    const counters = emulator.counters();
    expect(counters.byAccount[b.username]).toMatchObject({ requests: 3, logins: 1, byStatus: { '200': 2, '404': 1 } });
    expect(counters.byProxy['1']?.requests).toBe(4); // qe/sync has no account but counts for the proxy
    expect(counters.byProxy['1']?.connections).toBe(4); // dilame sends Connection: close → one CONNECT per request
  });
});

describe('overlap detection', () => {
  it('reports same-account requests that were in flight together, and only those', async () => {
    emulator.resetLog();
    const account = okAccounts(emulator)[0]!;
    const [first, second] = [await loggedInClient(emulator, account, 0), await loggedInClient(emulator, okAccounts(emulator)[1]!, 1)];
    await first.user.info(targetPk);
    await first.user.info(targetPk);
    expect(emulator.overlappingRequests()).toEqual([]);
    emulator.setAccountFault(account.username, { kind: 'slow', delayMs: 150, times: 2 });
    const seen: string[] = [];
    const stop = emulator.onRequest((entry) => seen.push(entry.route));
    await Promise.all([first.user.info(targetPk), first.feed.user(targetPk).items(), second.user.info(targetPk)]);
    stop();
    const overlaps = emulator.overlappingRequests();
    expect(overlaps).toHaveLength(1);
    expect(overlaps[0]!.every((e) => e.username === account.username)).toBe(true);
    expect(seen.sort()).toEqual(['feed/user/{pk}', 'users/{pk}/info', 'users/{pk}/info']);
  });
});
