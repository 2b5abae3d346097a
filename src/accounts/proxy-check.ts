import http from 'node:http';
import tls from 'node:tls';

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
        finish(/^HTTP\/1\.[01] \d{3}/.test(statusLine) ? { ok: true } : { ok: false, error: `unexpected answer: ${statusLine.slice(0, 80)}` });
      });
      secure.write(`GET / HTTP/1.1\r\nHost: ${TARGET_HOST}\r\nConnection: close\r\n\r\n`);
    });
    request.end();
  });
}
