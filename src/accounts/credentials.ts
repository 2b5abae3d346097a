import type { ProxyType } from '../db/schema.js';

/**
 * Pure validation of what an admin gives us for an account or a proxy. Messages name what is wrong and never
 * repeat a password or a proxy credential, so they can go into API errors and logs as they are.
 */

/** Instagram's rules (as in src/http/schemas.ts): 1–30 of a-z 0-9 . _, no leading/trailing/doubled dot. */
const USERNAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[a-z0-9._]{1,30}$/;
export const PASSWORD_MAX_LENGTH = 256;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Accepts a leading @ and any case; the stored form is lower-case. */
export function normalizeUsername(input: string): Checked<string> {
  const value = input.trim().replace(/^@/, '').toLowerCase();
  if (USERNAME.test(value)) return { ok: true, value };
  return {
    ok: false,
    message: `${JSON.stringify(input.trim().slice(0, 60))} is not a valid Instagram username (1–30 letters, digits, "." or "_"; no leading, trailing or double ".")`,
  };
}

/**
 * JSON can carry half a UTF-16 surrogate pair ("\ud800"), which UTF-8 cannot: storing it (encrypted as UTF-8) or
 * percent-encoding it would silently turn it into U+FFFD — a password that later fails to log in for no visible
 * reason — or throw (encodeURIComponent). Such text is refused up front.
 */
export function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export function checkPassword(password: string): Checked<string> {
  if (password.length === 0) return { ok: false, message: 'the password is empty' };
  if (password.length > PASSWORD_MAX_LENGTH) return { ok: false, message: `the password is longer than ${PASSWORD_MAX_LENGTH} characters` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point of this check
  if (/[\u0000-\u001f\u007f]/.test(password)) return { ok: false, message: 'the password contains a control character (a line break?)' };
  if (hasLoneSurrogate(password)) return { ok: false, message: 'the password contains a broken Unicode character (half a surrogate pair)' };
  return { ok: true, value: password };
}

export interface ParsedProxy {
  type: ProxyType;
  /** The full URL, credentials included: only ever stored encrypted. */
  url: string;
  /** scheme://host:port — no credentials, safe to show, log and use as the proxy's identity. */
  label: string;
}

const DEFAULT_PORTS: Record<ProxyType, number> = { http: 80, socks5: 1080 };
export const PROXY_URL_FORMS = 'http://[user:pass@]host:port or socks5://[user:pass@]host:port';

/** A proxy URL: http (CONNECT) or socks5, optional credentials, a host and a port; nothing else. */
const MAX_HOST_LENGTH = 253;
const MAX_HOST_LABEL_LENGTH = 63;

export function parseProxyUrl(input: string): Checked<ParsedProxy> {
  const text = input.trim();
  // new URL() would quietly replace it with U+FFFD, changing the credentials we store.
  if (hasLoneSurrogate(text)) return { ok: false, message: 'the proxy URL contains a broken Unicode character (half a surrogate pair)' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (!scheme) return { ok: false, message: `not a proxy URL (expected ${PROXY_URL_FORMS})` };
  if (scheme !== 'http' && scheme !== 'socks5') {
    return { ok: false, message: `unsupported proxy scheme "${scheme}://" (use ${PROXY_URL_FORMS})` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `not a valid ${scheme} proxy URL (expected ${PROXY_URL_FORMS}; is the port a number up to 65535?)` };
  }
  if (!url.hostname) return { ok: false, message: 'the proxy URL has no host' };
  // DNS bounds (RFC 1035): a host name of at most 253 characters in labels of at most 63. The label is a unique
  // index key, and a longer one failed the insert with a 500 ("index row size exceeds btree maximum").
  if (url.hostname.length > MAX_HOST_LENGTH)
    return { ok: false, message: `the proxy host is ${url.hostname.length} characters long; a host name has at most ${MAX_HOST_LENGTH}` };
  if (!url.hostname.startsWith('[') && url.hostname.split('.').some((label) => label.length > MAX_HOST_LABEL_LENGTH)) {
    return { ok: false, message: `a part of the proxy host between dots is longer than ${MAX_HOST_LABEL_LENGTH} characters` };
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    return { ok: false, message: 'a proxy URL has no path, query or fragment: give scheme://[user:pass@]host:port' };
  }
  if (url.password && !url.username) return { ok: false, message: 'the proxy URL has a password but no user name' };
  const host = url.hostname.toLowerCase();
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  const credentials = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return { ok: true, value: { type: scheme, url: `${scheme}://${credentials}${host}:${port}`, label: `${scheme}://${host}:${port}` } };
}

/** The credential strings of a proxy URL in every form they may show up in an error text. */
export function proxyCredentialForms(proxyUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    return [];
  }
  const forms = [url.username, url.password, safeDecode(url.username), safeDecode(url.password)];
  if (url.username) forms.push(Buffer.from(`${safeDecode(url.username)}:${safeDecode(url.password)}`).toString('base64'));
  return [...new Set(forms.filter((form) => form.length >= 3))];
}

/**
 * Removes credentials from a text shown to the admin (a proxy's last error, an account's status reason): any
 * `scheme://user:pass@` and, when known, the exact credential strings.
 */
export function scrubSecrets(text: string | null, secrets: readonly string[] = []): string | null {
  if (text === null) return null;
  let scrubbed = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@');
  for (const secret of secrets) scrubbed = scrubbed.split(secret).join('***');
  return scrubbed;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
