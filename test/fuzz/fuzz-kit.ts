import fc from 'fast-check';

/**
 * Shared by the fuzz suites: reproducible runs, the junk the generators draw from, and the error-shape check.
 *
 * Every property runs with a fixed seed (derived from its name) so `npm test` is deterministic; a failure names the
 * seed and the counterexample path. To explore, set FUZZ_SEED=<n> (or FUZZ_SEED=random) and FUZZ_RUNS=<multiplier>.
 */

/** A stable 31-bit seed per property name (FNV-1a), so adding a property does not shift the others' seeds. */
export function seedFor(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash >>> 0) & 0x7fffffff;
}

function envSeed(name: string): number {
  const given = process.env.FUZZ_SEED;
  if (!given) return seedFor(name);
  if (given === 'random') return Math.floor(Math.random() * 0x7fffffff);
  const parsed = Number(given);
  if (!Number.isInteger(parsed)) throw new Error(`FUZZ_SEED must be an integer or "random", not ${JSON.stringify(given)}`);
  return parsed;
}

const RUNS_SCALE = Number(process.env.FUZZ_RUNS ?? 1) || 1;

/**
 * fc.assert with a fixed seed and a run count scaled by FUZZ_RUNS. The rethrown error starts with the seed and the
 * command that replays it, because fast-check's own report is long and the seed is easy to miss in it.
 */
export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  runs: number,
): Promise<void> {
  const seed = envSeed(name);
  const numRuns = Math.max(1, Math.round(runs * RUNS_SCALE));
  try {
    // Shrinking replays requests against the database; a bounded budget keeps a failing run from eating the suite.
    await fc.assert(property as fc.IAsyncPropertyWithHooks<Ts>, { seed, numRuns, endOnFailure: false, interruptAfterTimeLimit: 120_000 });
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(`fuzz property "${name}" failed with seed ${seed} (replay: FUZZ_SEED=${seed} npx vitest run test/fuzz)\n${message}`, {
      cause: error,
    });
  }
}

/** Strings that break naive parsers: empties, edges of the username rules, control and lone-surrogate code units, SQL and LIKE metacharacters, dates, proxies, numbers in words. */
export const EDGE_STRINGS: readonly string[] = [
  '',
  ' ',
  '  \t ',
  'a',
  '@',
  '@natgeo',
  'NatGeo',
  'nat..geo',
  '.nat',
  'nat.',
  '_',
  'a'.repeat(30),
  'a'.repeat(31),
  'a'.repeat(257),
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  '9007199254740993',
  '9223372036854775808',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'true',
  'undefined',
  '[]',
  '{}',
  '{"a":1}',
  '\u0000',
  'a\u0000b',
  '\u0001',
  '\u007f',
  '\uD800',
  'a\uDFFFb',
  '\uFEFF',
  '\u200B',
  '\u202E',
  '😀',
  'e\u0301',
  'Ω',
  'ǅ',
  'ß',
  'İ',
  'ﬃ',
  '\n',
  '\r\n',
  'a\nb',
  '\t',
  '%',
  '%00',
  '%zz',
  '%ff',
  '../',
  '..',
  '/',
  "'",
  '"',
  "'; DROP TABLE blogs; --",
  '\\',
  'a\\',
  '%_\\',
  '*',
  'discover:*',
  'manual',
  '#',
  '#tag',
  '##',
  'http://u:p@1.2.3.4:8080',
  'socks5://h:1080',
  'http://h:99999',
  'http://h:0',
  'ftp://h:1',
  'http://[::1]:80',
  'http://:p@h:1',
  'http://h:1/path?q#f',
  'http://%zz@h:1',
  '1.2.3.4:80',
  '1.2.3.4:80:user:pass',
  'user:pass@1.2.3.4:80',
  'user:pass',
  ':pass',
  'user:',
  'user:pass:http://h:1',
  '2024-05-01',
  '2024-05-01T12:00:00Z',
  '2024-05-01T12:00:00',
  '2024-13-45',
  '2024-02-30',
  '9999-99-99T99:99Z',
  '0000-01-01',
  '+275760-09-13T00:00:00Z',
  '2024-05-01T12:00:00+99:99',
  'true\u0000',
];

const LONG_STRINGS = ['x'.repeat(10_000), 'é'.repeat(40_000), '\uD83D'.repeat(5_000), 'a:'.repeat(20_000)];

/** Any string at all: edges, unicode (lone surrogates included), long, and ordinary text. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...LONG_STRINGS) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...EDGE_STRINGS), fc.string({ unit: 'grapheme', maxLength: 10 })).map(([a, b]) => a + b),
  },
);

export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    2,
    3,
    1.5,
    -1.5,
    0.1,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    2 ** 64,
    -(2 ** 63),
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER,
  ),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, including the deep and the wide. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      '',
      [],
      {},
      [null],
      { '': null },
      { constructor: { prototype: 1 } },
      JSON.parse('{"__proto__":{"polluted":1}}'),
    ),
  },
  { weight: 1, arbitrary: anyString },
  { weight: 1, arbitrary: anyNumber },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 2_000 }).map(nested) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 5 }) },
);

/** `{"a":{"a":…}}` so deep that a recursive walker would overflow its stack. */
function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Body texts JSON.parse refuses or that mean something odd: JS-isms, truncation, garbage, byte-order marks, duplicate keys. */
export const RAW_BODIES: readonly string[] = [
  '',
  ' ',
  'null',
  '[]',
  '{}',
  '"string"',
  '42',
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  '{',
  '}',
  '{"',
  '{"a":',
  '{"a":1,}',
  '[1,2,]',
  "{'a':1}",
  '{a:1}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":-Infinity}',
  '{"a":undefined}',
  '{"a":0x10}',
  '{"a":01}',
  '{"a":1}garbage',
  '{"a":1}{"a":2}',
  '\uFEFF{}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":"\\x41"}',
  '{"a":1e999}',
  '{"a":-1e999}',
  '{"a":123456789012345678901234567890}',
  '/* c */{}',
  '{"__proto__":{"polluted":1}}',
  '\u0000',
  'a=1&b=2',
  '--boundary\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--boundary--',
  '['.repeat(100_000) + ']'.repeat(100_000),
  '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
];

/** JSON text of an object with one key given twice: JSON.parse keeps the last, which must be validated like any other. */
export function withDuplicateKey(text: string, key: string, value: unknown): string {
  if (!text.startsWith('{')) return text;
  const first = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`;
  return text === '{}' ? `{${first}}` : `{${first},${text.slice(1)}`;
}

/** Header values must be ByteStrings without CR, LF or NUL, or the Request constructor throws before we test anything. */
export const headerJunk: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'x', '\t', 'é', 'ÿ', 'a'.repeat(8_000), 'null', 'undefined', '*/*', ';', '=', ',', '"'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 30 }),
);

export interface ErrorShape {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** The one error shape of the API, checked strictly: a string code, a non-empty message, details only as a list. */
export function errorShapeProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body is not a JSON object';
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return `body has keys ${JSON.stringify(keys)}, expected only "error"`;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return 'error is not an object';
  const { code, message, details } = error as Record<string, unknown>;
  if (typeof code !== 'string' || code === '') return 'error.code is not a non-empty string';
  if (typeof message !== 'string' || message.trim() === '') return 'error.message is not a non-empty string';
  if (details !== undefined && !Array.isArray(details)) return 'error.details is not a list';
  return undefined;
}
