import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlerter, WebhookAlerter, type AlertPayload } from '../../src/alerts/webhook.js';
import { createLogger } from '../../src/logger.js';

/** A real receiver on 127.0.0.1: records what it got; `respond` decides how it answers. */
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: AlertPayload;
}
let server: Server;
let baseUrl: string;
let received: Received[] = [];
let respond: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
      respond(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  received = [];
  respond = (res) => res.writeHead(204).end();
});

function capturedLogger() {
  const lines: any[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', destination }), lines };
}

function makeAlerter(options: { url?: string; throttleMs?: number; timeoutMs?: number } = {}) {
  const clock = { t: Date.parse('2024-05-01T12:00:00Z') };
  const { logger, lines } = capturedLogger();
  const alerter = new WebhookAlerter({
    url: 'url' in options ? options.url : `${baseUrl}/hook`,
    throttleMs: options.throttleMs ?? 60_000,
    timeoutMs: options.timeoutMs,
    logger,
    now: () => clock.t,
  });
  return { alerter, lines, clock };
}

describe('WebhookAlerter', () => {
  it('POSTs the alert as JSON with kind, severity, message, subject, time and service', async () => {
    const { alerter, lines } = makeAlerter();
    alerter.alert({ kind: 'account_banned', message: 'scout.01 is banned', subject: { account: 'scout.01' } });
    await alerter.flush();
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe('/hook');
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.body).toEqual({
      kind: 'account_banned',
      severity: 'critical',
      message: 'scout.01 is banned',
      subject: { account: 'scout.01' },
      at: '2024-05-01T12:00:00.000Z',
      service: 'ig-scout',
      suppressed_repeats: 0,
    });
    // Also logged, at error for a critical alert.
    expect(lines.filter((l) => l.alert === 'account_banned')).toMatchObject([{ level: 50, msg: 'scout.01 is banned' }]);
  });

  it('sends one kind + subject at most once per window and reports the suppressed repeats in the next one', async () => {
    const { alerter, lines, clock } = makeAlerter({ throttleMs: 60_000 });
    const challenged = (n: number) => ({ kind: 'account_needs_human' as const, message: `challenge ${n}`, subject: { account: 'a1' } });
    alerter.alert(challenged(1));
    for (let i = 2; i <= 4; i++) {
      clock.t += 10_000;
      alerter.alert(challenged(i));
    }
    // Another subject and another kind are throttled separately.
    alerter.alert({ kind: 'account_needs_human', message: 'other account', subject: { account: 'a2' } });
    alerter.alert({ kind: 'proxy_failed', message: 'proxy down', subject: { account: 'a1' } });
    await alerter.flush();
    expect(received.map((r) => r.body.message)).toEqual(['challenge 1', 'other account', 'proxy down']);

    clock.t += 30_000; // 60 s after the first one was sent: the window is over
    alerter.alert(challenged(5));
    await alerter.flush();
    expect(received.at(-1)!.body).toMatchObject({ message: 'challenge 5', suppressed_repeats: 3 });

    clock.t += 1_000;
    alerter.alert(challenged(6));
    clock.t += 60_000;
    alerter.alert(challenged(7));
    await alerter.flush();
    expect(received.slice(3).map((r) => [r.body.message, r.body.suppressed_repeats])).toEqual([
      ['challenge 5', 3],
      ['challenge 7', 1],
    ]);
    // Every alert is logged, the throttled ones marked as such.
    const logged = lines.filter((l) => l.alert === 'account_needs_human' && l.subject.account === 'a1');
    expect(logged).toHaveLength(7);
    expect(logged.filter((l) => l.throttled).length).toBe(4);
    expect(logged.every((l) => l.level === 40)).toBe(true);
  });

  it('throttles subjects regardless of key order, and not at all with a zero window', async () => {
    const { alerter } = makeAlerter({ throttleMs: 60_000 });
    alerter.alert({ kind: 'proxy_failed', message: 'x', subject: { proxy: 'p', account: 'a' } });
    alerter.alert({ kind: 'proxy_failed', message: 'y', subject: { account: 'a', proxy: 'p' } });
    await alerter.flush();
    expect(received).toHaveLength(1);

    received = [];
    const unthrottled = makeAlerter({ throttleMs: 0 }).alerter;
    for (let i = 0; i < 3; i++) unthrottled.alert({ kind: 'batch_failed', message: `b${i}` });
    await unthrottled.flush();
    expect(received.map((r) => r.body.suppressed_repeats)).toEqual([0, 0, 0]);
  });

  it('survives a receiver answering 500: one warn line, no throw', async () => {
    respond = (res) => res.writeHead(500).end('boom');
    const { alerter, lines } = makeAlerter();
    expect(() => alerter.alert({ kind: 'no_usable_account', message: 'nothing usable' })).not.toThrow();
    await alerter.flush();
    expect(received).toHaveLength(1);
    const failures = lines.filter((l) => /webhook/.test(l.msg));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 40, status: 500, target: baseUrl, msg: 'alert webhook refused the alert' });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    respond = () => undefined; // never answers
    const { alerter, lines } = makeAlerter({ timeoutMs: 150 });
    const started = Date.now();
    alerter.alert({ kind: 'session_refresh_failed', message: 'refresh failed', subject: { account: 'a1' } });
    await alerter.flush();
    expect(Date.now() - started).toBeLessThan(5_000);
    const failures = lines.filter((l) => /webhook/.test(l.msg));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 40, reason: 'no answer within 150 ms', msg: 'alert webhook unreachable' });
  });

  it('logs an unreachable receiver without its credentials, path secret or query', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens on that port any more
    const url = `http://user:hunter2@127.0.0.1:${port}/services/T0/SECRETPATH?token=SECRETQUERY`;
    const { alerter, lines } = makeAlerter({ url });
    alerter.alert({ kind: 'batch_failed', message: 'batch 7 failed' });
    await alerter.flush();
    const failures = lines.filter((l) => /webhook/.test(l.msg));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reason: 'ECONNREFUSED', target: `http://127.0.0.1:${port}` });
    const all = JSON.stringify(lines);
    for (const secret of ['hunter2', 'SECRETPATH', 'SECRETQUERY']) expect(all).not.toContain(secret);
  });

  it('sends URL credentials as Basic auth instead of failing on them', async () => {
    const { alerter } = makeAlerter({ url: baseUrl.replace('http://', 'http://bot:s3cret@') + '/hook' });
    alerter.alert({ kind: 'batch_failed', message: 'x' });
    await alerter.flush();
    expect(received).toHaveLength(1);
    expect(received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('bot:s3cret').toString('base64')}`);
  });

  it('without a URL only logs, at warn for warnings and error for critical alerts', async () => {
    const { alerter, lines } = makeAlerter({ url: undefined });
    alerter.alert({ kind: 'account_cooldown_long', message: 'long cooldown', subject: { account: 'a' } });
    alerter.alert({ kind: 'proxy_failed', message: 'proxy critical', severity: 'critical' });
    await alerter.flush();
    expect(received).toHaveLength(0);
    expect(lines.filter((l) => l.alert).map((l) => [l.alert, l.level])).toEqual([
      ['account_cooldown_long', 40],
      ['proxy_failed', 50],
    ]);
  });

  it('createAlerter reads ALERT_WEBHOOK_URL and ALERT_THROTTLE_MS', async () => {
    const { logger } = capturedLogger();
    const alerter = createAlerter({ ALERT_WEBHOOK_URL: `${baseUrl}/from-config`, ALERT_THROTTLE_MS: 60_000 }, logger);
    alerter.alert({ kind: 'batch_failed', message: 'one' });
    alerter.alert({ kind: 'batch_failed', message: 'two' });
    await alerter.flush();
    expect(received.map((r) => [r.path, r.body.message])).toEqual([['/from-config', 'one']]);
  });
});
