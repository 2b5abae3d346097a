/**
 * Each fault must surface as the error the real client raises for it against Instagram.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  IgActionSpamError,
  IgCheckpointError,
  IgInactiveUserError,
  IgLoginBadPasswordError,
  IgLoginInvalidUserError,
  IgLoginRequiredError,
  IgLoginTwoFactorRequiredError,
  IgNetworkError,
  IgResponseError,
  IgSentryBlockError,
  type IgApiClient,
} from 'instagram-private-api';
import { classifyInstagramError } from '../../src/instagram/classify.js';
import { startInstagramEmulator, type InstagramEmulator } from '../../emulator/instagram/index.js';
import type { ScrapingAccount } from '../../emulator/world/index.js';
import { accountWith, loggedInClient, newClient, okAccounts, rejectionOf } from './ig-helpers.js';

let emulator: InstagramEmulator;
let account: ScrapingAccount;
let ig: IgApiClient;
let targetPk: number;

beforeAll(async () => {
  emulator = await startInstagramEmulator({ seed: 11, proxies: 3 });
  account = okAccounts(emulator)[0]!;
  ig = await loggedInClient(emulator, account, 0);
  targetPk = emulator.world.followersAccount.pk;
});
afterEach(() => {
  emulator.resetFaults();
  emulator.resetBehaviour();
});
afterAll(async () => {
  await emulator.close();
});

const status = (error: Error): number | undefined => (error as IgResponseError).response?.statusCode;

describe('request faults', () => {
  it.each([
    ['login_required', IgLoginRequiredError, 403],
    ['challenge', IgCheckpointError, 400],
    ['feedback', IgActionSpamError, 400],
    ['inactive', IgInactiveUserError, 400],
    ['sentry_block', IgSentryBlockError, 400],
  ] as const)('%s → the matching Ig*Error class and HTTP status', async (kind, errorClass, httpStatus) => {
    emulator.setAccountFault(account.username, { kind, times: 1 });
    const error = await rejectionOf(ig.user.info(targetPk));
    expect(error).toBeInstanceOf(errorClass);
    expect(status(error)).toBe(httpStatus);
    // One-shot: the next request goes through.
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
  });

  it('challenge_required stores the checkpoint on the client state', async () => {
    emulator.setAccountFault(account.username, { kind: 'challenge', times: 1 });
    await rejectionOf(ig.user.info(targetPk));
    expect(ig.state.challengeUrl).toMatch(/^\/api\/v1\/challenge\/\d+\/\w+\/$/);
  });

  it('rate_limit → 401 with require_login and "Please wait a few minutes" (2026), which dilame leaves a plain IgResponseError', async () => {
    emulator.setGlobalFault({ kind: 'rate_limit', times: 1 });
    const error = await rejectionOf(ig.user.info(targetPk));
    expect(error).toBeInstanceOf(IgResponseError);
    expect(error).not.toBeInstanceOf(IgLoginRequiredError); // not a logged-out session: no re-login loop
    expect(status(error)).toBe(401);
    expect((error as IgResponseError).response.body).toMatchObject({ require_login: true, status: 'fail' });
    expect(error.message).toContain('Please wait a few minutes before you try again.');
    expect(classifyInstagramError(error).verdict).toEqual({ kind: 'rate_limited' });
  });

  it('rate_limit at login → 400 rate_limit_error, classified as a rate limit', async () => {
    const other = okAccounts(emulator)[2]!;
    emulator.setAccountFault(other.username, { kind: 'rate_limit', route: 'accounts/login', times: 1 });
    const error = await rejectionOf(loggedInClient(emulator, other));
    expect(status(error)).toBe(400);
    expect((error as IgResponseError).response.body).toMatchObject({ error_type: 'rate_limit_error' });
    expect(classifyInstagramError(error).verdict).toEqual({ kind: 'rate_limited' });
  });

  it.each([500, 502, 503])('server_error %i → IgResponseError with that status', async (code) => {
    emulator.setGlobalFault({ kind: 'server_error', status: code, times: 1 });
    const error = await rejectionOf(ig.user.info(targetPk));
    expect(error).toBeInstanceOf(IgResponseError);
    expect(status(error)).toBe(code);
  });

  it('persistent faults stay until removed and can target one route', async () => {
    const fault = emulator.setAccountFault(account.username, { kind: 'feedback', route: 'feed/user' });
    for (let i = 0; i < 2; i++) expect(await rejectionOf(ig.feed.user(targetPk).items())).toBeInstanceOf(IgActionSpamError);
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
    emulator.removeFault(fault.id);
    expect((await ig.feed.user(targetPk).items()).length).toBeGreaterThan(0);
  });

  it('a ban answers every request and login with inactive user', async () => {
    const banned = okAccounts(emulator)[3]!;
    const client = await loggedInClient(emulator, banned, 2);
    emulator.ban(banned.username);
    expect(await rejectionOf(client.user.info(targetPk))).toBeInstanceOf(IgInactiveUserError);
    expect(await rejectionOf(newClient(emulator, 2).account.login(banned.username, banned.password))).toBeInstanceOf(IgInactiveUserError);
    emulator.unban(banned.username);
    expect((await client.user.info(targetPk)).pk).toBe(targetPk);
  });

  it('slow answers are delayed by the configured time', async () => {
    emulator.setAccountFault(account.username, { kind: 'slow', delayMs: 300, times: 1 });
    const started = Date.now();
    await ig.user.info(targetPk);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(emulator.log[emulator.log.length - 1]?.fault).toBe('slow');
  });
});

describe('proxy faults', () => {
  it.each(['refuse', 'connect_error'] as const)('%s at CONNECT → IgNetworkError on that proxy only', async (kind) => {
    emulator.setProxyFault(0, { kind, times: 1 });
    expect(await rejectionOf(ig.user.info(targetPk))).toBeInstanceOf(IgNetworkError);
    expect(emulator.counters().byProxy['0']?.refused).toBeGreaterThan(0);
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk);
  });

  it.each(['drop', 'reset'] as const)('%s mid-request → IgNetworkError', async (kind) => {
    emulator.setProxyFault(0, { kind, times: 1 });
    expect(await rejectionOf(ig.feed.user(targetPk).items())).toBeInstanceOf(IgNetworkError);
    expect(emulator.log[emulator.log.length - 1]?.status).toBe(kind === 'drop' ? 'dropped' : 'reset');
  });

  it('a proxy taken down refuses connections until brought back on the same port', async () => {
    const other = await loggedInClient(emulator, okAccounts(emulator)[2]!, 1);
    const port = emulator.proxies()[1]!.port;
    await emulator.takeProxyDown(1);
    const error = await rejectionOf(other.user.info(targetPk));
    expect(error).toBeInstanceOf(IgNetworkError);
    expect(String((error as IgNetworkError).message)).toMatch(/ECONNREFUSED/);
    expect((await ig.user.info(targetPk)).pk).toBe(targetPk); // proxy 0 unaffected
    await emulator.bringProxyUp(1);
    expect(emulator.proxies()[1]).toMatchObject({ port, up: true });
    expect((await other.user.info(targetPk)).pk).toBe(targetPk);
  });
});

describe('login outcomes', () => {
  it('bad password (wrong or scripted) → IgLoginBadPasswordError', async () => {
    expect(await rejectionOf(newClient(emulator, 1).account.login(account.username, 'wrong'))).toBeInstanceOf(IgLoginBadPasswordError);
    const scripted = accountWith(emulator, 'bad_password');
    expect(await rejectionOf(newClient(emulator, 1).account.login(scripted.username, scripted.password))).toBeInstanceOf(
      IgLoginBadPasswordError,
    );
  });

  it('unknown username → IgLoginInvalidUserError', async () => {
    expect(await rejectionOf(newClient(emulator, 1).account.login('no.such.scout', 'x'))).toBeInstanceOf(IgLoginInvalidUserError);
  });

  it('two-factor → IgLoginTwoFactorRequiredError, then two_factor_login with the code logs in', async () => {
    const twoFactor = accountWith(emulator, 'two_factor');
    const client = newClient(emulator, 1);
    const error = await rejectionOf(client.account.login(twoFactor.username, twoFactor.password));
    expect(error).toBeInstanceOf(IgLoginTwoFactorRequiredError);
    const info = (error as IgLoginTwoFactorRequiredError).response.body.two_factor_info;
    await expect(
      client.account.twoFactorLogin({
        username: twoFactor.username,
        verificationCode: '000000',
        twoFactorIdentifier: info.two_factor_identifier,
      }),
    ).rejects.toBeInstanceOf(IgResponseError);
    const body = await client.account.twoFactorLogin({
      username: twoFactor.username,
      verificationCode: twoFactor.twoFactorCode,
      twoFactorIdentifier: info.two_factor_identifier,
    });
    // dilame types the result as the user but returns the whole body ({logged_in_user, status}).
    expect((body as unknown as { logged_in_user: { pk: number } }).logged_in_user.pk).toBe(twoFactor.pk);
    expect((await client.account.currentUser()).username).toBe(twoFactor.username);
  });

  it('challenge on login → IgCheckpointError; outcomes can be switched at runtime', async () => {
    const challenged = accountWith(emulator, 'challenge');
    expect(await rejectionOf(newClient(emulator, 1).account.login(challenged.username, challenged.password))).toBeInstanceOf(
      IgCheckpointError,
    );
    emulator.setLoginOutcome(challenged.username, 'ok');
    const client = newClient(emulator, 1);
    await client.account.login(challenged.username, challenged.password);
    expect(emulator.loginCount(challenged.username)).toBe(1);
  });
});
