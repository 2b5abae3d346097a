import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { socksAgent } from '../instagram/socks.js';

/**
 * Does this proxy reach Instagram? Opens a CONNECT tunnel to i.instagram.com:443 through it, speaks TLS (without
 * verifying, as the Instagram client does) and sends one GET. Any HTTP answer counts: the proxy works; the
 * answer's content is Instagram's business.
 */
export interface ProxyCheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

const TARGET_HOST = 'i.instagram.com';

export function checkHttpProxy(proxyUrl: string, timeoutMs: number): Promise<ProxyCheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const proxy = new URL(proxyUrl);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<ProxyCheckResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ ...result, latencyMs: elapsed() });
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const headers: Record<string, string> = { host: `${TARGET_HOST}:443` };
    if (proxy.username) {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const request = http.request({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: `${TARGET_HOST}:443`,
      headers,
    });
    request.once('error', (error) => finish({ ok: false, error: error.message }));
    request.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        return finish({ ok: false, error: `proxy answered CONNECT with ${response.statusCode}` });
      }
      const secure = tls.connect({ socket, servername: TARGET_HOST, rejectUnauthorized: false });
      secure.once('error', (error) => finish({ ok: false, error: `TLS through the proxy failed: ${error.message}` }));
      secure.once('data', (chunk: Buffer) => {
        const statusLine = chunk.toString('latin1').split('\r\n')[0] ?? '';
        secure.destroy();
        finish(
          /^HTTP\/1\.[01] \d{3}/.test(statusLine) ? { ok: true } : { ok: false, error: `unexpected answer: ${statusLine.slice(0, 80)}` },
        );
      });
      secure.write(`GET / HTTP/1.1\r\nHost: ${TARGET_HOST}\r\nConnection: close\r\n\r\n`);
    });
    request.end();
  });
}

/** The same check through a SOCKS5 proxy: one HTTPS GET to Instagram; any HTTP answer means the proxy works. */
export function checkSocksProxy(proxyUrl: string, timeoutMs: number): Promise<ProxyCheckResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = https.get(
      `https://${TARGET_HOST}/`,
      { agent: socksAgent(proxyUrl), rejectUnauthorized: false, timeout: timeoutMs },
      (response) => {
        response.resume();
        request.destroy();
        resolve({ ok: true, latencyMs: Math.round(performance.now() - started) });
      },
    );
    request.once('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.once('error', (error) => resolve({ ok: false, latencyMs: Math.round(performance.now() - started), error: error.message }));
  });
}

export function checkProxy(proxyUrl: string, timeoutMs: number): Promise<ProxyCheckResult> {
  return /^socks/i.test(proxyUrl) ? checkSocksProxy(proxyUrl, timeoutMs) : checkHttpProxy(proxyUrl, timeoutMs);
}
