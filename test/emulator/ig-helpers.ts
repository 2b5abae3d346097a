/**
 * Helpers for tests that drive the real `instagram-private-api` client through the emulator.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { IgApiClient, type Feed } from 'instagram-private-api';
import type { InstagramEmulator } from '../../emulator/instagram/index.js';
import type { ScrapingAccount } from '../../emulator/world/index.js';

/** A fresh client routed through proxy `proxyIndex`. */
export function newClient(emulator: InstagramEmulator, proxyIndex = 0, deviceSeed = `device-${proxyIndex}`): IgApiClient {
  const ig = new IgApiClient();
  ig.state.generateDevice(deviceSeed);
  const proxyUrl = emulator.proxyUrls[proxyIndex];
  if (!proxyUrl) throw new Error(`no proxy ${proxyIndex}`);
  ig.state.proxyUrl = proxyUrl;
  return ig;
}

export function okAccounts(emulator: InstagramEmulator): ScrapingAccount[] {
  return emulator.world.accounts.filter((a) => a.loginBehaviour === 'ok');
}

export function accountWith(emulator: InstagramEmulator, behaviour: ScrapingAccount['loginBehaviour']): ScrapingAccount {
  const account = emulator.world.accounts.find((a) => a.loginBehaviour === behaviour);
  if (!account) throw new Error(`no account with login behaviour ${behaviour}`);
  return account;
}

/** Logs a fresh client in with `account` through proxy `proxyIndex`. */
export async function loggedInClient(emulator: InstagramEmulator, account: ScrapingAccount, proxyIndex = 0): Promise<IgApiClient> {
  const ig = newClient(emulator, proxyIndex, `device-${account.username}`);
  await ig.account.login(account.username, account.password);
  return ig;
}

/** Resolves to the rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Runs `feed.items()` until the feed says there is no more; returns the pages. */
export async function drain<T>(feed: Feed<unknown, T>, maxPages = 100): Promise<T[][]> {
  const pages: T[][] = [];
  do {
    pages.push(await feed.items());
  } while (feed.isMoreAvailable() && pages.length < maxPages);
  return pages;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTPS request to i.instagram.com through an emulator proxy, returning the body bytes as
 * sent (the real client parses them, which hides formatting and big-number details).
 */
export function rawRequest(
  proxyUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; form?: string } = {},
): Promise<RawResponse> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const connect = httpRequest({ host: proxy.hostname, port: Number(proxy.port), method: 'CONNECT', path: 'i.instagram.com:443' });
    connect.on('error', reject);
    connect.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT answered ${res.statusCode}`));
        return;
      }
      const tlsSocket = tlsConnect({ socket, servername: 'i.instagram.com', rejectUnauthorized: false });
      const headers: Record<string, string> = { host: 'i.instagram.com', ...options.headers };
      if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const req = httpsRequest({ createConnection: () => tlsSocket, method: options.method ?? 'GET', path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          tlsSocket.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.form);
    });
    connect.end();
  });
}
