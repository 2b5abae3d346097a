import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPassword, normalizeUsername, parseProxyUrl, scrubSecrets } from '../../src/accounts/credentials.js';
import { parseAccountLines, parseProxyLine, parseProxyLines } from '../../src/accounts/import-lines.js';
import { CategoryName } from '../../src/http/schemas-ai.js';
import { Hashtag, Username } from '../../src/http/schemas.js';
import { anyString, checkProperty } from './fuzz-kit.js';

/**
 * The pure validators behind the routes, fuzzed directly: they are cheap, so thousands of inputs run in a second.
 * Their contract: never throw (a refusal is `{ ok: false, message }` or a zod issue), a refusal always says why,
 * what they accept is already in its stored form, and no message repeats a password or a proxy credential.
 */

const RUNS = 1_500;

/** Text that looks like the real thing often enough to reach the deep branches, and junk otherwise. */
const usernameLike = fc.oneof(fc.stringMatching(/^[ @]?[A-Za-z0-9._]{0,32} ?$/), anyString);
/** A recognisable secret: a marker plus random text (any code points, so encoders and URL parsers are exercised). */
const oddUnit = fc.constantFrom('\uD800', '\uDFFF', '\u0000', '\n', ':', '@', '/', '%', '%zz', '#', '?', ' ', 'é', '😀');
const secret = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9]{4,10}$/),
    fc.array(fc.oneof(oddUnit, fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 3 }),
  )
  .map(([a, b]) => `Sx${a}${b.join('')}`);
const host = fc.oneof(
  fc.constantFrom('1.2.3.4', 'proxy.example.com', '[::1]', 'h', 'xn--80ak6aa92e.com', '', 'bad host', 'a@b', 'ä.example'),
  fc.ipV4(),
  fc.domain(),
);
const port = fc.oneof(fc.integer({ min: 0, max: 70_000 }).map(String), fc.constantFrom('', 'x', '-1', '08080', ' 80'));
const scheme = fc.constantFrom('http', 'socks5', 'HTTP', 'SOCKS5', 'https', 'socks4', 'ftp', 'h', '');

describe('usernames', () => {
  it('normalizeUsername never throws, explains every refusal, and what it accepts is already normal', async () => {
    await checkProperty(
      'normalizeUsername',
      fc.property(usernameLike, (input) => {
        const result = normalizeUsername(input);
        if (!result.ok) {
          expect(result.message).toMatch(/not a valid Instagram username/);
          return;
        }
        expect(result.value).toMatch(/^(?!\.)(?!.*\.\.)(?!.*\.$)[a-z0-9._]{1,30}$/);
        expect(normalizeUsername(result.value)).toEqual(result);
      }),
      RUNS,
    );
  });

  it('the API schema and the import parser agree on every username', async () => {
    await checkProperty(
      'username agreement',
      fc.property(usernameLike, (input) => {
        const api = Username.safeParse(input);
        const parsed = normalizeUsername(input);
        expect(api.success).toBe(parsed.ok);
        if (api.success && parsed.ok) expect(api.data).toBe(parsed.value);
      }),
      RUNS,
    );
  });
});

