import { checkPassword, hasLoneSurrogate, normalizeUsername, parseProxyUrl, type Checked, type ParsedProxy } from './credentials.js';

/**
 * The line formats that account shops and proxy providers hand out, parsed without touching the database. Blank
 * lines and `#` comments are skipped; CRLF and surrounding spaces are tolerated. Each bad line is reported with its
 * 1-based number and what is wrong — never with the password or proxy credentials it holds.
 */

export interface LineError {
  line: number;
  message: string;
}

export interface AccountLine {
  line: number;
  username: string;
  password: string;
  proxy?: ParsedProxy;
}

export interface ProxyLine {
  line: number;
  proxy: ParsedProxy;
}

export interface Parsed<T> {
  entries: T[];
  errors: LineError[];
}

export const ACCOUNT_LINE_FORMS = 'username:password or username:password:scheme://[user:pass@]host:port';
export const PROXY_LINE_FORMS = 'scheme://user:pass@host:port, host:port, host:port:user:pass or user:pass@host:port';

/** `username:password` or `username:password:<proxy URL with scheme>`; the password may itself contain ':'. */
export function parseAccountLines(text: string): Parsed<AccountLine> {
  return parseLines(text, (content, line) => {
    const colon = content.indexOf(':');
    if (colon < 0) return { ok: false, message: `expected ${ACCOUNT_LINE_FORMS}` };
    const username = normalizeUsername(content.slice(0, colon));
    if (!username.ok) return username;
    const rest = content.slice(colon + 1);
    // The proxy starts at the first ":<scheme>://"; everything before it is the password.
    const proxyStart = /:[a-z][a-z0-9+.-]*:\/\//i.exec(rest)?.index;
    const password = checkPassword(proxyStart === undefined ? rest : rest.slice(0, proxyStart));
    if (!password.ok) return password;
    const entry: AccountLine = { line, username: username.value, password: password.value };
    if (proxyStart === undefined) return { ok: true, value: entry };
    const proxy = parseProxyUrl(rest.slice(proxyStart + 1));
    if (!proxy.ok) return { ok: false, message: `proxy: ${proxy.message}` };
    return { ok: true, value: { ...entry, proxy: proxy.value } };
  });
}

export function parseProxyLines(text: string): Parsed<ProxyLine> {
  return parseLines(text, (content, line) => {
    const proxy = parseProxyLine(content);
    return proxy.ok ? { ok: true, value: { line, proxy: proxy.value } } : proxy;
  });
}

/** One proxy in any of the list formats; a format without a scheme is an http proxy. */
export function parseProxyLine(content: string): Checked<ParsedProxy> {
  if (content.includes('://')) return parseProxyUrl(content);
  // withHttp() percent-encodes the credentials, and encodeURIComponent throws on half a surrogate pair (a 500 from
  // POST /api/proxies/import): refuse such a line like any other bad line.
  if (hasLoneSurrogate(content)) return { ok: false, message: 'the line contains a broken Unicode character (half a surrogate pair)' };
  const at = content.lastIndexOf('@');
  if (at >= 0) {
    const [user, ...passParts] = content.slice(0, at).split(':');
    return withHttp(content.slice(at + 1), user ?? '', passParts.join(':'));
  }
  const [host, port, user, ...passParts] = content.split(':');
  if (user === undefined) return withHttp(content, '', '');
  return withHttp(`${host}:${port}`, user, passParts.join(':'));
}

function withHttp(hostPort: string, user: string, pass: string): Checked<ParsedProxy> {
  if (!/^[^\s:/@]+:\d{1,5}$/.test(hostPort)) return { ok: false, message: `not a proxy (expected ${PROXY_LINE_FORMS})` };
  if (pass && !user) return { ok: false, message: 'the proxy has a password but no user name' };
  const credentials = user ? `${encodeURIComponent(user)}${pass ? `:${encodeURIComponent(pass)}` : ''}@` : '';
  return parseProxyUrl(`http://${credentials}${hostPort}`);
}

function parseLines<T>(text: string, parse: (content: string, line: number) => Checked<T>): Parsed<T> {
  const entries: T[] = [];
  const errors: LineError[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const result = parse(content, index + 1);
    if (result.ok) entries.push(result.value);
    else errors.push({ line: index + 1, message: result.message });
  });
  return { entries, errors };
}
