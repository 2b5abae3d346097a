import { IgApiClient } from 'instagram-private-api';
import { socksAgent } from './socks.js';

/**
 * One logged-in (or about to be) Instagram client for one account: its stable device, its sticky proxy and its
 * saved session. Counts every HTTP request it makes, because the budget is about requests, not library calls.
 */
export interface ClientSpec {
  username: string;
  deviceSeed: string;
  proxyUrl: string | null;
  /** JSON from serializeSession(); absent for an account that never logged in. */
  session: string | null;
  timeoutMs: number;
  /** The app version announced in the User-Agent (IG_APP_VERSION); the library's own when absent. */
  appVersion?: { version: string; code: string };
}

export class InstagramClient {
  readonly ig = new IgApiClient();
  private responses = 0;
  private dead = false;

  private constructor(readonly username: string) {
    // Every response (success or error status) passes through end$; requests that never got one are counted by
    // the caller when it classifies the network error.
    this.ig.request.end$.subscribe(() => this.responses++);
  }

  static async create(spec: ClientSpec): Promise<InstagramClient> {
    const client = new InstagramClient(spec.username);
    client.ig.state.generateDevice(spec.deviceSeed);
    if (spec.session) await client.ig.state.deserialize(spec.session);
    if (spec.appVersion) {
      // The library's constants object is shared by every client: give this one its own copy with our version.
      const state = client.ig.state as unknown as { constants: Record<string, unknown> };
      state.constants = { ...state.constants, APP_VERSION: spec.appVersion.version, APP_VERSION_CODE: spec.appVersion.code };
    }
    // Set after deserialize: the proxy is the account's current binding, not what it was when the session was saved.
    const defaults = client.ig.request.defaults as Record<string, unknown>;
    defaults.timeout = spec.timeoutMs;
    if (spec.proxyUrl && /^socks/i.test(spec.proxyUrl)) {
      // The library's `proxy` option speaks HTTP CONNECT only; a SOCKS proxy goes in as the connection agent.
      defaults.agent = socksAgent(spec.proxyUrl);
      client.ig.state.proxyUrl = undefined!;
    } else {
      client.ig.state.proxyUrl = spec.proxyUrl ?? undefined!;
    }
    return client;
  }

  /** Responses received so far (a monotonic counter; callers diff it around a call). */
  get responseCount(): number {
    return this.responses;
  }

  get hasSession(): boolean {
    if (this.dead) return false;
    try {
      return !!this.ig.state.cookieUserId;
    } catch {
      return false; // no ds_user_id cookie: never logged in, or logged out
    }
  }

  /**
   * Instagram said the session is gone (login_required): the client no longer counts as logged in, so whoever holds
   * the account next logs in before asking anything, and the dead session is not saved back.
   */
  markSessionDead(): void {
    this.dead = true;
  }

  /** True once markSessionDead was called: the stored session must be forgotten, not kept. */
  get sessionDead(): boolean {
    return this.dead;
  }

  async login(password: string): Promise<void> {
    await this.ig.account.login(this.username, password);
  }

  /** A cheap authenticated call, for proactive session validation and account checks. */
  async validate(): Promise<void> {
    await this.ig.account.currentUser();
  }

  /** The session as JSON, without the library's constants or our proxy (both are set anew on restore). */
  async serializeSession(): Promise<string> {
    const state = (await this.ig.state.serialize()) as Record<string, unknown>;
    delete state.constants;
    delete state.proxyUrl;
    return JSON.stringify(state);
  }
}
