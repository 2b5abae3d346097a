import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

/**
 * Redaction is the last line of defence: these tests log secrets on purpose and read the bytes pino writes, so they
 * fail if the redaction list loses an entry (the other log tests only show that our code never logs a secret).
 */
const secrets = {
  password: 'hunter2-password-value',
  cookie: 'sessionid=cookie-value-123; csrftoken=abc',
  sessionId: 'session-id-value-456',
  apiKey: 'api-key-value-0123456789abcdef',
  proxyUrl: 'http://proxyuser:proxy-pass-789@10.1.2.3:8080',
  authorization: 'Bearer bearer-token-value',
  token: 'plain-token-value',
  databaseUrl: 'postgres://igscout:db-pass-value@db:5432/igscout',
};

function captured(level = 'trace') {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  const logger = createLogger({ level, format: 'json', destination: stream });
  return { logger, text: () => text };
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

describe('log redaction', () => {
  it.each(LEVELS)('blanks every kind of secret at %s, at the top level and one level down, and keeps the rest', (level) => {
    const { logger, text } = captured();
    logger[level]({ ...secrets, username: 'scout.kz.01' }, 'top level');
    logger[level]({ account: { ...secrets, username: 'scout.kz.02' } }, 'nested');
    logger[level]({ req: { headers: { authorization: secrets.authorization, cookie: secrets.cookie } } }, 'request');
    logger.child({ component: 'pool' })[level]({ login: { password: secrets.password } }, 'child');
    const out = text();
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    for (const value of Object.values(secrets)) expect(out).not.toContain(value);
    // Not blanked away wholesale: the fields are there, marked, and the harmless ones survive.
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      cookie: '[redacted]',
      sessionId: '[redacted]',
      apiKey: '[redacted]',
      proxyUrl: '[redacted]',
      username: 'scout.kz.01',
    });
    expect(lines[1].account).toMatchObject({ password: '[redacted]', proxyUrl: '[redacted]', username: 'scout.kz.02' });
    expect(lines[2].req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(lines[3]).toMatchObject({ component: 'pool', login: { password: '[redacted]' } });
  });
});
