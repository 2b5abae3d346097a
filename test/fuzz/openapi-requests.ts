import fc from 'fast-check';
import { anyJson, anyNumber, anyString, EDGE_STRINGS, headerJunk, RAW_BODIES, withDuplicateKey } from './fuzz-kit.js';

/**
 * Requests generated from the app's own OpenAPI document, so a route added tomorrow is fuzzed without touching this
 * file. Values are "near valid": mostly what the schema asks for, with edges and wrong types mixed in, because purely
 * random input stops at the first validator and never reaches the handlers and SQL behind them.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  example?: unknown;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI form: /api/tasks/{id} */
  path: string;
  parameters: Parameter[];
  body?: { schema: JsonSchema; required: boolean };
  /** The document says it needs the bearer key. */
  secured: boolean;
}

export interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
        security?: unknown[];
        responses?: Record<string, unknown>;
      }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface FuzzRequest {
  method: string;
  /** Path and query string, already encoded (or deliberately mis-encoded). */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const json = op.requestBody?.content['application/json'];
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: json ? { schema: json.schema, required: op.requestBody?.required ?? false } : undefined,
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

export class RequestFactory {
  constructor(private readonly doc: OpenApiDocument) {}

  private resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; current.$ref && hops < 20; hops++) {
      const name = current.$ref.replace('#/components/schemas/', '');
      const target = this.doc.components?.schemas?.[name];
      if (!target) throw new Error(`unresolvable $ref ${current.$ref} in the OpenAPI document`);
      current = target;
    }
    return current;
  }

  /**
   * A whole request for one operation. Two kinds, mixed: "clean" ones where every part is drawn from what the schema
   * allows (so the handler and its SQL run, with edge values), and "broken" ones where any part may be junk (so the
   * validators and error paths run). Without the clean kind most requests would stop at the first validator.
   */
  request(op: Operation, auth: fc.Arbitrary<Record<string, string>>): fc.Arbitrary<FuzzRequest> {
    return fc.oneof({ weight: 2, arbitrary: this.build(op, auth, false) }, { weight: 3, arbitrary: this.build(op, auth, true) });
  }

  private build(op: Operation, auth: fc.Arbitrary<Record<string, string>>, junk: boolean): fc.Arbitrary<FuzzRequest> {
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const pathArb = fc
      .tuple(...pathParams.map((p) => this.pathSegment(p.schema, p.name, junk)))
      .map((segments) => pathParams.reduce((path, p, i) => path.replace(`{${p.name}}`, segments[i] ?? ''), op.path));
    const canHaveBody = op.method !== 'GET' && op.method !== 'HEAD';
    const bodyArb: fc.Arbitrary<string | undefined> = !canHaveBody
      ? fc.constant(undefined)
      : op.body
        ? junk
          ? this.bodyText(op.body.schema)
          : this.value(op.body.schema, 0, '', false).map((v) => JSON.stringify(v))
        : junk
          ? fc.option(
              fc.oneof(
                fc.constantFrom(...RAW_BODIES.slice(0, 10)),
                anyJson.map((v) => JSON.stringify(v) ?? ''),
              ),
              { freq: 4, nil: undefined },
            )
          : fc.constant(undefined);
    const query = this.queryString(
      op.parameters.filter((p) => p.in === 'query'),
      junk,
    );
    const type = junk ? contentType() : fc.constant(op.body ? 'application/json' : undefined);
    const extra = junk ? extraHeaders() : fc.constant({});
    return fc
      .record({ path: pathArb, query, body: bodyArb, auth, type, extra })
      .map(({ path, query: q, body, auth: authHeaders, type: t, extra: more }) => {
        const headers: Record<string, string> = { ...more, ...authHeaders };
        if (t !== undefined) headers['content-type'] = t;
        return { method: op.method, url: q === '' ? path : `${path}?${q}`, headers, ...(body === undefined ? {} : { body }) };
      });
  }

  /** An operation's path with its path parameters filled in validly, for requests that must reach the route. */
  samplePath(op: Operation): string {
    return op.parameters
      .filter((p) => p.in === 'path')
      .reduce((path, p) => path.replace(`{${p.name}}`, this.resolve(p.schema).type === 'integer' ? '1' : 'natgeo'), op.path);
  }

  private pathSegment(schema: JsonSchema, name: string, junk: boolean): fc.Arbitrary<string> {
    const resolved = this.resolve(schema);
    // Ids 1–6 and short usernames: the seeded rows, so valid requests often find something.
    const valid =
      resolved.type === 'integer'
        ? fc.integer({ min: 1, max: 6 }).map(String)
        : fc.oneof(fc.constantFrom('natgeo', 'nasa', 'NatGeo', '@natgeo'), validUsername);
    if (!junk) return valid;
    return fc.oneof(
      { weight: 3, arbitrary: valid },
      { weight: 3, arbitrary: fc.constantFrom(...ID_SEGMENTS) },
      { weight: 2, arbitrary: this.stringFor(resolved, name, true).map(encodeLoose) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    );
  }

  private queryString(params: Parameter[], junk: boolean): fc.Arbitrary<string> {
    const pairs = params.map((p) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constant<[string, string][]>([]) },
        { weight: 4, arbitrary: this.queryValue(p, junk).map((v): [string, string][] => [[p.name, v]]) },
        // The same key twice: the validator sees a list where it expects one value.
        {
          weight: junk ? 1 : 0,
          arbitrary: fc.tuple(this.queryValue(p, junk), this.queryValue(p, junk)).map(([a, b]): [string, string][] => [
            [p.name, a],
            [p.name, b],
          ]),
        },
      ),
    );
    const unknown = fc.oneof(
      { weight: 6, arbitrary: fc.constant<[string, string][]>([]) },
      {
        weight: junk ? 1 : 0,
        arbitrary: fc.tuple(fc.constantFrom(...UNKNOWN_KEYS), anyString).map(([k, v]): [string, string][] => [[k, v]]),
      },
    );
    const raw = fc.oneof(
      { weight: 8, arbitrary: fc.constant('') },
      { weight: junk ? 1 : 0, arbitrary: fc.constantFrom(...RAW_QUERY_JUNK) },
    );
    return fc.tuple(fc.tuple(...pairs, unknown), raw).map(([groups, tail]) => {
      const encoded = groups.flat().map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`);
      if (tail) encoded.push(tail);
      return encoded.join('&');
    });
  }

  private queryValue(p: Parameter, junk: boolean): fc.Arbitrary<string> {
    const schema = this.resolve(p.schema);
    if (schema.enum) {
      const members = fc.constantFrom(...schema.enum.map(String));
      return junk
        ? fc.oneof(
            { weight: 3, arbitrary: members },
            { weight: 1, arbitrary: enumNear(schema.enum.map(String)) },
            { weight: 1, arbitrary: anyString },
          )
        : members;
    }
    if (schema.type === 'integer' || schema.type === 'number') {
      const numbers = this.numberFor(schema, junk).map(String);
      return junk
        ? fc.oneof(
            { weight: 3, arbitrary: numbers },
            { weight: 1, arbitrary: fc.constantFrom(...NUMBER_WORDS) },
            { weight: 1, arbitrary: anyString },
          )
        : numbers;
    }
    return this.stringFor(schema, p.name, junk);
  }

  /** A body: a near-valid object, any JSON, or text that is not JSON; sometimes with a key given twice. */
  private bodyText(schema: JsonSchema): fc.Arbitrary<string | undefined> {
    const near = this.value(schema, 0, '', true);
    return fc.oneof(
      { weight: 8, arbitrary: near.map((v) => JSON.stringify(v) ?? 'null') },
      {
        weight: 2,
        arbitrary: fc
          .tuple(near, fc.constantFrom(...this.keysOf(schema), 'extra'), anyJson)
          .map(([v, k, dup]) => withDuplicateKey(JSON.stringify(v) ?? 'null', k, dup)),
      },
      { weight: 2, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 2, arbitrary: fc.constantFrom(...RAW_BODIES) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  }

  /** The property names of an object schema ($ref resolved). */
  keysOf(schema: JsonSchema): string[] {
    return Object.keys(this.resolve(schema).properties ?? {});
  }

  /** A value for a schema: what it allows (edges included), and with `junk` at times the wrong type altogether. */
  value(schema: JsonSchema, depth: number, name: string, junk: boolean): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    const variants = s.anyOf ?? s.oneOf;
    if (variants?.length) return fc.oneof(...variants.map((v) => this.value(v, depth + 1, name, junk)));
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const options: fc.WeightedArbitrary<unknown>[] = junk ? [{ weight: 1, arbitrary: anyJson }] : [];
    if (types.includes('null')) options.push({ weight: 2, arbitrary: fc.constant(null) });
    if (s.enum) {
      options.push({ weight: 8, arbitrary: fc.constantFrom(...s.enum) });
      if (junk) options.push({ weight: 1, arbitrary: enumNear(s.enum.map(String)) });
    } else if (types.includes('object') && depth < 4) options.push({ weight: 12, arbitrary: this.object(s, depth, junk) });
    else if (types.includes('array') && depth < 4) options.push({ weight: 8, arbitrary: this.array(s, depth, name, junk) });
    else if (types.includes('integer') || types.includes('number')) {
      options.push({ weight: 6, arbitrary: this.numberFor(s, junk) });
      if (junk) options.push({ weight: 1, arbitrary: this.numberFor(s, junk).map(String) });
    } else if (types.includes('string')) options.push({ weight: 8, arbitrary: this.stringFor(s, name, junk) });
    else if (types.includes('boolean')) {
      options.push({ weight: 6, arbitrary: fc.boolean() });
      if (junk) options.push({ weight: 1, arbitrary: fc.constantFrom<unknown>('true', 'false', 0, 1) });
    }
    return options.length ? fc.oneof(...options) : anyJson;
  }

  private object(s: JsonSchema, depth: number, junk: boolean): fc.Arbitrary<Record<string, unknown>> {
    const required = new Set(s.required ?? []);
    const fields = Object.entries(s.properties ?? {}).map(([key, prop]) =>
      fc.oneof(
        { weight: required.has(key) ? (junk ? 1 : 0) : 4, arbitrary: fc.constant(undefined) },
        { weight: 8, arbitrary: this.value(prop, depth + 1, key, junk).map((v) => [key, v] as const) },
      ),
    );
    const extra = junk
      ? fc.option(fc.tuple(fc.constantFrom(...UNKNOWN_KEYS), anyJson), { freq: 6, nil: undefined })
      : fc.constant(undefined);
    return fc.tuple(fc.tuple(...fields), extra).map(([entries, more]) => {
      // Object.fromEntries defines own properties, so a "__proto__" key is sent as a key, not a prototype.
      const all = [...entries, more].filter((e): e is readonly [string, unknown] => e !== undefined);
      return Object.fromEntries(all);
    });
  }

  private array(s: JsonSchema, depth: number, name: string, junk: boolean): fc.Arbitrary<unknown[]> {
    const item = s.items ? this.value(s.items, depth + 1, name, junk) : anyJson;
    const options: fc.WeightedArbitrary<unknown[]>[] = [
      { weight: 10, arbitrary: fc.array(item, { minLength: junk ? 0 : (s.minItems ?? 0), maxLength: 6 }) },
    ];
    // One more than allowed, of valid-looking items, so the size check itself is what refuses it.
    const max = s.maxItems;
    if (junk && max !== undefined && max <= 10_000)
      options.push({ weight: 1, arbitrary: fc.constant(Array.from({ length: max + 1 }, (_, i) => `user_${i}`)) });
    return fc.oneof(...options);
  }

  private numberFor(s: JsonSchema, junk: boolean): fc.Arbitrary<number> {
    // The document gives no bounds for most query numbers (limit, offset): then 1–50 is what a client would send.
    const bounded = s.minimum !== undefined || s.maximum !== undefined || s.exclusiveMinimum !== undefined;
    const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : bounded ? 0 : 1);
    const max = s.maximum ?? (bounded ? Math.max(min + 10, 1_000) : 50);
    const inRange = fc.integer({ min: Math.ceil(min), max: Math.min(Math.floor(max), Math.ceil(min) + 50) });
    if (!junk) return bounded ? fc.oneof(inRange, fc.constantFrom(min, max)) : inRange;
    const edges = [min, max, min - 1, max + 1, min + 0.5].filter((n) => Number.isFinite(n));
    return fc.oneof(
      { weight: 4, arbitrary: inRange },
      { weight: 2, arbitrary: fc.constantFrom(...edges) },
      { weight: 2, arbitrary: anyNumber },
    );
  }

  /** Strings picked by what the field is for (its name), valid ones among them, and (with `junk`) anything. */
  stringFor(s: JsonSchema, name: string, junk: boolean): fc.Arbitrary<string> {
    const domain = DOMAIN_STRINGS[name] ?? DOMAIN_STRINGS[name.replace(/s$/, '')];
    const examples = [s.example, s.default].filter((v): v is string => typeof v === 'string');
    const options: fc.WeightedArbitrary<string>[] = [];
    if (domain) options.push({ weight: 6, arbitrary: domain.valid });
    if (domain && junk) options.push({ weight: 2, arbitrary: domain.edge });
    if (examples.length) options.push({ weight: 1, arbitrary: fc.constantFrom(...examples) });
    if (junk || options.length === 0) options.push({ weight: 3, arbitrary: anyString });
    if (junk && s.maxLength !== undefined)
      options.push({ weight: 1, arbitrary: fc.constantFrom('a'.repeat(s.maxLength), 'a'.repeat(s.maxLength + 1)) });
    return fc.oneof(...options);
  }
}

const validUsername = fc.stringMatching(/^[a-z0-9_]{1,12}$/);
/**
 * Host names at and past the DNS bounds the proxy parser enforces (issue 17: a 2,800-character host overflowed the
 * unique index on the label and answered 500): a 63-character label and a 253-character name are accepted, one more
 * of either is a 400, and a host thousands of characters long fails only its own line of an import.
 */
const boundedHosts = [
  `${'l'.repeat(63)}.example.com`,
  `${'l'.repeat(64)}.example.com`,
  `${'h'.repeat(63)}.`.repeat(3) + 'h'.repeat(61), // 253 characters
  `${'h'.repeat(63)}.`.repeat(3) + 'h'.repeat(62), // 254
  `${'a'.repeat(60)}.`.repeat(47) + 'com', // 2,870
];
const host = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1.2.3.4', '203.0.113.7', 'proxy.example.com', 'localhost', '[::1]', 'xn--80ak6aa92e.com', 'h') },
  { weight: 3, arbitrary: fc.ipV4() },
  { weight: 2, arbitrary: fc.constantFrom(...boundedHosts) },
);
const port = fc.oneof(fc.integer({ min: 1, max: 65535 }).map(String), fc.constantFrom('0', '65536', '99999', '-1', 'abc', ''));
const credential = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{1,10}$/),
  anyString.map((v) => v.slice(0, 20)),
);
const proxyUrl = fc
  .tuple(
    fc.constantFrom('http', 'socks5', 'HTTP', 'https', 'socks4', 'ftp', ''),
    fc.option(fc.tuple(credential, fc.option(credential)), { nil: undefined }),
    host,
    port,
  )
  .map(
    ([scheme, creds, h, p]) =>
      `${scheme}://${creds ? `${creds[0]}${creds[1] !== null ? `:${creds[1]}` : ''}@` : ''}${h}${p === '' ? '' : `:${p}`}`,
  );
const proxyLine = fc.oneof(
  proxyUrl,
  fc.tuple(host, port).map(([h, p]) => `${h}:${p}`),
  fc.tuple(host, port, credential, credential).map(([h, p, u, pw]) => `${h}:${p}:${u}:${pw}`),
  fc.tuple(credential, credential, host, port).map(([u, pw, h, p]) => `${u}:${pw}@${h}:${p}`),
  anyString,
);
const accountLine = fc.oneof(
  fc.tuple(validUsername, credential).map(([u, p]) => `${u}:${p}`),
  fc.tuple(validUsername, credential, proxyUrl).map(([u, p, x]) => `${u}:${p}:${x}`),
  fc.tuple(anyString, anyString).map(([u, p]) => `${u}:${p}`),
  anyString,
);
const lines = (line: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.array(fc.oneof({ weight: 6, arbitrary: line }, { weight: 1, arbitrary: fc.constantFrom('', '# comment', '   ') }), {
        maxLength: 8,
      }),
      fc.constantFrom('\n', '\r\n', '\r'),
    )
    .map(([ls, eol]) => ls.join(eol));
const isoTime = fc.oneof(
  fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2024-05-01',
    '2024-05-01T12:00Z',
    '2024-05-01T12:00:00+05:00',
    '2024-05-01t12:00:00.123456789z',
    '1970-01-01T00:00:00-0130',
  ),
);

