import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { endpointUrlProblem } from '../../src/webhooks/url-guard.js';

const self = { port: 8001, hosts: new Set(['192.168.1.20', 'scout-box', 'fe80::1']) };

describe('endpointUrlProblem', () => {
  it.each([
    'http://127.0.0.1:8001/',
    'http://127.8.9.10:8001/x',
    'http://localhost:8001',
    'http://api.localhost:8001',
    'http://[::1]:8001/',
    'http://0.0.0.0:8001',
    'http://[::ffff:127.0.0.1]:8001/',
    'http://192.168.1.20:8001/',
    'http://SCOUT-BOX:8001/',
    'http://[fe80::1]:8001/',
  ])('refuses the daemon itself: %s', (url) => {
    expect(endpointUrlProblem(url, self)).toContain('this daemon itself');
  });

  it.each(['http://127.0.0.1:8002/', 'https://localhost/', 'https://hooks.example.com:8001/', 'http://192.168.1.21:8001/'])(
    'accepts %s',
    (url) => {
      expect(endpointUrlProblem(url, self)).toBeUndefined();
    },
  );

  it('takes the default port of the scheme: the daemon on 80 is http://localhost/', () => {
    expect(endpointUrlProblem('http://localhost/', { ...self, port: 80 })).toContain('itself');
    expect(endpointUrlProblem('https://localhost/', { ...self, port: 80 })).toBeUndefined();
  });

  it('refuses other schemes and credentials, without repeating the URL', () => {
    expect(endpointUrlProblem('file:///etc/passwd', self)).toContain('http or https');
    expect(endpointUrlProblem('https://u:Zq9secret@hooks.example.com/', self)).not.toContain('Zq9secret');
    expect(endpointUrlProblem('https://u:Zq9secret@hooks example.com/', self)).not.toContain('Zq9secret');
  });
});

describe('webhook configuration', () => {
  it('has documented defaults and refuses a lease that does not outlast the timeout', () => {
    const config = loadConfig({});
    expect([config.WEBHOOK_TIMEOUT_MS, config.WEBHOOK_LEASE_MS, config.WEBHOOK_MAX_ATTEMPTS, config.WEBHOOK_SECRET_GRACE_MS]).toEqual([
      10_000, 30_000, 8, 86_400_000,
    ]);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '30000', WEBHOOK_LEASE_MS: '30000' })).toThrow(
      /WEBHOOK_LEASE_MS: must be above WEBHOOK_TIMEOUT_MS/,
    );
  });
});
