import { SocksProxyAgent } from 'socks-proxy-agent';

/**
 * Every request to Instagram is HTTPS, but the `request` package the library uses does not tell the agent so in a
 * way agent-base recognises; without this the tunnel would carry plain HTTP to port 443 and hang.
 */
class HttpsOverSocksAgent extends SocksProxyAgent {
  override isSecureEndpoint(): boolean {
    return true;
  }
}

/** An agent for a socks5:// proxy; socks5h, so the proxy resolves Instagram's hostname (no local DNS leak). */
export function socksAgent(proxyUrl: string): SocksProxyAgent {
  return new HttpsOverSocksAgent(proxyUrl.replace(/^socks5:/i, 'socks5h:'));
}