/**
 * Generators for fields whose name says what they hold: `valid` ones (mostly accepted, edge cases of the rules
 * included) for clean requests, plus `edge` ones that break a rule, for broken requests.
 */
const DOMAIN_STRINGS: Record<string, { valid: fc.Arbitrary<string>; edge: fc.Arbitrary<string> }> = {
  username: {
    valid: fc.oneof(validUsername, fc.constantFrom('@NatGeo', ' natgeo ', 'a.b_c', 'a'.repeat(30))),
    edge: fc.constantFrom('nat..geo', '.a', 'a.', 'a'.repeat(31), 'ñandú', 'a b'),
  },
  password: {
    valid: fc.oneof(credential, fc.constantFrom('p'.repeat(256), 'pâss:wörd@x', ' spaced ')),
    edge: fc.constantFrom('', 'p'.repeat(257), 'pass\nword', 'pass\u0000', 'a\uD800'),
  },
  url: { valid: proxyUrl, edge: anyString },
  text: { valid: fc.oneof(lines(accountLine), lines(proxyLine)), edge: anyString },
  hashtag: {
    valid: fc.oneof(fc.stringMatching(/^#?[a-z0-9_]{1,20}$/), fc.constantFrom('Алматы', '#ÜBER', 'a'.repeat(100))),
    edge: fc.constantFrom('#', '##a', 'a'.repeat(101), 'a-b'),
  },
  name: {
    valid: fc.oneof(
      fc.stringMatching(/^[a-z][a-z &'_/-]{0,20}$/),
      fc.constantFrom('Family & Kids', '  spaced   out ', 'İstanbul', 'ǅ'.repeat(64)),
    ),
    edge: fc.constantFrom('-lead', 'a'.repeat(65), ''),
  },
  q: {
    valid: fc.oneof(fc.stringMatching(/^[a-z]{1,8}$/), fc.constantFrom('%', '_', '\\', 'a\\', '%_\\', "'", 'nat', 'Geo', 'é')),
    edge: fc.constantFrom('\u0000', 'a'.repeat(101), ''),
  },
  category: {
    valid: fc.oneof(fc.stringMatching(/^[a-z ]{1,10}$/), fc.constantFrom('fuzz alpha', 'FUZZ ALPHA', '%')),
    edge: fc.constantFrom('\u0000', 'a'.repeat(101), ''),
  },
  source: {
    valid: fc.constantFrom('manual', 'discover:*', 'discover:food', 'manual*', '*', '_*', 'discover:', 'a.b-c'),
    edge: fc.constantFrom('**', 'a*b', '%*', '\\*', 'a b'),
  },
  account: {
    valid: fc.oneof(validUsername, fc.integer({ min: 1, max: 10 }).map(String), fc.constantFrom('scout1', '@SCOUT2', '9999999999999999')),
    edge: fc.constantFrom('@', '\u0000', ' ', 'a'.repeat(65)),
  },
  outcome: { valid: fc.constantFrom('ok', 'rate_limited', 'challenge', 'login_required'), edge: fc.constantFrom('OK', 'a-b', '') },
  since: { valid: isoTime, edge: fc.constantFrom('2024-05-01T12:00:00', '2024-02-30', '2024-05-01T25:00Z', '99999-01-01', 'yesterday') },
  until: { valid: isoTime, edge: fc.constantFrom('2024-05-01T12:00:00', '0000-00-00', '2024-05-01T12:00:00+99:99') },
};

const ID_SEGMENTS = [
  '0',
  '-1',
  '1',
  '2',
  '999999',
  '2147483647',
  '2147483648',
  '9007199254740991',
  '9007199254740992',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '1e3',
  '1e400',
  '-0',
  '+1',
  '1.0',
  '1.5',
  '0x10',
  '0b1',
  '0o7',
  'abc',
  '1abc',
  'NaN',
  'Infinity',
  '-Infinity',
  '%20',
  '%201',
  '1%20',
  '%00',
  '1%00',
  '%2e',
  '%2e%2e',
  '%C2%A0',
  '%D9%A1',
  'null',
  'undefined',
  '[]',
  '%5B1%5D',
];
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%ff',
  '%ED%A0%80',
  '%E0%80%80',
  '%2F',
  '..%2F',
  '%252e',
  'a%',
  '%%',
  "'",
  '"',
  '%22%3E%3Cscript%3E',
  '~',
  ';',
  ':',
  '@',
  '!',
  '$',
];
const UNKNOWN_KEYS = [
  'extra',
  'colour',
  'LIMIT',
  'limit[]',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'a.b',
  'status[0]',
  ' ',
  'é',
];
const RAW_QUERY_JUNK = [
  '&',
  '&&',
  '=',
  '==',
  'a',
  '=a',
  'a==b',
  '%',
  '%zz',
  'limit=%',
  'limit=%zz',
  '%ff=1',
  'offset=%ED%A0%80',
  'q=%00',
  '+',
  'limit=+1+',
  'a=1#frag',
  '%3D=%26',
  'limit',
];
const NUMBER_WORDS = [
  '',
  ' ',
  'abc',
  '1abc',
  '-1',
  '0',
  '1.5',
  '1e3',
  '1e400',
  '0x10',
  'NaN',
  'Infinity',
  '-0',
  '+5',
  ' 5 ',
  '9007199254740993',
  '9223372036854775808',
  '١',
];

function enumNear(values: string[]): fc.Arbitrary<string> {
  return fc
    .constantFrom(...values)
    .chain((v) => fc.constantFrom(v.toUpperCase(), ` ${v}`, `${v} `, `${v}s`, v.slice(0, -1), `${v}\u0000`, `${v},${v}`));
}

function contentType(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    { weight: 2, arbitrary: fc.constant(undefined) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
        'Application/JSON',
        'application/json; charset=junk',
        'application/json; charset=utf-16',
        'application/json ; charset=utf-8',
        'application/json;',
        'application/json; =',
        'application/jsonx',
        'application/vnd.api+json',
        'application/problem+json',
        'text/json',
        'text/plain',
        'text/plain; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=boundary',
        'application/octet-stream',
        '*/*',
        '',
        'json',
        'application/json, text/plain',
      ),
    },
    { weight: 1, arbitrary: headerJunk },
  );
}

function extraHeaders(): fc.Arbitrary<Record<string, string>> {
  const name = fc.constantFrom(
    'accept',
    'accept-encoding',
    'content-encoding',
    'x-forwarded-for',
    'x-request-id',
    'cookie',
    'origin',
    'accept-charset',
    'expect',
    'range',
  );
  return fc.dictionary(name, headerJunk, { maxKeys: 2 });
}

/** Authorization headers that must not let anyone in. */
export function badAuth(validKey: string): fc.Arbitrary<Record<string, string>> {
  const forms = fc.oneof(
    fc.constantFrom(
      '',
      'Bearer',
      'Bearer ',
      'Bearer  ',
      'bearer',
      `Basic ${Buffer.from(`user:${validKey}`).toString('base64')}`,
      `Basic ${validKey}`,
      validKey,
      `Token ${validKey}`,
      `Bearer ${validKey}x`,
      `Bearer x${validKey}`,
      `Bearer ${validKey.slice(0, -1)}`,
      `Bearer ${validKey.toUpperCase()}`,
      `Bearer ${validKey} ${validKey}`,
      `Bearer "${validKey}"`,
      `Bearer ${validKey},Bearer x`,
      `BearerX ${validKey}`,
      `Bearer ${Buffer.from(validKey).toString('base64')}`,
      'Bearer null',
      'Bearer undefined',
      'Bearer *',
      'Digest username="a"',
      'Negotiate abc',
    ),
    headerJunk.map((junk) => `Bearer ${junk}`),
    headerJunk,
  );
  return fc.oneof({ weight: 1, arbitrary: fc.constant({}) }, { weight: 6, arbitrary: forms.map((value) => ({ authorization: value })) });
}

/** The valid key in the forms the header allows (scheme in any case, extra spaces). */
export function goodAuth(validKey: string): fc.Arbitrary<Record<string, string>> {
  return fc
    .constantFrom(`Bearer ${validKey}`, `bearer ${validKey}`, `BEARER   ${validKey}`, ` Bearer ${validKey} `)
    .map((value) => ({ authorization: value }));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * encodeURIComponent that does not throw on a lone surrogate: it becomes the three bytes a sloppy client would send
 * (invalid UTF-8), which is exactly the kind of input the server must survive.
 */
export function encodeLoose(value: string): string {
  let out = '';
  let last = 0;
  for (const match of value.matchAll(LONE_SURROGATE)) {
    const code = match[0].charCodeAt(0);
    const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
    out += encodeURIComponent(value.slice(last, match.index)) + bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    last = match.index + 1;
  }
  return out + encodeURIComponent(value.slice(last));
}

export { EDGE_STRINGS };
