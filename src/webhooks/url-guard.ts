import { isIP } from 'node:net';

/**
 * Where an endpoint may point. Only http(s), no credentials in the URL (the signature authenticates us; a password
 * in a URL ends up in logs and listings), and never the daemon itself: a webhook delivered to its own API would be
 * a request loop, or a way to make the daemon call its own routes. "Itself" is its own port on a loopback or
 * unspecified address, the configured HOST, the machine's name or any address of its interfaces. (A DNS name that
 * resolves to the daemon is not caught here; redirects are never followed, so one cannot lead there either.)
 */
export interface SelfAddress {
  /** The port the daemon listens on (known once it listens). */
  port: number | undefined;
  /** Host names and addresses that reach this machine, lower case, IPv6 without brackets. */
  hosts: ReadonlySet<string>;
}

export function endpointUrlProblem(text: string, self: SelfAddress): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL (give scheme, host and path, e.g. https://crm.example.com/hooks)'; // never echoed: it may hold a password
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the URL must be http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'the URL must not carry credentials (user:password@); receivers check the signature instead';
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (self.port !== undefined && port === self.port && (isLoopback(host) || self.hosts.has(host))) {
    return `the URL points at this daemon itself (${url.host}); a webhook must go to another service`;
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '::' || host === '0.0.0.0') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  const mapped = /^::ffff:(.+)$/.exec(host)?.[1];
  if (mapped) return mapped.startsWith('127.') || mapped === '0.0.0.0' || /^7f[0-9a-f]{2}:/.test(mapped);
  return false;
}