describe('hashtags and category names', () => {
  it('the Hashtag schema never throws and yields a bare lower-case tag', async () => {
    const tagLike = fc.oneof(fc.stringMatching(/^#{0,2}[\p{L}\p{N}_ ]{0,12}$/u), anyString);
    await checkProperty(
      'hashtag',
      fc.property(tagLike, (input) => {
        const result = Hashtag.safeParse(input);
        if (!result.success) {
          expect(result.error.issues[0]?.message).toMatch(/not a valid hashtag|expected string/);
          return;
        }
        expect(result.data).toMatch(/^[\p{L}\p{N}_]{1,100}$/u);
        expect(result.data).toBe(result.data.toLowerCase());
      }),
      RUNS,
    );
  });

  it('the CategoryName schema never throws and refuses with a message', async () => {
    await checkProperty(
      'category name',
      fc.property(fc.oneof(fc.stringMatching(/^[a-zA-Z &'_/-]{0,70}$/), anyString), (input) => {
        const result = CategoryName.safeParse(input);
        if (!result.success) expect(result.error.issues[0]?.message.length).toBeGreaterThan(0);
        else expect(result.data.length).toBeLessThanOrEqual(64);
      }),
      RUNS,
    );
  });
});

describe('passwords', () => {
  it('checkPassword never throws, never repeats the password, and accepts only what is stored unchanged', async () => {
    await checkProperty(
      'checkPassword',
      fc.property(fc.oneof(secret, anyString, fc.string({ unit: 'binary', minLength: 250, maxLength: 260 })), (password) => {
        const result = checkPassword(password);
        if (!result.ok) {
          expect(result.message.length).toBeGreaterThan(0);
          if (password.length >= 4) expect(result.message).not.toContain(password);
          return;
        }
        expect(result.value).toBe(password);
        // Stored encrypted as UTF-8: an accepted password must come back from storage exactly as given.
        expect(Buffer.from(result.value, 'utf8').toString('utf8')).toBe(password);
      }),
      RUNS,
    );
  });
});

describe('proxy URLs and proxy list lines', () => {
  const proxyUrl = fc
    .tuple(
      scheme,
      fc.option(fc.tuple(secret, fc.option(secret, { nil: undefined })), { nil: undefined }),
      host,
      port,
      fc.constantFrom('', '', '/', '/x', '?a', '#f'),
    )
    .map(([s, creds, h, p, tail]) => ({
      text: `${s}://${creds ? `${creds[0]}${creds[1] === undefined ? '' : `:${creds[1]}`}@` : ''}${h}${p === '' ? '' : `:${p}`}${tail}`,
      secrets: creds ? creds.filter((c): c is string => c !== undefined) : [],
    }));

  it('parseProxyUrl never throws, labels carry no credentials, and its output parses to itself', async () => {
    await checkProperty(
      'parseProxyUrl',
      fc.property(
        fc.oneof(
          proxyUrl,
          anyString.map((text) => ({ text, secrets: [] as string[] })),
        ),
        ({ text, secrets }) => {
          const result = parseProxyUrl(text);
          if (!result.ok) {
            expect(result.message.length).toBeGreaterThan(0);
            for (const s of secrets) expect(result.message).not.toContain(s);
            return;
          }
          expect(result.value.label).toMatch(/^(http|socks5):\/\/[^@/]+:\d{1,5}$/);
          expect(result.value.url.startsWith(`${result.value.type}://`)).toBe(true);
          for (const s of secrets) expect(result.value.label).not.toContain(s);
          const again = parseProxyUrl(result.value.url);
          expect(again).toEqual(result);
        },
      ),
      RUNS,
    );
  });

  // host:port, host:port:user:pass, user:pass@host:port, or a URL: all the forms providers hand out.
  const proxyLine = fc.oneof(
    proxyUrl,
    fc.tuple(host, port).map(([h, p]) => ({ text: `${h}:${p}`, secrets: [] as string[] })),
    fc.tuple(host, port, secret, secret).map(([h, p, u, pw]) => ({ text: `${h}:${p}:${u}:${pw}`, secrets: [u, pw] })),
    fc.tuple(secret, secret, host, port).map(([u, pw, h, p]) => ({ text: `${u}:${pw}@${h}:${p}`, secrets: [u, pw] })),
    anyString.map((text) => ({ text, secrets: [] as string[] })),
  );

  it('parseProxyLine never throws and never repeats a credential', async () => {
    await checkProperty(
      'parseProxyLine',
      fc.property(proxyLine, ({ text, secrets }) => {
        const result = parseProxyLine(text);
        if (result.ok) {
          expect(result.value.label).toMatch(/^(http|socks5):\/\/[^@/]+:\d{1,5}$/);
          return;
        }
        expect(result.message.length).toBeGreaterThan(0);
        for (const s of secrets) expect(result.message).not.toContain(s);
      }),
      RUNS,
    );
  });

  it('parseProxyLines numbers each bad line and never throws', async () => {
    await checkProperty(
      'parseProxyLines',
      fc.property(fc.array(proxyLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (list, eol) => {
        const text = list.map((l) => l.text).join(eol);
        const { entries, errors } = parseProxyLines(text);
        const lineCount = text.split(/\r?\n/).length;
        expect(entries.length + errors.length).toBeLessThanOrEqual(lineCount);
        for (const error of errors) {
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.line).toBeLessThanOrEqual(lineCount);
          expect(error.message.length).toBeGreaterThan(0);
          for (const s of list.flatMap((l) => l.secrets)) expect(error.message).not.toContain(s);
        }
      }),
      RUNS / 3,
    );
  });
});

describe('account list lines', () => {
  const accountLine = fc
    .tuple(usernameLike, secret, fc.option(fc.tuple(scheme, secret, host, port), { nil: undefined }), fc.constantFrom('', ' ', '\t'))
    .map(([user, password, proxy, pad]) => {
      const proxyText = proxy ? `:${proxy[0]}://u:${proxy[1]}@${proxy[2]}:${proxy[3]}` : '';
      return { text: `${pad}${user}:${password}${proxyText}${pad}`, user, password, secrets: proxy ? [password, proxy[1]] : [password] };
    });

  it('parseAccountLines never throws, keeps each password exactly, and never repeats one in an error', async () => {
    await checkProperty(
      'parseAccountLines',
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 5, arbitrary: accountLine },
            { weight: 1, arbitrary: anyString.map((text) => ({ text, user: '', password: '', secrets: [] as string[] })) },
          ),
          { maxLength: 10 },
        ),
        (list) => {
          const text = list.map((l) => l.text).join('\n');
          const { entries, errors } = parseAccountLines(text);
          for (const error of errors) {
            expect(error.message.length).toBeGreaterThan(0);
            for (const s of list.flatMap((l) => l.secrets)) expect(error.message).not.toContain(s);
          }
          for (const entry of entries) {
            expect(normalizeUsername(entry.username)).toEqual({ ok: true, value: entry.username });
            expect(checkPassword(entry.password).ok).toBe(true);
            if (entry.proxy) expect(entry.proxy.label).toMatch(/^(http|socks5):\/\//);
          }
        },
      ),
      RUNS / 3,
    );
  });
});

describe('scrubSecrets', () => {
  it('removes every known credential and any user:pass@ from a text', async () => {
    const word = fc.stringMatching(/^[A-Za-z0-9]{3,12}$/);
    await checkProperty(
      'scrubSecrets',
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), word), { maxLength: 6 }),
        (secrets, noise) => {
          const text = [...noise, ...secrets.map((s) => `http://user:${s}@h:1`), ...secrets].join(' ');
          const scrubbed = scrubSecrets(text, secrets)!;
          for (const s of secrets) expect(scrubbed).not.toContain(s);
        },
      ),
      RUNS / 3,
    );
  });
});

describe('counterexamples this fuzzing found, pinned', () => {
  it('half a surrogate pair in a proxy line is a refusal, not a URIError', () => {
    expect(() => parseProxyLine('0.0.0.0:8080:Sx00A0:Sx0aAa\uD800')).not.toThrow();
    expect(parseProxyLine('0.0.0.0:8080:Sx00A0:Sx0aAa\uD800')).toEqual({
      ok: false,
      message: expect.stringMatching(/broken Unicode character/),
    });
    expect(parseProxyLines('a.aa:0:SxAAaA\uD800:Sx0aAA').errors).toHaveLength(1);
  });

  it('half a surrogate pair in a password or proxy URL is refused (UTF-8 storage would change it)', () => {
    expect(checkPassword('a\uDFFFb').ok).toBe(false);
    expect(parseProxyUrl('http://u:p\uD800@1.2.3.4:80').ok).toBe(false);
    // A whole pair is ordinary text.
    expect(checkPassword('pass😀word')).toEqual({ ok: true, value: 'pass😀word' });
  });
});
