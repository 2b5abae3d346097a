import { describe, expect, it } from 'vitest';
import { parseProxyUrl, proxyCredentialForms, scrubSecrets } from '../../src/accounts/credentials.js';
import { parseAccountLines, parseProxyLines } from '../../src/accounts/import-lines.js';

describe('parseProxyUrl', () => {
  it.each([
    ['http://u:p@Proxy.Example.com:8080', 'http', 'http://u:p@proxy.example.com:8080', 'http://proxy.example.com:8080'],
    ['socks5://user:secret@10.0.0.1:1080', 'socks5', 'socks5://user:secret@10.0.0.1:1080', 'socks5://10.0.0.1:1080'],
    ['HTTP://10.0.0.2:3128/', 'http', 'http://10.0.0.2:3128', 'http://10.0.0.2:3128'],
    ['http://10.0.0.3', 'http', 'http://10.0.0.3:80', 'http://10.0.0.3:80'],
    ['socks5://[::1]:9050', 'socks5', 'socks5://[::1]:9050', 'socks5://[::1]:9050'],
  ])('%s', (input, type, url, label) => {
    expect(parseProxyUrl(input)).toEqual({ ok: true, value: { type, url, label } });
  });

  it.each([
    ['https://u:pw1234@h:1', /unsupported proxy scheme "https:\/\/"/],
    ['socks4://h:1', /unsupported proxy scheme/],
    ['h:1', /not a proxy URL/],
    ['http://u:pw1234@h:99999', /not a valid http proxy URL/],
    ['http://h:8080/path', /no path, query or fragment/],
    ['http://:pw1234@h:8080', /password but no user name/],
  ])('refuses %s without echoing the password', (input, message) => {
    const result = parseProxyUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(message);
      expect(result.message).not.toContain('pw1234');
    }
  });
});

describe('parseProxyLines', () => {
  it('reads the usual list formats, skipping blanks and comments, tolerating CRLF and spaces', () => {
    const text = [
      '# my proxies',
      'http://alice:s3cret@p1.example:8001',
      '',
      '  p2.example:8002  ',
      'p3.example:8003:bob:pa:ss',
      'carol:p@ss@p4.example:8004\r',
      'socks5://p5.example:1080',
    ].join('\r\n');
    const parsed = parseProxyLines(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map((e) => [e.line, e.proxy.label, e.proxy.url])).toEqual([
      [2, 'http://p1.example:8001', 'http://alice:s3cret@p1.example:8001'],
      [4, 'http://p2.example:8002', 'http://p2.example:8002'],
      [5, 'http://p3.example:8003', 'http://bob:pa%3Ass@p3.example:8003'],
      [6, 'http://p4.example:8004', 'http://carol:p%40ss@p4.example:8004'],
      [7, 'socks5://p5.example:1080', 'socks5://p5.example:1080'],
    ]);
  });

  it('reports bad lines by number and reason, never with their credentials', () => {
    const parsed = parseProxyLines(
      ['ok.example:1', 'nonsense', 'h:notaport:user:topsecret', 'ftp://user:topsecret@h:21', ':topsecret@h:1'].join('\n'),
    );
    expect(parsed.entries).toHaveLength(1);
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(parsed.errors[0]!.message).toMatch(/not a proxy \(expected/);
    expect(parsed.errors[2]!.message).toMatch(/unsupported proxy scheme "ftp:\/\/"/);
    expect(parsed.errors[3]!.message).toMatch(/password but no user name/);
    expect(JSON.stringify(parsed.errors)).not.toContain('topsecret');
  });
});

describe('parseAccountLines', () => {
  it('reads username:password and username:password:proxy-url; passwords may hold ":"', () => {
    const text = '# accounts\n\n@Alice.One:pw:with:colons\r\n  bob_2:hunter2:socks5://u:p@10.0.0.9:1080  \ncarol:x:http://10.0.0.8:3128\n';
    const parsed = parseAccountLines(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries).toEqual([
      { line: 3, username: 'alice.one', password: 'pw:with:colons' },
      {
        line: 4,
        username: 'bob_2',
        password: 'hunter2',
        proxy: { type: 'socks5', url: 'socks5://u:p@10.0.0.9:1080', label: 'socks5://10.0.0.9:1080' },
      },
      { line: 5, username: 'carol', password: 'x', proxy: { type: 'http', url: 'http://10.0.0.8:3128', label: 'http://10.0.0.8:3128' } },
    ]);
  });

  it('reports each bad line with its number and never echoes a password', () => {
    const text = [
      'good:pw-good',
      'nocolon-topsecret',
      'bad..name:topsecret',
      'empty:',
      'prox:topsecret:https://u:topsecret@h:1',
      'prox2:topsecret:http://h:1/x',
    ].join('\n');
    const parsed = parseAccountLines(text);
    expect(parsed.entries.map((e) => e.username)).toEqual(['good']);
    expect(parsed.errors).toEqual([
      { line: 2, message: expect.stringMatching(/expected username:password/) },
      { line: 3, message: expect.stringMatching(/"bad\.\.name" is not a valid Instagram username/) },
      { line: 4, message: 'the password is empty' },
      { line: 5, message: expect.stringMatching(/^proxy: unsupported proxy scheme "https:\/\/"/) },
      { line: 6, message: expect.stringMatching(/^proxy: a proxy URL has no path/) },
    ]);
    expect(JSON.stringify(parsed.errors)).not.toContain('topsecret');
  });
});

describe('scrubSecrets', () => {
  it('removes URL credentials and the known credential strings in any form', () => {
    const url = 'http://al%40ice:s3cr3t!@h:1';
    const forms = proxyCredentialForms(url);
    const basic = Buffer.from('al@ice:s3cr3t!').toString('base64');
    const text = `connect to http://al%40ice:s3cr3t!@h:1 failed; user al@ice pass s3cr3t! auth Basic ${basic}`;
    const scrubbed = scrubSecrets(text, forms)!;
    for (const secret of ['s3cr3t', 'al@ice', 'al%40ice', basic]) expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('http://***@h:1');
    expect(scrubSecrets(null)).toBeNull();
  });
});
